import type { RandomBytes } from '@/core/identity';
import type { Sha256 } from '@/core/media';
import type { Verifier } from '@/core/verifier';
import { PeerwallError } from '../errors';
import { contentDbName, openContentDb, type ContentDb } from '../content-db';
import type { SocialHooks } from '../ports';
import type { Timers } from '../timers';
import { loadOrCreateIdentity } from './identity-store';
import { createSocialService, type SocialOptions, type SocialService } from './social-service';
import type { SocialChange, SocialNotice } from './social-views';

/**
 * Longest wait for online friends to take the goodbye entry before the account goes: room for
 * a few rounds of dialling (4 at a time), since nobody can reach this account afterwards.
 */
const FAREWELL_WAIT_MS = 15_000;

export interface SocialHostDeps {
  openDb?: (handle: string) => Promise<ContentDb>;
  now(): number;
  randomBytes: RandomBytes;
  /** Shared by every account's service: its imported keys outlive a sign-out. */
  verifier?: Verifier;
  /** Hashes photo chunks and files (social-service.ts). */
  sha256?: Sha256;
  timers: Timers;
  onChange(change: SocialChange): void;
  notify(notice: SocialNotice): void;
  options?: Partial<SocialOptions>;
}

export interface SocialHost extends SocialHooks {
  /** The signed-in account's service; throws `signed_out` when nobody is signed in. */
  current(): SocialService;
}

/**
 * Owns the social service of whoever is signed in: opens the handle's content database and
 * identity key (made on first sign-in) when a session begins, and stops it when it ends.
 */
export function createSocialHost(deps: SocialHostDeps): SocialHost {
  const openDb = deps.openDb ?? ((handle: string) => openContentDb(contentDbName(handle)));
  let service: SocialService | null = null;
  let db: ContentDb | null = null;
  let generation = 0;

  function end(): void {
    generation += 1;
    service?.stop();
    db?.close();
    service = null;
    db = null;
  }

  return {
    async begin(handle, access) {
      end();
      const mine = generation;
      const opened = await openDb(handle);
      if (mine !== generation) {
        opened.close();
        return;
      }
      const identity = await loadOrCreateIdentity(opened, handle, deps.randomBytes, deps.now);
      const made = createSocialService({
        db: opened,
        identity,
        access,
        now: deps.now,
        randomBytes: deps.randomBytes,
        verifier: deps.verifier,
        sha256: deps.sha256,
        timers: deps.timers,
        onChange: deps.onChange,
        notify: deps.notify,
        options: deps.options,
      });
      await made.start();
      if (mine !== generation) {
        made.stop();
        opened.close();
        return;
      }
      db = opened;
      service = made;
      deps.onChange({ friends: true, feed: true, posts: [] });
    },
    end,
    allowlist: () => service?.allowlist() ?? { handles: [], blocked: [] },
    online: () => service?.online(),
    offline: () => service?.offline(),
    networkChanged: () => service?.networkChanged(),
    serverFrame: (frame) => service?.serverFrame(frame),
    incoming: (link) => (service ? service.incoming(link) : link.close()),
    farewell: async () => {
      await service?.farewell('This account was deleted.', FAREWELL_WAIT_MS);
    },
    current() {
      if (!service) throw new PeerwallError('signed_out', 'Sign in first.');
      return service;
    },
  };
}
