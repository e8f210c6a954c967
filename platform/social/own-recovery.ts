import { genesisKeyOf } from '@/core/author';
import { bytesEqual } from '@/core/bytes';
import { parseHandle } from '@/core/handle';
import type { Identity, RandomBytes } from '@/core/identity';
import { LIMITS } from '@/core/limits';
import { historyOfWall } from '@/core/recoveryEntry';
import { verifyRotationChain } from '@/core/rotation';
import { createOwnRecovery, type OwnRecovery, type OwnRecoveryEvent } from '@/core/ownRecovery';
import type { Replica } from '@/core/replica';
import type { Verifier } from '@/core/verifier';
import type { ContentDb } from '../content-db';
import { PeerwallError } from '../errors';
import type { Timers } from '../timers';
import { RECOVERY_OFFERED_KEY, saveIdentity } from './identity-store';
import type { RelaySender } from './relay-sender';
import type { SocialStore } from './social-store';
import type { SocialNotice } from './social-views';

/** The friends named for a recovery from friends; device-only, like `recovering` (backup-stores.ts). */
const META_KEY = 'recoveryFromFriends';

export interface OwnRecoveryServiceDeps {
  db: ContentDb;
  replica: Replica;
  identity: Identity;
  store: Pick<SocialStore, 'putRequest'>;
  relay: Pick<RelaySender, 'send'>;
  timers: Timers;
  now(): number;
  randomBytes: RandomBytes;
  verifier: Verifier;
  notify(notice: SocialNotice): void;
  changed(): void;
  /** Recovery is over and `identity` (with its key history) is saved: the account starts again with it. */
  recovered(identity: Identity): void;
}

/** What the person sees while their wall is restored: "Waiting for @alice or @bob to confirm your new key". */
export type RecoveryView = { waitingFor: string[] };

/**
 * Recovering one's own wall from friends after a sign-in without the key (docs/protocol.md §8): asks the
 * friends the person names with a `recover-request` (kept as an outgoing request, so their `friend-accept`
 * befriends them), hands the sync sessions the core's recovery, and when it is over saves the identity with
 * its history. Survives a restart: the candidate copies do not, and are pulled again.
 */
export function createOwnRecoveryService(d: OwnRecoveryServiceDeps) {
  const me = d.identity.handle;
  let recovery: OwnRecovery | null = null;
  /** This session began with a sign-in that found no key for the account here (identity-store.ts). */
  let offered = false;

  function begin(named: readonly string[]): void {
    recovery = createOwnRecovery({
      replica: d.replica,
      identity: d.identity,
      named,
      randomBytes: d.randomBytes,
      now: d.now,
      verifier: d.verifier,
      setTimer: (run, ms) => {
        const timer = d.timers.setTimeout(run, ms);
        return () => d.timers.clearTimeout(timer);
      },
      onEvent: (e) => void settled(e).catch((error: unknown) => console.error('[peerwall] recovery not saved', error)),
    });
  }

  async function settled(e: OwnRecoveryEvent): Promise<void> {
    if (e.type === 'copyComplete') return d.changed();
    if (e.type === 'failed') {
      d.notify({ kind: 'request', title: 'Restoring your wall failed', message: `${e.reason} Peerwall tries again when a friend next connects.`, postId: null });
      return;
    }
    await saveIdentity(d.db, e.identity);
    await d.db.delete('meta', META_KEY);
    const names = (friends: string[]) => friends.map((f) => `@${f}`).join(' and ');
    const disagree = e.disagreeing.length ? ` ${names(e.disagreeing)} held a different version of your wall; the longer one was kept.` : '';
    const other = e.otherWalls.length ? ` ${names(e.otherWalls)} held a different wall in your name, which was not kept; ask them about it.` : '';
    const back = e.from ? `Your wall is back, restored from @${e.from}.` : 'Your wall is back.';
    const message = e.from || e.seq > 0 ? `${back}${disagree}${other}` : 'Your wall starts afresh.';
    d.notify({ kind: 'request', title: 'Wall restored', message, postId: null });
    d.recovered(e.identity);
  }

  return {
    /**
     * After a restart: a recovery still waiting goes on; one that ended before its identity was saved (the
     * browser stopped in between) is saved now, from the statements of the wall's `rotate` entries.
     */
    async start(): Promise<void> {
      // Cheap test first: the wall's key chain starts elsewhere than the identity's, though it ends at its key.
      const wall = await d.replica.wallState(me);
      const unsaved = wall && bytesEqual(wall.currentKey, d.identity.publicKey) && !bytesEqual(wall.genesisKey, genesisKeyOf(d.identity));
      const history = unsaved ? await historyOfWall(d.replica, me) : [];
      if (history.length > d.identity.rotations.length && verifyRotationChain(me, history, d.identity.publicKey).ok) {
        await saveIdentity(d.db, { ...d.identity, rotations: history });
        d.recovered({ ...d.identity, rotations: history });
        return;
      }
      offered = (await d.db.get('meta', RECOVERY_OFFERED_KEY))?.value === true;
      const saved: unknown = (await d.db.get('meta', META_KEY))?.value;
      const named = Array.isArray(saved) ? saved.filter((h): h is string => typeof h === 'string') : [];
      if (named.length > 0 && named.length <= LIMITS.recoveryFriends && (await d.replica.recovering())) begin(named);
    },
    /**
     * Asks `names` to restore this wall; only after a sign-in to an existing account that found no key for it
     * in this browser (never after creating the account), before anything was written or befriended.
     */
    async ask(names: readonly string[]): Promise<void> {
      if (!offered) {
        throw new PeerwallError(
          'invalid_request',
          'Recover from friends is for signing in to an existing account on a browser that has lost its key. This browser already has your key, or the account is new.',
        );
      }
      const named = [...new Set(names.map((n) => parseHandle(n)))].map((p) => {
        if (!p.ok) throw new PeerwallError('invalid_handle', p.reason);
        if (p.handle === me) throw new PeerwallError('invalid_handle', 'Name the friends who had your wall, not yourself.');
        return p.handle;
      });
      if (named.length === 0 || named.length > LIMITS.recoveryFriends) {
        throw new PeerwallError('invalid_request', `Name between 1 and ${LIMITS.recoveryFriends} friends who had your wall.`);
      }
      if (recovery || (await d.replica.wallState(me)) || (await d.replica.friends()).length > 0) {
        throw new PeerwallError('invalid_request', 'Recover from friends works right after signing in on a fresh install, before you post or add friends.');
      }
      const tx = d.db.transaction('meta', 'readwrite');
      await Promise.all([tx.store.put({ key: META_KEY, value: named }), tx.store.delete(RECOVERY_OFFERED_KEY), tx.done]);
      offered = false;
      await d.replica.setRecovering(true);
      begin(named);
      for (const handle of named) {
        const message = await d.relay.send('recover-request', handle);
        await d.store.putRequest({ handle, direction: 'outgoing', message, at: d.now() });
      }
      d.changed();
    },
    /** The person stops waiting: the wall starts afresh under the new key. */
    skip: async (): Promise<void> => recovery?.skip(),
    /** The recovery sync sessions take part in, while it is going on. */
    current: (): OwnRecovery | undefined => (recovery?.active ? recovery : undefined),
    view: (): RecoveryView | null => (recovery?.active ? { waitingFor: recovery.waitingFor() } : null),
    /** Recover from friends may be offered: a sign-in found no key here, and nothing was asked yet. */
    offered: (): boolean => offered && recovery === null,
  };
}

export type OwnRecoveryService = ReturnType<typeof createOwnRecoveryService>;
