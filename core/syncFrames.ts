import { encodeWith } from './bytes';
import { writeSignedEntry } from './entry';
import { LIMITS } from './limits';
import { encodeBatchFrame, encodeCarryFrame, encodeSubmitFrame } from './messages';
import type { OutboxItem, StoredEntry } from './replica';
import { writeSealedEntry } from './seal';

/** Room left in a frame for the message's own fields (tag, wall, counts). */
const FRAME_BUDGET = LIMITS.frameBytes - 1024;

/**
 * The `batch` answering a `want`: the leading entries that fit one frame (at least one), each
 * encoded once. `lastSeq` is the highest sequence number sent, or null for an empty batch.
 */
export function packBatch(wall: string, headSeq: number, candidates: readonly StoredEntry[]): { frame: Uint8Array; lastSeq: number | null } {
  const batch = batchPacker();
  for (const entry of candidates) if (!batch.add(entry)) break;
  return batch.finish(wall, headSeq);
}

/**
 * Entries read from storage at a time while filling a batch: the first read is small (a few large entries
 * fill a frame, and a read of 64 of them would hold megabytes), later ones double up to this.
 */
export const BATCH_READ_CHUNK = LIMITS.batchEntries;
const FIRST_READ = 8;

/**
 * The `batch` answering a `want` for up to `max` entries after `afterSeq`, read a chunk at a time (so a
 * large `max` never holds more than one chunk beyond the frame) until the frame is full.
 */
export async function readBatch(
  read: (afterSeq: number, max: number) => Promise<readonly StoredEntry[]>,
  wall: string,
  headSeq: number,
  afterSeq: number,
  max: number,
): Promise<{ frame: Uint8Array; lastSeq: number | null }> {
  const batch = batchPacker();
  let after = afterSeq;
  let chunk = FIRST_READ;
  while (batch.count < max) {
    const asked = Math.min(chunk, max - batch.count);
    chunk = Math.min(2 * chunk, BATCH_READ_CHUNK);
    const entries = await read(after, asked);
    let full = false;
    for (const entry of entries) {
      if (!batch.add(entry)) {
        full = true;
        break;
      }
    }
    if (full || entries.length < asked) break;
    after = entries[entries.length - 1]!.seq;
  }
  return batch.finish(wall, headSeq);
}

function batchPacker() {
  const encoded: Uint8Array[] = [];
  let size = 64;
  let lastSeq: number | null = null;
  return {
    get count(): number {
      return encoded.length;
    },
    /** Takes the entry if it fits (the first always does); false once the frame is full. */
    add(entry: StoredEntry): boolean {
      const bytes = encodeWith(writeSealedEntry, entry);
      if (encoded.length > 0 && size + bytes.length > FRAME_BUDGET) return false;
      size += bytes.length;
      encoded.push(bytes);
      lastSeq = entry.seq;
      return true;
    },
    finish: (wall: string, headSeq: number) => ({ frame: encodeBatchFrame(wall, headSeq, encoded), lastSeq }),
  };
}

/** Outbox items as `submit` frames of at most `LIMITS.submitEntries` entries that fit a frame, each entry encoded once. */
export function packSubmits(items: readonly Pick<OutboxItem, 'entry'>[]): Uint8Array[] {
  return packEntries(items, encodeSubmitFrame);
}

/** Submissions handed to a friend who carries them to `wall`'s owner, as `carry` frames. */
export function packCarry(wall: string, items: readonly Pick<OutboxItem, 'entry'>[]): Uint8Array[] {
  return packEntries(items, (entries) => encodeCarryFrame(wall, entries));
}

function packEntries(items: readonly Pick<OutboxItem, 'entry'>[], toFrame: (entries: Uint8Array[]) => Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  let size = 64;
  const flush = (): void => {
    if (batch.length) frames.push(toFrame(batch));
    batch = [];
    size = 64;
  };
  for (const item of items) {
    const bytes = encodeWith(writeSignedEntry, item.entry);
    if (batch.length >= LIMITS.submitEntries || (batch.length > 0 && size + bytes.length > FRAME_BUDGET)) flush();
    batch.push(bytes);
    size += bytes.length;
  }
  flush();
  return frames;
}
