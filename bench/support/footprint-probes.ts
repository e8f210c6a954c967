import type { ConnectionEvent } from '../../platform/social/connection-log';
import type { ExtensionPage } from '../../tests/e2e/support/extension-page';
import { request } from '../../tests/e2e/support/flows';
import { evaluateInOffscreen } from '../../tests/e2e/support/social';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { bundleScript } from './friend-bundle';
import type { FriendshipSeed } from './friendship-seed';

/** What the host's peer host says of its friends (`host:social-state`): how many, and how many per presence. */
export async function friendPresence(page: ExtensionPage): Promise<{ friends: number; byPresence: Record<string, number> }> {
  const state = (await request(page, 'host:social-state')) as { friends: Array<{ presence: string }> };
  const byPresence: Record<string, number> = {};
  for (const friend of state.friends) byPresence[friend.presence] = (byPresence[friend.presence] ?? 0) + 1;
  return { friends: state.friends.length, byPresence };
}

/** Entries of every wall but `user`'s own in `user`'s content database: what friends' sessions brought. */
export function friendsEntries(user: TestUser): Promise<number> {
  const own = `IDBKeyRange.bound([${JSON.stringify(user.name)}, 0], [${JSON.stringify(user.name)}, Infinity])`;
  return evaluateInOffscreen<number>(
    user,
    `new Promise((resolve, reject) => {
      const open = indexedDB.open(${JSON.stringify(`peerwall-${user.name}`)});
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const store = open.result.transaction('entries').objectStore('entries');
        const all = store.count();
        const own = store.count(${own});
        own.onsuccess = () => { open.result.close(); resolve(all.result - own.result); };
        own.onerror = () => reject(own.error);
      };
    })`,
  );
}

/** What the host's connection log says of one friend since `since`: its first ready, and how many attempts failed. */
export interface FriendLog {
  handle: string;
  readyAt: number | null;
  dials: number;
  incoming: number;
  failed: number;
  closed: number;
  /** The sentences of its `closed` and `failed` events, timings dropped (for a tally of why connections ended). */
  endings: string[];
}

/** Reads the host's connection log (`host:connection-log`, the "Connection details") of each of `handles`. */
export async function friendLogs(page: ExtensionPage, handles: readonly string[], since: number): Promise<FriendLog[]> {
  const logs: FriendLog[] = [];
  for (const handle of handles) {
    const events = ((await request(page, 'host:connection-log', { handle })) as ConnectionEvent[]).filter((e) => e.at >= since);
    const count = (kind: ConnectionEvent['kind']) => events.filter((e) => e.kind === kind).length;
    logs.push({
      handle,
      readyAt: events.find((e) => e.kind === 'ready')?.at ?? null,
      dials: count('dial'),
      incoming: count('incoming'),
      failed: count('failed'),
      closed: count('closed'),
      endings: events.filter((e) => e.kind === 'closed' || e.kind === 'failed').map((e) => e.text.replace(/\d+(\.\d+)? m?s/g, '…').replace(/@\w+/g, '@friend')),
    });
  }
  return logs;
}

/** Runs friendship-seed.ts in `user`'s offscreen document: the identity key, or befriending `requests`. */
export async function seedFriendships(user: TestUser, requests: unknown[]): Promise<{ key: string; pinned: number; problems: string[] }> {
  const script = await bundleScript('friendship-seed.ts');
  const seed = (expression: string) =>
    evaluateInOffscreen<unknown>(user, `(() => { ${script}; return ${expression}; })()`);
  const key = (await seed(`globalThis.peerwallFriendshipSeed.identityKey(${JSON.stringify(user.name)})`)) as string;
  const result = (await seed(`globalThis.peerwallFriendshipSeed.befriend(${JSON.stringify(user.name)}, ${JSON.stringify(requests)})`)) as Awaited<ReturnType<FriendshipSeed['befriend']>>;
  return { key, ...result };
}

/**
 * Counts, in `user`'s offscreen document, the uncaught errors of Chromium's cap on RTCPeerConnections (500 per
 * renderer process, closed ones included until they are garbage-collected): PeerJS answering an OFFER throws
 * it. A passive listener; returns the count so far.
 */
export function peerConnectionCapErrors(user: TestUser): Promise<number> {
  return evaluateInOffscreen<number>(
    user,
    `(() => {
      if (!globalThis.__pwCapErrors) {
        globalThis.__pwCapErrors = { count: 0 };
        const count = (error) => { if (String(error?.message ?? error).includes('Cannot create so many PeerConnections')) globalThis.__pwCapErrors.count += 1; };
        addEventListener('error', (event) => count(event.error ?? event.message));
        addEventListener('unhandledrejection', (event) => count(event.reason));
      }
      return globalThis.__pwCapErrors.count;
    })()`,
  );
}
