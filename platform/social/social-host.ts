import type { RandomBytes } from '@/core/identity';
import type { Sha256 } from '@/core/media';
import type { Verifier } from '@/core/verifier';
import { PeerwallError } from '../errors';
import { deleteDB } from 'idb';
import { contentDbName, openContentDb, type ContentDb } from '../content-db';
import { STAGED_DB_NAME } from '../staged-photos';
import { STAGED_BACKUP_DB_NAME } from '../staged-backup';
import type { PeerAccess, SessionStart, SocialHooks } from '../ports';
import { mergeBackup, type BackupImported } from '../backup/merge-backup';
import { readCheckedBackup } from '../backup/read-checked-backup';
import type { Timers } from '../timers';
import { loadOrCreateIdentity } from './identity-store';
import type { ReplicaFaults } from './replica-faults';
import { createSocialService, type SocialOptions, type SocialService } from './social-service';
import type { SocialChange, SocialNotice } from './social-views';

/**
 * Longest wait for online friends to take the goodbye entry before the account goes: room for
 * a few rounds of dialling (4 at a time), since nobody can reach this account afterwards.
 */
const FAREWELL_WAIT_MS = 15_000;

export interface SocialHostDeps {
  openDb?: (handle: string) => Promise<ContentDb>;
  /** Deletes a database by name (IndexedDB's `deleteDatabase` by default). */
  deleteDb?: (name: string) => Promise<void>;
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
  /** Test builds only (./fault-switch.ts): crashes made while batches are stored. */
  faults?: ReplicaFaults;
}

export interface SocialHost extends SocialHooks {
  /** The signed-in account's service; throws `signed_out` when nobody is signed in. */
  current(): SocialService;
  /**
   * Imports a full backup (docs/protocol.md §4.6): when signed out, into its handle's database (a fresh
   * install gets its identity before the first sign-in would make a new one); when signed in, only a
   * backup of the same handle, merged while the service is stopped, which then starts over what storage holds.
   */
  importBackup(file: Uint8Array, passphrase: string): Promise<BackupImported>;
}

/**
 * Owns the social service of whoever is signed in: opens the handle's content database and
 * identity key (made on first sign-in) when a session begins, and stops it when it ends.
 */
export function createSocialHost(deps: SocialHostDeps): SocialHost {
  const openDb = deps.openDb ?? ((handle: string) => openContentDb(contentDbName(handle)));
  const deleteDb =
    deps.deleteDb ??
    ((name: string) => deleteDB(name, { blocked: () => console.warn(`[peerwall] Erasing ${name} waits for a page to close it.`) }));
  let service: SocialService | null = null;
  let db: ContentDb | null = null;
  let generation = 0;
  let signedIn: { handle: string; access: PeerAccess } | null = null;

  function end(): void {
    generation += 1;
    signedIn = null;
    service?.stop();
    db?.close();
    service = null;
    db = null;
  }

  async function begin(handle: string, access: PeerAccess, start?: SessionStart): Promise<void> {
    end();
    signedIn = { handle, access };
    const mine = generation;
    const opened = await openDb(handle);
    if (mine !== generation) {
      opened.close();
      return;
    }
    const identity = await loadOrCreateIdentity(opened, handle, deps.randomBytes, deps.now, { signedIn: start === 'sign-in' });
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
      ...(deps.faults ? { faults: deps.faults } : {}),
      // A recovery from friends saved the identity with its history: every part starts again with it.
      identityChanged: () => {
        if (mine === generation) void restart(handle, access);
      },
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
  }

  async function restart(handle: string, access: PeerAccess): Promise<void> {
    await begin(handle, access);
    if (access.isOnline()) {
      access.allowlistChanged();
      service?.online();
    }
  }

  return {
    begin,
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
    async erase(handle) {
      end();
      // Pages holding the content database for photos close it when asked (read-media-file.ts).
      await deleteDb(contentDbName(handle));
      // Photos a page staged for a post never sent belong to whoever was signed in: this account.
      await deleteDb(STAGED_DB_NAME);
      // A backup file a page staged for import, if one is still waiting.
      await deleteDb(STAGED_BACKUP_DB_NAME);
    },
    current() {
      if (!service) throw new PeerwallError('signed_out', 'Sign in first.');
      return service;
    },
    async importBackup(file, passphrase) {
      const checked = readCheckedBackup(file, passphrase);
      if (!checked.ok) throw new PeerwallError('invalid_backup', checked.reason);
      const handle = checked.value.contents.identity.handle;
      const session = signedIn;
      if (session && session.handle !== handle) {
        throw new PeerwallError('other_account', `This is a backup of @${handle}, but you are signed in as @${session.handle}. Nothing was changed; sign out first to restore it.`);
      }
      if (session) end(); // the service must not write while the backup is merged
      const stopped = generation;
      try {
        const target = await openDb(handle);
        try {
          return { handle, ...(await mergeBackup(target, checked.value)) };
        } finally {
          target.close();
        }
      } finally {
        // Unless a sign-out or another sign-in came meanwhile, the account starts again over what storage holds.
        if (session && generation === stopped) await begin(handle, session.access);
        if (session?.access.isOnline()) {
          session.access.allowlistChanged();
          service?.online();
        }
      }
    },
  };
}
