/**
 * Watches, from inside a reader's peer host, a post with photos arrive: when the entry was written by its
 * author and verified here (its own `header.createdAt` and `receivedAt`), and when each file it refers to
 * got its first chunk, held all its chunks, and became complete (the whole-file hash checked). It reads the content database the
 * way bench/support/connected-pair.ts does, every POLL_MS, and touches no Peerwall code; every time is a
 * `Date.now()` of this one machine, so it compares with the harness's and the other browser's.
 */
import { evaluateInOffscreen } from '../../tests/e2e/support/social';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { waitFor } from '../../tests/e2e/support/wait';
import { LIMITS } from '../../core/limits';

const CHUNK_BYTES = LIMITS.mediaChunkBytes;

/** How often the watcher reads the database: each read is one small read-only transaction. */
const POLL_MS = 10;

export interface DeliveredFile {
  name: string;
  thumbnail: boolean;
  size: number;
  /** When the watcher first saw a chunk of it held, every chunk held, and the file complete. */
  firstChunkAt: number | null;
  allChunksAt: number | null;
  completeAt: number | null;
}

export interface Delivery {
  entry: string;
  createdAt: number;
  receivedAt: number;
  files: DeliveredFile[];
}

type Watch = { done: Delivery | null; error: string | null };

/**
 * Starts watching `reader`'s content database for the next entry of `wall` that refers to `files` files;
 * `delivered()` resolves once all of them are complete (or throws after `timeoutMs`).
 */
export async function watchDelivery(reader: TestUser, wall: string, files: number, timeoutMs: number): Promise<{ delivered(): Promise<Delivery> }> {
  await evaluateInOffscreen(
    reader,
    `(() => {
      const watch = { done: null, error: null };
      globalThis.__benchDelivery = watch;
      const wall = ${JSON.stringify(wall)};
      const want = ${files};
      const asked = (request) => new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const under = (...prefix) => IDBKeyRange.bound(prefix, [...prefix, []]);
      (async () => {
        const db = await asked(indexedDB.open(${JSON.stringify(`peerwall-${reader.name}`)}));
        const before = await asked(db.transaction('entries').objectStore('entries').getAllKeys(under(wall)));
        const fromSeq = before.reduce((max, key) => Math.max(max, key[1]), -1) + 1;
        const entries = new Map();
        const deadline = Date.now() + ${timeoutMs};
        while (!watch.done && Date.now() < deadline) {
          const tx = db.transaction(['entries', 'mediaUses', 'mediaFiles', 'mediaChunks']);
          const now = Date.now();
          for (const e of await asked(tx.objectStore('entries').getAll(IDBKeyRange.bound([wall, fromSeq], [wall, Infinity])))) {
            if (!entries.has(e.id)) entries.set(e.id, { entry: e.id, createdAt: e.header.createdAt, receivedAt: e.receivedAt, files: new Map() });
          }
          for (const seen of entries.values()) {
            for (const use of await asked(tx.objectStore('mediaUses').getAll(under(wall, seen.entry)))) {
              if (!seen.files.has(use.name)) seen.files.set(use.name, { name: use.name, thumbnail: use.thumbnail === 1, size: 0, firstChunkAt: null, allChunksAt: null, completeAt: null });
            }
            for (const file of seen.files.values()) {
              if (file.completeAt !== null) continue;
              const held = await asked(tx.objectStore('mediaFiles').get(file.name));
              if (held) file.size = held.ref.size;
              const chunks = file.allChunksAt === null ? await asked(tx.objectStore('mediaChunks').count(under(file.name))) : 0;
              if (file.firstChunkAt === null && chunks > 0) file.firstChunkAt = now;
              if (held && chunks === Math.ceil(held.ref.size / ${CHUNK_BYTES})) file.allChunksAt = now;
              if (held?.status === 'complete') {
                file.completeAt = now;
                file.firstChunkAt ??= now;
                file.allChunksAt ??= now;
              }
            }
            const files = [...seen.files.values()];
            if (files.length === want && files.every((f) => f.completeAt !== null)) watch.done = { ...seen, files };
          }
          await new Promise((resolve) => setTimeout(resolve, ${POLL_MS}));
        }
        db.close();
        if (!watch.done) watch.error = 'no entry of ' + wall + ' with ' + want + ' complete files within ${timeoutMs} ms; saw ' + JSON.stringify([...entries.values()].map((e) => ({ ...e, files: [...e.files.values()] })));
      })().catch((error) => { watch.error = String(error); });
      return true;
    })()`,
  );
  return {
    delivered: () =>
      waitFor(
        async () => {
          const watch = await evaluateInOffscreen<Watch>(reader, 'globalThis.__benchDelivery');
          if (watch.error) throw new Error(`${reader.name}'s delivery watcher: ${watch.error}`);
          return watch.done ?? undefined;
        },
        { timeoutMs: timeoutMs + 5_000, intervalMs: 200, describe: () => `${reader.name} did not hold a post of ${wall}'s with ${files} complete files` },
      ),
  };
}
