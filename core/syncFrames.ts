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
  const encoded: Uint8Array[] = [];
  let size = 64;
  let lastSeq: number | null = null;
  for (const entry of candidates) {
    const bytes = encodeWith(writeSealedEntry, entry);
    size += bytes.length;
    if (encoded.length > 0 && size > FRAME_BUDGET) break;
    encoded.push(bytes);
    lastSeq = entry.seq;
  }
  return { frame: encodeBatchFrame(wall, headSeq, encoded), lastSeq };
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
