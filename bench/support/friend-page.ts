/**
 * The script of a helper page of `bench:footprint` (bundled at bench time by friend-bundle.ts): runs any number
 * of simulated friends in this page and reports on them. The harness calls `peerwallFriends.start(...)` and
 * `peerwallFriends.reports()` over DevTools.
 */
import { createVerifier } from '@/core/verifier';
import { startFriend, type FriendReport, type FriendSpec, type HostSpec } from './simulated-friend';

/** One verifier per page, as the peer host keeps one for all its sessions (its imported keys are shared). */
const verifier = createVerifier({ subtle: crypto.subtle });
const reporters: Array<() => FriendReport> = [];

export interface FriendPageApi {
  /** Starts `friends` one after the other; resolves once each is written and its peer is made. */
  start(friends: FriendSpec[], host: HostSpec): Promise<number>;
  reports(): FriendReport[];
}

const api: FriendPageApi = {
  async start(friends, host) {
    for (const friend of friends) reporters.push(await startFriend(friend, host, verifier));
    return reporters.length;
  },
  reports: () => reporters.map((report) => report()),
};

(globalThis as { peerwallFriends?: FriendPageApi }).peerwallFriends = api;
