// Bundled into the test page (tests/browser/content-upgrade.test.ts): the page's side of each case.
import type { IDBPDatabase } from 'idb';
import { toHex } from '@/core/bytes';
import { LIMITS } from '@/core/limits';
import { mediaRefFor } from '@/core/media';
import { openContentDb, type ContentSchemaV6 } from '@/platform/content-db';
import { readMediaFile } from '@/platform/read-media-file';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';

const CHUNK = LIMITS.mediaChunkBytes;
const hex = async (bytes: Uint8Array | ArrayBuffer) => toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));

/** Bytes that differ from file to file and from chunk to chunk. */
function fileBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return bytes;
}

/**
 * Writes files of these sizes into a version 6 database as version 6 kept them (one record per 64 KiB chunk),
 * the last file partial (its first chunk only), opens the database at the current version, and reports what
 * the version 7 store holds and reads back.
 */
async function upgradeFromV6(sizes: number[]) {
  const name = `upgrade-${Math.random()}`;
  const v6 = (await openContentDb(name, 6)) as unknown as IDBPDatabase<ContentSchemaV6>;
  const files = [];
  for (const [i, size] of sizes.entries()) {
    const bytes = fileBytes(size, i + 1);
    const made = mediaRefFor(bytes, 'image/png');
    if (!made.ok) throw new Error(made.reason);
    const partial = i === sizes.length - 1;
    const file = toHex(made.value.sha256);
    await v6.put('mediaFiles', { name: file, ref: made.value, status: partial ? 'partial' : 'complete' });
    const tx = v6.transaction('mediaChunks', 'readwrite');
    for (let index = 0; index * CHUNK < size && !(partial && index > 0); index++) void tx.store.put({ name: file, index, bytes: bytes.slice(index * CHUNK, (index + 1) * CHUNK) });
    await tx.done;
    files.push({ file, size, partial, sha256: await hex(bytes) });
  }
  v6.close();

  const db = await openContentDb(name);
  const store = createIdbMediaStore(db);
  const parts = await db.getAll('mediaChunks');
  const out = {
    version: db.version,
    stores: [...db.objectStoreNames].sort(),
    keyPath: db.transaction('mediaChunks').store.keyPath,
    parts: parts.length,
    largestPart: Math.max(...parts.map((p) => p.bytes.length)),
    files: [] as { sha256: string; partial: boolean; assembled: string | null; shown: string | null; firstMissing: number; chunks: number }[],
  };
  for (const f of files) {
    const assembled = await store.assemble(f.file);
    const shown = await readMediaFile(db, f.file);
    out.files.push({
      sha256: f.sha256,
      partial: f.partial,
      assembled: assembled && (await hex(assembled)),
      shown: shown && (await hex(await shown.arrayBuffer())),
      firstMissing: await store.firstMissing(f.file),
      chunks: Math.ceil(f.size / CHUNK),
    });
  }
  db.close();
  indexedDB.deleteDatabase(name);
  return out;
}

(window as unknown as { testPage: object }).testPage = { upgradeFromV6 };
