import { decodeBody, photoFiles } from './body';
import { bytesEqual, toHex } from './bytes';
import type { FeedChange } from './feed';
import { checkMediaChunk, chunkCount, type MediaRef, pureSha256, type Sha256 } from './media';
import type { MediaStore } from './mediaStore';
import { keepProfilePicture } from './profileMedia';
import type { ErrorCode, MissingReason, PeerMessage } from './messages';
import type { Replica, StoredEntry } from './replica';
import { createMediaServe } from './syncMediaServe';
import type { RefillMarks } from './syncRefill';
import { createChunkWriter } from './syncMediaWrites';
import { createHashMemory, createRunningHashes, type HashMemory } from './syncMediaRunningHash';
import type { RelayRole } from './syncRelay';

/** What a session did with photo files: `of` chunks in all, `chunks` held from the first on. */
export type MediaEvent =
  | { type: 'mediaProgress'; file: string; chunks: number; of: number }
  /** The whole file arrived and matched its hash: it may be shown. */
  | { type: 'mediaStored'; file: string }
  /** The friend does not hold the file (or this side may not have it); another holder may. */
  | { type: 'mediaMissing'; file: string; reason: MissingReason }
  /** Every chunk matched its hash but the whole did not: the author's reference is wrong; the chunks are dropped. */
  | { type: 'mediaDamaged'; file: string };

/**
 * What a version-4 session needs to move photos: this side's file store, who hears of transfers, which
 * friends' walls were pulled again for the photo posts an older version of this side got without bodies, and
 * the SHA-256 that checks chunks and files (pure JS unless given; a browser passes WebCrypto's, which hashes a
 * 16 MiB file many times faster).
 */
export type MediaDeps = {
  store: MediaStore;
  onEvent?: (event: MediaEvent) => void;
  refill?: RefillMarks;
  sha256?: Sha256;
  /** Memory for chunks held to hash files whole, shared by a peer host's sessions (a session's own if none). */
  memory?: HashMemory;
};

type Message<T extends PeerMessage['type']> = Extract<PeerMessage, { type: T }>;

export type MediaRoleDeps = {
  media: MediaDeps;
  replica: Replica;
  me: string;
  peer: string;
  /** The session's relaying half, if any: which third walls the friend may read or holds. */
  relay(): RelayRole | null;
  now(): number;
  /** Chunks asked for and not received, over all fetches, each way: the session's version's (`mediaWindowFor`). */
  window: number;
  send(m: PeerMessage): void;
  /** Resolves once the transport can take another frame (its buffered amount is low). */
  drained(): Promise<void>;
  /** This side asks for `frames` chunks: they are not held against the friend's limits (Transport.solicit). */
  solicit(frames: number): void;
  open(): boolean;
  refuse(code: ErrorCode, reason: string): void;
  /** Storage failed while serving, outside the session's queue. */
  failed(error: unknown): void;
};

type Wanted = { ref: MediaRef; file: string; wall: string; thumbnail: boolean };
type Asked = { want: Wanted; ref: MediaRef; file: string; next: number; end: number };

/**
 * The photo half of a version-4 session (docs/protocol.md §7.6). As a puller it fetches every file the
 * posts it holds refer to and lacks — thumbnails first — from the first missing chunk, at most
 * `window` chunks in flight (16, or 64 from version 5), checking each chunk against the signed reference as it
 * arrives and the whole file before it counts as held; as a holder it serves (./syncMediaServe.ts). A chunk
 * not asked for or not matching its hash closes the session; nothing of it is kept.
 */
export function createMediaRole(d: MediaRoleDeps) {
  const { store } = d.media;
  const hash = d.media.sha256 ?? pureSha256;
  const emit = (event: MediaEvent) => d.media.onEvent?.(event);
  /** Chunks asked for in one `fetch` once the window has room for at least this many (fewer at a file's end). */
  const refill = d.window / 2;
  const writer = createChunkWriter({ store, behind: d.window / 2, failed: d.failed, stored: (file, held, of) => emit({ type: 'mediaProgress', file, chunks: held, of }) });
  const queue: Wanted[] = [];
  const running = createRunningHashes(hash, d.media.memory ?? createHashMemory());
  /** Files queued or being fetched, and files the friend said it lacks: each asked for once per session. */
  const taken = new Set<string>();
  const missing = new Set<string>();
  /** Files the friend said it does not hold (yet): asked for again when it announces its wall. */
  const lacked = new Map<string, Wanted>();
  let active: { want: Wanted; next: number; count: number } | null = null;
  /** This side's fetches not fully answered, oldest first: the friend answers them in order. */
  const asked: Asked[] = [];
  let inFlight = 0;
  /** Chunk hashes started as their frames arrived (WebCrypto hashes them in parallel), taken when the queue gets there. */
  const early = new WeakMap<Message<'chunk'>, Promise<Uint8Array>>();
  const serve = createMediaServe({ ...d, store, mayRead: async (wall) => wall === d.me || wall === d.peer || (await d.relay()?.admit(wall)) === 'serve' });

  const mayHold = (wall: string) => wall === d.me || wall === d.peer || (d.relay()?.holds(wall) ?? false);

  function want(w: Wanted): void {
    if (taken.has(w.file) || missing.has(w.file) || !mayHold(w.wall)) return;
    taken.add(w.file);
    const at = w.thumbnail ? queue.findIndex((q) => !q.thumbnail) : -1;
    queue.splice(at < 0 ? queue.length : at, 0, w);
  }

  /** Asks for more while the window has room: the rest of the current file, then the next one. */
  async function advance(): Promise<void> {
    while (d.open()) {
      if (!active) {
        const next = queue.shift();
        if (!next) return;
        const count = chunkCount(next.ref.size);
        const from = await store.firstMissing(next.file);
        if (from >= count) {
          await finish(next.ref, next.file);
          continue;
        }
        active = { want: next, next: from, count };
        running.begin(next.file, from, next.ref.size);
      }
      const left = active.count - active.next;
      const room = d.window - inFlight;
      if (room < Math.min(refill, left)) return;
      const count = Math.min(room, left);
      const { ref, file, wall } = active.want;
      asked.push({ want: active.want, ref, file, next: active.next, end: active.next + count });
      inFlight += count;
      d.solicit(count);
      d.send({ type: 'fetch', wall, file: ref.sha256, from: active.next, count });
      active.next += count;
      if (active.next === active.count) active = null;
    }
  }

  /**
   * All chunks are held: the whole file must match its hash before it counts as held — the running hash of
   * the chunks as they came if this session fetched them all, else the file read back from storage.
   */
  async function finish(ref: MediaRef, file: string): Promise<void> {
    taken.delete(file);
    let digest = await running.take(file, chunkCount(ref.size));
    if (!digest) {
      const bytes = await store.assemble(file);
      if (!bytes) return;
      digest = await hash(bytes);
    }
    if (!bytesEqual(digest, ref.sha256)) {
      await store.discard(file);
      missing.add(file);
      return emit({ type: 'mediaDamaged', file });
    }
    await store.complete(file);
    emit({ type: 'mediaStored', file });
  }

  async function onChunk(m: Message<'chunk'>): Promise<void> {
    const head = asked[0];
    if (!head || !bytesEqual(head.ref.sha256, m.file) || m.index !== head.next) {
      return d.refuse('bad_message', `@${d.peer} sent a photo chunk that was not asked for.`);
    }
    const digest = early.get(m) ?? hash(m.data);
    if (!(await checkMediaChunk(head.ref, m.index, m.data, () => digest))) {
      return d.refuse('bad_message', `@${d.peer} sent chunk ${m.index} of photo ${head.file.slice(0, 12)} that does not match its hash.`);
    }
    head.next++;
    inFlight--;
    if (head.next === head.end) asked.shift();
    const count = chunkCount(head.ref.size);
    // The window has room: ask for more before this chunk's write can make the session wait, so the
    // friend reads and sends while this side stores. Stored behind (./syncMediaWrites.ts): the next chunk
    // is checked while this one is written.
    await advance();
    running.add(head.file, m.index, m.data);
    await writer.add(head.file, m.index, count, m.data);
    if (m.index === count - 1) {
      await writer.flush();
      if ((await store.firstMissing(head.file)) === count) await finish(head.ref, head.file);
      else taken.delete(head.file);
      await advance();
    }
  }

  async function onMissing(m: Message<'missing'>): Promise<void> {
    const head = asked.shift();
    if (!head || !bytesEqual(head.ref.sha256, m.file)) return d.refuse('bad_message', `@${d.peer} answered a photo request that was not made.`);
    inFlight -= head.end - head.next;
    if (!missing.has(head.file)) emit({ type: 'mediaMissing', file: head.file, reason: m.reason });
    missing.add(head.file);
    if (m.reason === 'not_held') lacked.set(head.file, head.want);
    taken.delete(head.file);
    running.drop(head.file);
    if (active?.want.file === head.file) active = null;
    await advance();
  }

  return {
    /** A chunk frame arrived (before the session's queue reaches it): its hash starts now. */
    arrived(m: Message<'chunk'>): void {
      if (inFlight > 0) early.set(m, hash(m.data));
    },
    /** After the handshake: fetch what is still wanted from files of walls the friend may hold. */
    async start(): Promise<void> {
      for (const w of await store.wanted()) {
        const use = w.uses.find((u) => mayHold(u.wall));
        if (use) want({ ref: w.ref, file: toHex(w.ref.sha256), wall: use.wall, thumbnail: w.uses.some((u) => u.thumbnail) });
      }
      await advance();
    },
    /**
     * The friend announced `wall`: it may hold files of it now that it lacked when asked (an owner
     * fetching a wall post's photos from their author), so those are asked for again, once per announce.
     */
    async retry(wall: string): Promise<void> {
      for (const [file, w] of lacked) {
        if (w.wall !== wall) continue;
        lacked.delete(file);
        missing.delete(file);
        want(w);
      }
      await advance();
    },
    /**
     * New entries were stored: keep what their photos and the newest profile's picture refer to, fetch it,
     * and free what deletes and replaced profiles released.
     */
    async stored(wall: string, added: readonly StoredEntry[], feed: readonly FeedChange[]): Promise<void> {
      const wantIfPartial = async (ref: MediaRef, thumbnail: boolean) => {
        if ((await store.completeSize(toHex(ref.sha256))) === null) want({ ref, file: toHex(ref.sha256), wall, thumbnail });
      };
      const decoded = (e: StoredEntry) => {
        const body = e.body ? decodeBody(e.header.kind, e.body) : null;
        return body?.ok ? body.value : null;
      };
      for (const e of added) {
        if (e.header.kind === 'profile') continue; // only the newest profile's picture is kept, below
        for (const { ref, thumbnail } of photoFiles(decoded(e))) {
          await store.addReference(ref, { wall, entry: e.id, thumbnail });
          await wantIfPartial(ref, thumbnail);
        }
      }
      const profile = added.findLast((e) => e.header.kind === 'profile');
      if (profile) {
        for (const { ref, thumbnail } of await keepProfilePicture({ store, replica: d.replica }, wall, profile, decoded(profile))) {
          await wantIfPartial(ref, thumbnail);
        }
      }
      for (const change of feed) {
        if (change.op !== 'remove') continue;
        const edits = (await d.replica.entriesTargeting(wall, change.id)).filter((t) => t.header.kind === 'edit').map((t) => t.id);
        await store.dropReferences(wall, [change.id, ...edits]);
      }
      await advance();
    },
    async receive(m: Message<'fetch' | 'chunk' | 'missing'>): Promise<void> {
      if (m.type === 'fetch') return serve.onFetch(m);
      if (m.type === 'chunk') return onChunk(m);
      return onMissing(m);
    },
    /** Requests and answers still under way. */
    get pending(): number {
      return queue.length + asked.length + serve.pending + writer.pending + (active ? 1 : 0);
    },
    clear(): void {
      queue.length = 0;
      asked.length = 0;
      lacked.clear();
      serve.clear();
      running.clear();
      active = null;
    },
  };
}

export type MediaRole = ReturnType<typeof createMediaRole>;
