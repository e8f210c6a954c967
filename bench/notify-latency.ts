/**
 * `npm run bench:notify` — issue 11, benchmark 3: alice posts, bob (online, popup closed) is notified.
 *
 * The e2e harness (tests/e2e/support) in its private network namespace: the real broker, two Chromiums with the
 * built extension, alice and bob befriended through their popups and connected. alice then writes
 * BENCH_NOTIFY_POSTS posts (default 50, after 3 not counted) through her popup's composer, one at a time,
 * 300 ms after the previous one's notification. For each post:
 * - start: the click on **Post** reaching alice's popup (`Date.now()` in a capture listener the harness adds);
 * - end: bob's background calling `notifications.create` — the notification's id ends with the `Date.now()`
 *   taken just before that call (platform/background/notifier.ts), so nothing in Peerwall is instrumented;
 * - split by the entry's `createdAt` (alice's peer host writes it) and `receivedAt` (bob's peer host, once
 *   verified, before storing), read from bob's IndexedDB afterwards.
 * All of these are `Date.now()` of processes on this one machine, so they compare (to the millisecond).
 *
 * Baseline, same run, same two browsers: half the round trip of 512 bytes over a data channel of its own
 * between the two offscreen documents (bench/support/ping-channel.ts), one ping after each post — the network
 * floor of any delivery, without signing, verifying, storing or extension messaging. Also shown: how long
 * `notifications.create` itself takes in bob's worker, which the figure leaves out.
 *
 * Playwright stays attached to bob's browser, which keeps his service worker awake: the figure has no worker
 * wake-up in it. Run with `npm run bench:notify` (bench/vitest.notify.config.ts), after `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumExtensionPage } from '../tests/e2e/support/chromium-page';
import type { ExtensionPage } from '../tests/e2e/support/extension-page';
import { Scene } from '../tests/e2e/support/scene';
import { writePost } from '../tests/e2e/support/social';
import type { TestUser } from '../tests/e2e/support/test-user';
import { sleep } from '../tests/e2e/support/wait';
import { publish } from './report';
import { median, percentile } from './stats';
import { chromiumVersion, startConnectedPair } from './support/connected-pair';
import { entryTimes, nextPostNotification, notificationCreateTimes, recordPostClicks } from './support/notify-probes';
import { closePingChannel, openPingChannel, PING_BYTES } from './support/ping-channel';

const POSTS = Number(process.env.BENCH_NOTIFY_POSTS ?? 50);
const WARMUP_POSTS = 3;
const GAP_MS = 300;
const NOTIFY_TIMEOUT_MS = 15_000;
const CREATE_PROBES = 10;
const TARGET_MEDIAN_MS = 300;

interface Sample {
  post: number;
  postId: string | null;
  clickAt: number;
  notifiedAt: number | null;
  createdAt: number | null;
  receivedAt: number | null;
  pingMs: number;
}

describe('post → notification (issue 11, benchmark 3)', () => {
  const scene = new Scene('bench-notify');
  let alice: TestUser;
  let bob: TestUser;
  let alicePopup: ChromiumExtensionPage;

  beforeAll(async () => {
    if (!Number.isInteger(POSTS) || POSTS < 1) throw new Error('BENCH_NOTIFY_POSTS must be a positive integer.');
    let popups: [ExtensionPage, ExtensionPage];
    ({ alice, bob, popups } = await startConnectedPair(scene));
    // bob is online with no Peerwall page open, as when a notification matters.
    await popups[1].close();
    alicePopup = popups[0] as ChromiumExtensionPage;
  });
  afterAll(async () => {
    await closePingChannel(alice, bob).catch(() => undefined);
    await scene.dispose();
  });

  it(`times ${POSTS} posts from alice's click to bob's notification`, async () => {
    scene.screenshotOnFailure();
    const ping = await openPingChannel(alice, bob);
    const clicks = await recordPostClicks(alicePopup);
    const samples: Sample[] = [];
    for (let post = -WARMUP_POSTS; post < POSTS; post++) {
      await writePost(alicePopup, `Benchmark post ${post} of ${POSTS}: ${'words and more words '.repeat(8)}`);
      const notification = await nextPostNotification(bob, 'alice', NOTIFY_TIMEOUT_MS);
      const clicked = await clicks();
      if (clicked.length !== post + WARMUP_POSTS + 1) throw new Error(`${clicked.length} clicks on Post recorded after ${post + WARMUP_POSTS + 1} posts`);
      const pingMs = await ping();
      if (post >= 0) {
        samples.push({ post, postId: notification?.postId ?? null, clickAt: clicked.at(-1)!, notifiedAt: notification?.at ?? null, createdAt: null, receivedAt: null, pingMs });
      }
      await sleep(GAP_MS);
    }
    const createMs = await notificationCreateTimes(bob, CREATE_PROBES);
    const times = await entryTimes(bob, 'alice');
    for (const sample of samples) {
      const entry = sample.postId ? times.get(sample.postId) : undefined;
      sample.createdAt = entry?.createdAt ?? null;
      sample.receivedAt = entry?.receivedAt ?? null;
    }

    const delivered = samples.filter((s): s is Sample & { notifiedAt: number; createdAt: number; receivedAt: number } =>
      // A notification of an earlier post (one that timed out) has an entry written before this click.
      s.notifiedAt !== null && s.createdAt !== null && s.receivedAt !== null && s.createdAt >= s.clickAt,
    );
    const missed = samples.length - delivered.length;
    const total = delivered.map((s) => s.notifiedAt - s.clickAt);
    const oneWay = samples.map((s) => s.pingMs / 2);
    const rtt = samples.map((s) => s.pingMs);
    const segment = (f: (s: (typeof delivered)[number]) => number) => median(delivered.map(f));
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    publish({
      name: 'notify',
      title: `Post → notification over ${POSTS} posts, alice → bob, two Chromiums on the test network (issue 11, benchmark 3)`,
      rows: [
        { figure: "alice's click → bob's notification, median (vs ½ data-channel round trip)", unit: 'ms', ours: median(total), baseline: median(oneWay), digits: 1 },
        { figure: "alice's click → bob's notification, p95 (vs ½ data-channel round trip)", unit: 'ms', ours: percentile(total, 95), baseline: percentile(oneWay, 95), digits: 1 },
        { figure: "  of which click → entry written in alice's peer host, median", unit: 'ms', ours: segment((s) => s.createdAt - s.clickAt), baseline: null, digits: 1 },
        { figure: "  written → verified in bob's peer host, median (vs ½ round trip)", unit: 'ms', ours: segment((s) => s.receivedAt - s.createdAt), baseline: median(oneWay), digits: 1 },
        { figure: "  verified → bob's background creates the notification, median", unit: 'ms', ours: segment((s) => s.notifiedAt - s.receivedAt), baseline: null, digits: 1 },
        { figure: 'notifications.create itself in bob\'s worker, median (not in the figures above)', unit: 'ms', ours: median(createMs), baseline: null, digits: 1 },
      ],
      targets: [
        {
          target: `median < ${TARGET_MEDIAN_MS} ms, every post notified`,
          met: median(total) < TARGET_MEDIAN_MS && missed === 0,
          detail: `median ${ms(median(total))}, p95 ${ms(percentile(total, 95))}, max ${ms(Math.max(...total))}; ${missed} of ${samples.length} not notified within ${NOTIFY_TIMEOUT_MS / 1000} s`,
        },
      ],
      notes: [
        `Baseline: ${PING_BYTES} bytes over a data channel of its own between the same two offscreen documents, one ping after each post; round trip median ${rtt.length ? median(rtt).toFixed(2) : '—'} ms, p95 ${rtt.length ? percentile(rtt, 95).toFixed(2) : '—'} ms.`,
        `${WARMUP_POSTS} posts before these not counted; ${GAP_MS} ms between a notification and the next click. bob's popup closed, his service worker kept awake by the attached harness.`,
      ],
      parameters: { posts: POSTS, warmupPosts: WARMUP_POSTS, gapMs: GAP_MS, pingBytes: PING_BYTES, notifyTimeoutMs: NOTIFY_TIMEOUT_MS },
      browsers: { chromium: chromiumVersion() },
      details: { samples, notificationCreateMs: createMs },
    });
    expect(delivered.length, 'posts whose notification was seen').toBeGreaterThan(0);
  });
});
