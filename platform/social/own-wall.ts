import { writeOwnEntry } from '@/core/author';
import { feedRow, type FeedRow } from '@/core/feed';
import type { Identity, RandomBytes } from '@/core/identity';
import { StorageFullError, type Replica } from '@/core/replica';
import type { Result } from '@/core/result';
import type { Verifier } from '@/core/verifier';
import { PeerwallError } from '../errors';
import type { Timers } from '../timers';
import type { SocialCircle } from './social-circle';
import type { SocialStore } from './social-store';
import type { PhotoClaims } from './photo-claims';
import type { PhotoRequest } from './staged-photo-check';

const FAREWELL_POLL_MS = 250;

/** What writing one's own entries needs: on one's own wall (sealed at once) or for a friend's (queued). */
export interface OwnWriterDeps {
  identity: Identity;
  replica: Replica;
  store: SocialStore;
  circle: SocialCircle;
  now(): number;
  randomBytes: RandomBytes;
  /** Checks each new own entry as readers will. */
  verifier: Verifier;
  /** Tells friends about a new own entry (announce on open sessions, dial the others). */
  spread(): void;
}

export interface OwnWallDeps extends OwnWriterDeps {
  timers: Timers;
  /** The photos of a post: checked from where pages staged them, then kept under the post (./photo-claims.ts). */
  photos: PhotoClaims;
  /** Whether a friend can take an entry now (online or being connected). */
  reachable(handle: string): boolean;
}

function postProblem(reason: string): string {
  if (/empty/i.test(reason)) return 'Write something first.';
  return reason.endsWith('.') ? reason : `${reason}.`;
}

/**
 * Runs a write of a post (or comment, like, profile: `what`): a full disk or a refused draft becomes
 * an error a person can read; the text stays.
 */
export async function saved<T>(write: () => Promise<Result<T>>, what = 'post'): Promise<T> {
  let result: Result<T>;
  try {
    result = await write();
  } catch (error) {
    if (error instanceof StorageFullError) {
      throw new PeerwallError('storage_full', `Your browser’s storage is full, so the ${what} was not saved. Free some disk space and try again; your text is still here.`);
    }
    throw error;
  }
  if (!result.ok) throw new PeerwallError('invalid_post', postProblem(result.reason));
  return result.value;
}

/** Posts on one's own wall, and the goodbye of a deleted account (entries for friends' walls: conversation.ts). */
export function createOwnWall(deps: OwnWallDeps) {
  const { identity, replica, circle } = deps;
  const writeDeps = { randomBytes: deps.randomBytes, now: deps.now, verifier: deps.verifier };

  return {
    /**
     * Writes a post, with photos a page staged, each checked against its name first (nothing is written
     * when one fails); resolves with its feed row (the post is read from nowhere a second time). Its files
     * are kept complete right after, so friends can fetch them, and leave the staging area.
     */
    async post(text: string, photos: readonly PhotoRequest[] = []): Promise<FeedRow> {
      const claimed = await deps.photos.claim(photos);
      const draft = { kind: 'post' as const, body: { text, media: [], ...(claimed?.photos.length ? { photos: claimed.photos } : {}) } };
      const written = await saved(() => writeOwnEntry(replica, identity, draft, writeDeps));
      await deps.photos.keep(claimed, identity.handle, written.id);
      deps.spread();
      return feedRow(written, draft);
    },
    /**
     * Writes a goodbye entry and lets the friends the broker reports online take it (account
     * deletion). Waits until each of them holds it, at most `waitMs`.
     */
    async farewell(text: string, waitMs: number): Promise<void> {
      const written = await writeOwnEntry(replica, identity, { kind: 'goodbye', body: { text } }, writeDeps);
      if (!written.ok) return;
      deps.spread();
      const deadline = deps.now() + waitMs;
      while (deps.now() < deadline) {
        const progress = await deps.store.progress();
        if (![...circle.friends].some((f) => !circle.gone.has(f) && deps.reachable(f) && (progress.get(f) ?? 0) < written.value.seq)) return;
        await new Promise<void>((resolve) => deps.timers.setTimeout(resolve, Math.min(FAREWELL_POLL_MS, deadline - deps.now())));
      }
    },
  };
}

export type OwnWall = ReturnType<typeof createOwnWall>;
