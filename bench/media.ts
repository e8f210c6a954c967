/**
 * `npm run bench:media` — issue 12's benchmark: photos between two browsers.
 *
 * The e2e harness (tests/e2e/support) in its private network namespace: the real broker and two Chromiums with
 * the built extension, alice and bob, befriended through their popups and connected (both popups stay open).
 *
 * Four photos: alice picks four new 2048 × 1536 JPEGs in her composer (**Add photos**, **Describe this photo**)
 * and clicks **Post**, RUNS times with new photos each time. Timed from her click reaching the page until bob's
 * content database holds the post, its four thumbnails and its four full images complete (each whole file's
 * hash checked), split at the entry's `createdAt` (alice's peer host wrote it: the photos re-encoded, staged and
 * stored) and `receivedAt` (bob's verified it); bench/support/media-delivery.ts reads bob's database every 10 ms.
 *
 * 16 MiB: the largest file a post may refer to (`LIMITS.mediaBytes`). The composer re-encodes every photo to
 * 2048 px, which never comes near 16 MiB, so alice stages a real 16 MiB PNG (random pixels, stored
 * uncompressed) and a small thumbnail as the composer stages its files, and posts them through `host:post`
 * from her popup, as the composer does. Timed from bob's peer host verifying the post until the 16 MiB file is
 * complete in his database: the product path end to end — bob's fetches, alice reading each chunk from
 * IndexedDB and sending it as her data channel drains, bob checking and storing each chunk, then the whole
 * file's hash.
 *
 * Baseline, same run, same two browsers, beside each transfer: the raw data channel between the two offscreen
 * documents (bench/support/ping-channel.ts) moving the same bytes in 64 KiB messages, with the same
 * backpressure as the product's sender (send while at most `DRAIN_THRESHOLD_BYTES` are buffered, then wait
 * for `bufferedamountlow`), and as fast as the channel takes them (4 MiB buffered).
 *
 * Run with `npm run bench:media` (bench/vitest.media.config.ts), after `npm run build`.
 */
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { LIMITS } from '../core/limits';
import { DRAIN_THRESHOLD_BYTES } from '../platform/social/channel-drain';
import { ChromiumExtensionPage } from '../tests/e2e/support/chromium-page';
import { request } from '../tests/e2e/support/flows';
import { ensurePosts } from '../tests/e2e/support/places';
import { Scene } from '../tests/e2e/support/scene';
import type { TestUser } from '../tests/e2e/support/test-user';
import { sleep, waitFor } from '../tests/e2e/support/wait';
import { publish, type Row } from './report';
import { median } from './stats';
import { chromiumVersion, startConnectedPair } from './support/connected-pair';
import { cpuOf, sampleBrowserCpu, type CpuPart, type CpuSeconds } from './support/browser-cpu';
import { profileDuring } from './support/cpu-profile';
import { watchDelivery, type Delivery } from './support/media-delivery';
import { photoFiles, stageFile } from './support/media-photos';
import { noisePng } from './support/noise-png';
import { recordPostClicks } from './support/notify-probes';
import { closeBulkChannel, openBulkChannel, type BulkBuffer } from './support/ping-channel';

const RUNS = 3;
const PHOTOS = LIMITS.mediaPerPost;
const PHOTO_SIZE = { width: 2048, height: 1536 } as const;
const BIG_BYTES = LIMITS.mediaBytes;
const MESSAGE_BYTES = LIMITS.mediaChunkBytes;
/** The product's sender: it sends a chunk once at most DRAIN_THRESHOLD_BYTES wait (platform/social/channel-drain.ts). */
const PRODUCT_BUFFER: BulkBuffer = { high: DRAIN_THRESHOLD_BYTES + 1, low: DRAIN_THRESHOLD_BYTES };
const DELIVERY_TIMEOUT_MS = 60_000;
const TARGET_RAW_SHARE = 0.5;
/** `BENCH_MEDIA_PROFILE=1`: CPU-profile both peer hosts during the first 16 MiB transfer (bench/support/cpu-profile.ts). */
const PROFILE = process.env.BENCH_MEDIA_PROFILE === '1';

const load = (): number => Number(loadavg()[0]!.toFixed(2));
const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);
const latest = (files: Delivery['files'], thumbnail: boolean) => Math.max(...files.filter((f) => f.thumbnail === thumbnail).map((f) => f.completeAt!));

type PhotoRun = { clickAt: number; delivery: Delivery; bytes: number; sizes: number[]; raw: number };
type BigRun = { postedAt: number; delivery: Delivery; ms: number; raw: number; rawFast: number; cpu: CpuSeconds; rawCpu: CpuSeconds };

describe('photos between two browsers (issue 12, benchmark)', () => {
  const scene = new Scene('bench-media');
  let alice: TestUser;
  let bob: TestUser;
  let alicePopup: ChromiumExtensionPage;
  let bulk: Awaited<ReturnType<typeof openBulkChannel>>;

  beforeAll(async () => {
    let popups;
    ({ alice, bob, popups } = await startConnectedPair(scene));
    alicePopup = popups[0] as ChromiumExtensionPage;
    bulk = await openBulkChannel(alice, bob);
  }, 180_000);
  afterAll(async () => {
    await closeBulkChannel(alice, bob).catch(() => undefined);
    await scene.dispose();
  });

  it('times a post with four 2048 px photos and a 16 MiB file, each beside the raw data channel', async () => {
    scene.screenshotOnFailure();
    const loads: number[] = [load()];
    const p = alicePopup.page;
    await ensurePosts(alicePopup);
    const clicks = await recordPostClicks(alicePopup);

    // Four photos through the composer, RUNS times.
    const photoRuns: PhotoRun[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const files = await photoFiles(alicePopup, PHOTOS, PHOTO_SIZE.width, PHOTO_SIZE.height, run);
      const text = `Four photos from the walk, take ${run}.`;
      await p.getByLabel('Write on your wall', { exact: true }).fill(text);
      await p.getByLabel('Add photos', { exact: true }).setInputFiles(files);
      const alts = p.getByLabel('Describe this photo', { exact: true });
      for (let i = 0; i < PHOTOS; i++) await alts.nth(i).fill(`Photo ${i + 1} of the walk, take ${run}`);
      const watch = await watchDelivery(bob, 'alice', 2 * PHOTOS, DELIVERY_TIMEOUT_MS);
      await p.getByRole('button', { name: 'Post', exact: true }).click();
      const delivery = await watch.delivered();
      const clickAt = (await clicks()).at(-1)!;
      const bytes = delivery.files.reduce((n, f) => n + f.size, 0);
      const raw = await bulk(bytes, MESSAGE_BYTES, false, PRODUCT_BUFFER);
      photoRuns.push({ clickAt, delivery, bytes, sizes: files.map((f) => f.buffer.length), raw });
      console.log(`four photos, run ${run}: ${latest(delivery.files, false) - clickAt} ms from the click, ${(bytes / 1e6).toFixed(2)} MB; raw ${raw.toFixed(0)} ms`);
      await waitFor(async () => ((await p.getByLabel('Write on your wall', { exact: true }).inputValue()) === '' ? true : undefined), {
        timeoutMs: 10_000,
        describe: () => `alice's composer did not empty after posting "${text}"`,
      });
      await sleep(1_000);
    }
    loads.push(load());

    // 16 MiB through host:post, RUNS times, each beside the raw channel.
    const bigRuns: BigRun[] = [];
    // Both browsers' CPU time, every process of each (bench/support/browser-cpu.ts): what each transfer costs them.
    const cpu = sampleBrowserCpu([alice.profileDir, bob.profileDir]); // alice's first
    onTestFinished(() => cpu.stop());
    for (let run = 1; run <= RUNS; run++) {
      const full = await stageFile(alicePopup, noisePng(PHOTO_SIZE.width, BIG_BYTES), 'image/png');
      const thumbnail = await stageFile(alicePopup, noisePng(64, 16 * 1024), 'image/png');
      const watch = await watchDelivery(bob, 'alice', 2, DELIVERY_TIMEOUT_MS);
      const postedAt = Date.now();
      await request(alicePopup, 'host:post', { text: `A 16 MiB picture, take ${run}.`, photos: [{ full, thumbnail, alt: `Random pixels, take ${run}` }] });
      const delivery = PROFILE && run === 1 ? await profileDuring([alice, bob], scene.artifactsDir, '16MiB', watch.delivered) : await watch.delivered();
      const big = delivery.files.find((f) => !f.thumbnail);
      expect(big?.name, 'the 16 MiB file bob holds is the one alice staged').toBe(full);
      const ms = big!.completeAt! - delivery.receivedAt;
      const raw = await bulk(BIG_BYTES, MESSAGE_BYTES, false, PRODUCT_BUFFER);
      const rawEnd = Date.now();
      const rawFast = await bulk(BIG_BYTES, MESSAGE_BYTES);
      const used = { cpu: cpu.between(delivery.receivedAt, big!.completeAt!), rawCpu: cpu.between(rawEnd - raw, rawEnd) };
      bigRuns.push({ postedAt, delivery, ms, raw, rawFast, ...used });
      console.log(
        `16 MiB, run ${run}: ${ms} ms (${mbps(BIG_BYTES, ms).toFixed(1)} MB/s, ${cpuOf(used.cpu).toFixed(2)} CPU-s); raw ${raw.toFixed(0)} ms (${cpuOf(used.rawCpu).toFixed(2)} CPU-s), as fast as it takes ${rawFast.toFixed(0)} ms`,
      );
      await sleep(1_000);
    }
    loads.push(load());

    const m = (values: number[]) => median(values);
    const photo = {
      total: m(photoRuns.map((r) => latest(r.delivery.files, false) - r.clickAt)),
      written: m(photoRuns.map((r) => r.delivery.createdAt - r.clickAt)),
      received: m(photoRuns.map((r) => r.delivery.receivedAt - r.delivery.createdAt)),
      thumbnails: m(photoRuns.map((r) => latest(r.delivery.files, true) - r.delivery.receivedAt)),
      fulls: m(photoRuns.map((r) => latest(r.delivery.files, false) - latest(r.delivery.files, true))),
      delivery: m(photoRuns.map((r) => latest(r.delivery.files, false) - r.delivery.createdAt)),
      raw: m(photoRuns.map((r) => r.raw)),
      bytes: m(photoRuns.map((r) => r.bytes)),
    };
    const big = {
      ms: m(bigRuns.map((r) => r.ms)),
      raw: m(bigRuns.map((r) => r.raw)),
      rawFast: m(bigRuns.map((r) => r.rawFast)),
      firstChunk: m(bigRuns.map((r) => r.delivery.files.find((f) => !f.thumbnail)!.firstChunkAt! - r.delivery.receivedAt)),
      lastStep: m(bigRuns.map((r) => { const f = r.delivery.files.find((f) => !f.thumbnail)!; return f.completeAt! - f.allChunksAt!; })),
      posted: m(bigRuns.map((r) => r.delivery.receivedAt - r.postedAt)),
      cpu: m(bigRuns.map((r) => cpuOf(r.cpu))),
      rawCpu: m(bigRuns.map((r) => cpuOf(r.rawCpu))),
      part: (part: CpuPart, raw: boolean, only?: number) => m(bigRuns.map((r) => cpuOf(raw ? r.rawCpu : r.cpu, part, only))),
    };
    const share = mbps(BIG_BYTES, big.ms) / mbps(BIG_BYTES, big.raw);
    const rows: Row[] = [
      { figure: `four ${PHOTO_SIZE.width} px photos: alice's click → bob holds the post, 4 thumbnails and 4 full images, median (vs raw channel, same bytes)`, unit: 'ms', ours: photo.total, baseline: photo.raw, digits: 0 },
      { figure: '  click → the post written in alice’s peer host (4 photos re-encoded and staged, the entry signed and stored)', unit: 'ms', ours: photo.written, baseline: null, digits: 0 },
      { figure: '  written → verified in bob’s peer host', unit: 'ms', ours: photo.received, baseline: null, digits: 0 },
      { figure: '  verified → the 4 thumbnails complete', unit: 'ms', ours: photo.thumbnails, baseline: null, digits: 0 },
      { figure: '  → the 4 full images complete', unit: 'ms', ours: photo.fulls, baseline: null, digits: 0 },
      { figure: '  delivery: written in alice’s peer host → all 8 files complete in bob’s (vs raw channel, same bytes)', unit: 'ms', ours: photo.delivery, baseline: photo.raw, digits: 0 },
      { figure: '16 MiB file: bob verified the post → the file complete, median (vs raw channel, same backpressure)', unit: 'ms', ours: big.ms, baseline: big.raw, digits: 0 },
      { figure: '16 MiB throughput (vs raw channel, same backpressure)', unit: 'MB/s', ours: mbps(BIG_BYTES, big.ms), baseline: mbps(BIG_BYTES, big.raw), digits: 1 },
      { figure: '  (vs raw channel as fast as it takes, 4 MiB buffered)', unit: 'MB/s', ours: mbps(BIG_BYTES, big.ms), baseline: mbps(BIG_BYTES, big.rawFast), digits: 1 },
      { figure: '  CPU time of both browsers, all their processes, during the transfer (vs raw channel, same backpressure)', unit: 'CPU-s', ours: big.cpu, baseline: big.rawCpu, digits: 2 },
      { figure: '    of which alice’s browser process (IndexedDB, IPC)', unit: 'CPU-s', ours: big.part('browser', false, 0), baseline: big.part('browser', true, 0), digits: 2 },
      { figure: '    bob’s browser process', unit: 'CPU-s', ours: big.part('browser', false, 1), baseline: big.part('browser', true, 1), digits: 2 },
      { figure: '    alice’s renderer (her peer host; the channel’s WebRTC threads)', unit: 'CPU-s', ours: big.part('renderer', false, 0), baseline: big.part('renderer', true, 0), digits: 2 },
      { figure: '    bob’s renderer', unit: 'CPU-s', ours: big.part('renderer', false, 1), baseline: big.part('renderer', true, 1), digits: 2 },
      { figure: '    their network services (the UDP sockets)', unit: 'CPU-s', ours: big.part('network', false), baseline: big.part('network', true), digits: 2 },
      { figure: '  bob verified the post → first chunk of the 16 MiB file held', unit: 'ms', ours: big.firstChunk, baseline: null, digits: 0 },
      { figure: '  every chunk of it held → the file complete (its whole hash checked)', unit: 'ms', ours: big.lastStep, baseline: null, digits: 0 },
      { figure: '  alice’s host:post → verified in bob’s peer host (16 MiB staged, hashed and stored first)', unit: 'ms', ours: big.posted, baseline: null, digits: 0 },
    ];
    const sizes = photoRuns.flatMap((r) => r.sizes);
    publish({
      name: 'media',
      title: `Photos between two Chromiums on the test network: a post with ${PHOTOS} ${PHOTO_SIZE.width} px photos and a 16 MiB file, median of ${RUNS} (issue 12)`,
      rows,
      targets: [
        {
          target: `16 MiB throughput ≥ ${TARGET_RAW_SHARE * 100} % of the raw data channel with the same backpressure`,
          met: share >= TARGET_RAW_SHARE,
          detail: `${(share * 100).toFixed(0)} % (${mbps(BIG_BYTES, big.ms).toFixed(1)} vs ${mbps(BIG_BYTES, big.raw).toFixed(1)} MB/s); ${((mbps(BIG_BYTES, big.ms) / mbps(BIG_BYTES, big.rawFast)) * 100).toFixed(0)} % of the channel as fast as it takes`,
        },
      ],
      notes: [
        `Photos picked: JPEGs of ${PHOTO_SIZE.width} × ${PHOTO_SIZE.height} drawn in the page, ${(Math.min(...sizes) / 1e6).toFixed(2)}–${(Math.max(...sizes) / 1e6).toFixed(2)} MB; posted (re-encoded, 8 files with thumbnails): ${photoRuns.map((r) => `${(r.bytes / 1e6).toFixed(2)} MB`).join(', ')}.`,
        `Runs in ms — four photos, click → all complete: ${photoRuns.map((r) => latest(r.delivery.files, false) - r.clickAt).join(', ')} (raw ${photoRuns.map((r) => r.raw.toFixed(0)).join(', ')}); 16 MiB: ${bigRuns.map((r) => r.ms).join(', ')} (raw, same backpressure ${bigRuns.map((r) => r.raw.toFixed(0)).join(', ')}; as fast as it takes ${bigRuns.map((r) => r.rawFast.toFixed(0)).join(', ')}).`,
        `The 16 MiB file is a ${PHOTO_SIZE.width} px wide PNG of random pixels stored uncompressed (exactly ${BIG_BYTES} bytes, ${BIG_BYTES / LIMITS.mediaChunkBytes} chunks), staged and posted through host:post as the composer does; the composer's re-encoder never writes a file that large. Bob's times come from his content database, read every 10 ms.`,
        `CPU time: every process of both Chromiums read from /proc every 250 ms (bench/support/browser-cpu.ts), interpolated over each transfer's window: bob verified the post → the file complete; the raw channel's own timing, ending when the harness heard of its end. The transfers are bound by CPU on this 2-core machine, so CPU-seconds move less from run to run than durations.`,
        `One-minute load average ${loads.join(' → ')}.`,
      ],
      parameters: { runs: RUNS, photos: PHOTOS, photoSize: PHOTO_SIZE, bigBytes: BIG_BYTES, messageBytes: MESSAGE_BYTES, productBuffer: PRODUCT_BUFFER },
      browsers: { chromium: chromiumVersion() },
      details: { photoRuns, bigRuns },
    });
    expect(photoRuns.every((r) => r.delivery.files.filter((f) => f.thumbnail).length === PHOTOS)).toBe(true);
  });
});
