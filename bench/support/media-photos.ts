/**
 * What bench/media.ts hands alice's popup: photo-like JPEGs made in the page (so every run posts new files,
 * which the content-addressed store has never seen), and files staged as the composer stages its re-encoded
 * photos (platform/staged-photos.ts), for a post sent through `host:post` like the composer's.
 */
import { createHash } from 'node:crypto';
import type { StagedFileV1 } from '../../platform/staged-photos';
import type { ChromiumExtensionPage } from '../../tests/e2e/support/chromium-page';

/** A file as Playwright's `setInputFiles` takes it. */
export type PickedFile = { name: string; mimeType: string; buffer: Buffer };

/**
 * `count` photo-like JPEGs of `width` × `height` (quality 0.92) drawn in `page`: a sky-to-ground gradient,
 * a few hundred soft shapes and film grain, so they compress about as a camera photo does. `seed` makes
 * each run's files its own.
 */
export async function photoFiles(page: ChromiumExtensionPage, count: number, width: number, height: number, seed: number): Promise<PickedFile[]> {
  const encoded = await page.page.evaluate(
    async ({ count, width, height, seed }) => {
      let state = seed >>> 0;
      const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      const files: string[] = [];
      for (let n = 0; n < count; n++) {
        const canvas = new OffscreenCanvas(width, height);
        const context = canvas.getContext('2d')!;
        const sky = context.createLinearGradient(0, 0, 0, height);
        sky.addColorStop(0, `hsl(${rand() * 360}, 60%, 72%)`);
        sky.addColorStop(1, `hsl(${rand() * 360}, 40%, 28%)`);
        context.fillStyle = sky;
        context.fillRect(0, 0, width, height);
        for (let i = 0; i < 300; i++) {
          context.fillStyle = `hsla(${rand() * 360}, ${rand() * 80}%, ${rand() * 100}%, 0.45)`;
          context.beginPath();
          context.ellipse(rand() * width, rand() * height, 10 + rand() * 220, 10 + rand() * 220, rand() * Math.PI, 0, 2 * Math.PI);
          context.fill();
        }
        const image = context.getImageData(0, 0, width, height);
        const data = image.data;
        for (let i = 0; i < data.length; i += 4) {
          const grain = (rand() - 0.5) * 24;
          data[i]! += grain;
          data[i + 1]! += grain;
          data[i + 2]! += grain;
        }
        context.putImageData(image, 0, 0);
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
        const url = await new Promise<string>((resolve) => {
          const reader = new FileReader();
          reader.onload = () => resolve(reader.result as string);
          reader.readAsDataURL(blob);
        });
        files.push(url.slice(url.indexOf(',') + 1));
      }
      return files;
    },
    { count, width, height, seed },
  );
  return encoded.map((base64, n) => ({ name: `photo-${seed}-${n + 1}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') }));
}

/** The staged-photos database of platform/staged-photos.ts, as the composer opens it. */
const STAGED_DB = { name: 'peerwall-staged-photos', version: 1, store: 'staged' } as const;
/** Bytes handed to the page per `evaluate`: a 16 MiB file goes in a few pieces. */
const PIECE_BYTES = 4 * 1024 * 1024;

/**
 * Stages `bytes` in `page`'s staged-photos database exactly as the composer's `stagePhotoFile` does, and
 * resolves with its name (the hex of its SHA-256), which `host:post` names it by.
 */
export async function stageFile(page: ChromiumExtensionPage, bytes: Buffer, type: string): Promise<string> {
  const name = createHash('sha256').update(bytes).digest('hex');
  await page.page.evaluate((size) => {
    (globalThis as unknown as { __benchStaging: Uint8Array }).__benchStaging = new Uint8Array(size);
  }, bytes.length);
  for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
    const piece = bytes.subarray(at, at + PIECE_BYTES).toString('base64');
    await page.page.evaluate(
      ({ at, piece }) => {
        const binary = atob(piece);
        const target = (globalThis as unknown as { __benchStaging: Uint8Array }).__benchStaging;
        for (let i = 0; i < binary.length; i++) target[at + i] = binary.charCodeAt(i);
      },
      { at, piece },
    );
  }
  await page.page.evaluate(
    async ({ db: { name: dbName, version, store }, name, type }) => {
      const scope = globalThis as unknown as { __benchStaging?: Uint8Array };
      const record: StagedFileV1 = { name, bytes: scope.__benchStaging!, type, stagedAt: Date.now() };
      delete scope.__benchStaging;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(dbName, version);
        open.onupgradeneeded = () => open.result.createObjectStore(store, { keyPath: 'name' }).createIndex('byAge', 'stagedAt');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(store, 'readwrite');
        tx.objectStore(store).put(record);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { db: STAGED_DB, name, type },
  );
  return name;
}
