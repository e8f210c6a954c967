import { describe, expect, it } from 'vitest';
import { createMemoryMediaStore, type MediaStore } from '../../core/mediaStore';
import { createChunkWriter } from '../../core/syncMediaWrites';

/** Half a version-4 fetch window, as a session of that version passes. */
const BEHIND = 8;

/** A store whose `putChunks` calls are recorded and finish only when the test lets them. */
function gatedStore() {
  const inner = createMemoryMediaStore();
  const calls: Array<{ from: number; count: number }> = [];
  const gates: Array<() => void> = [];
  const store: MediaStore = {
    ...inner,
    async putChunks(file, from, chunks) {
      calls.push({ from, count: chunks.length });
      await new Promise<void>((resolve) => gates.push(resolve));
      return inner.putChunks(file, from, chunks);
    },
  };
  const openGate = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { store, calls, openGate };
}

const chunk = (i: number) => new Uint8Array(8).fill(i);

describe('the puller’s chunk writer (core/syncMediaWrites.ts)', () => {
  it('writes the chunks checked during a slow write in one call, in order, and reports what is held', async () => {
    const { store, calls, openGate } = gatedStore();
    const held: number[] = [];
    const writer = createChunkWriter({ store, behind: BEHIND, failed: (e) => { throw e; }, stored: (_file, n) => held.push(n) });

    for (let i = 0; i < 4; i++) await writer.add('f', i, 10, chunk(i));
    expect(calls).toEqual([{ from: 0, count: 1 }]);
    expect(writer.pending).toBe(4);

    await openGate();
    expect(calls).toEqual([{ from: 0, count: 1 }, { from: 1, count: 3 }]);
    await openGate();
    await writer.flush();
    expect(held).toEqual([1, 4]);
    expect(writer.pending).toBe(0);
  });

  it(`makes the chunk past ${BEHIND} unwritten ones wait for the store`, async () => {
    const { store, openGate } = gatedStore();
    const writer = createChunkWriter({ store, behind: BEHIND, failed: (e) => { throw e; }, stored: () => undefined });
    for (let i = 0; i < BEHIND; i++) await writer.add('f', i, 20, chunk(i));

    let returned = false;
    const last = writer.add('f', BEHIND, 20, chunk(BEHIND)).then(() => (returned = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(returned).toBe(false);
    await openGate();
    await openGate();
    await last;
    expect(writer.pending).toBe(0);
  });

  it('hands a failed write to `failed` and keeps nothing queued', async () => {
    const failures: unknown[] = [];
    const store: MediaStore = { ...createMemoryMediaStore(), putChunks: () => Promise.reject(new Error('disk full')) };
    const writer = createChunkWriter({ store, behind: BEHIND, failed: (e) => failures.push(e), stored: () => undefined });
    await writer.add('f', 0, 2, chunk(0));
    await writer.flush();
    expect(failures).toEqual([new Error('disk full')]);
    expect(writer.pending).toBe(0);
  });
});
