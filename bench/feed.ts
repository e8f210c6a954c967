/**
 * `npm run bench:feed` — what opening the feed and storing a post cost with many stored posts
 * (issue 5: "the same with 100 000 stored posts as with 1 000"). It runs the extension's own
 * storage code — the content database, the IndexedDB replica and the social service behind
 * `host:feed` / `host:post` — on fake-indexeddb in Node, and prints each operation's median and
 * p95 at the largest size beside the smallest (bench/report.ts); bench/results/feed.json has every size.
 *
 * BENCH_FEED_SIZES (default 1000,100000) sets the sizes, BENCH_FEED_REPS (default 50) the
 * repetitions per operation, BENCH_TIMEOUT_S (default 900) stops the run. No network is used.
 */
import 'fake-indexeddb/auto';
import { performance } from 'node:perf_hooks';
import { decodeBody, encodeBody } from '@/core/body';
import { feedChangesOfAppend } from '@/core/feed';
import { toHex } from '@/core/bytes';
import { signHeader, type EntryHeader } from '@/core/entry';
import { createIdentity, type Identity } from '@/core/identity';
import { planIngest } from '@/core/ingest';
import { knownAuthors } from '@/core/knownAuthors';
import type { StoredEntry, WallState } from '@/core/replica';
import { ZERO_HASH, sealHash, sealOf, signSeal, type SealedEntry } from '@/core/seal';
import { sha256 } from '@/core/signing';
import { openContentDb, type ContentDb } from '@/platform/content-db';
import { realTimers } from '@/platform/timers';
import type { PeerAccess } from '@/platform/ports';
import { createSocialService, type SocialService } from '@/platform/social/social-service';
import { publish } from './report';

const SIZES = [...new Set((process.env.BENCH_FEED_SIZES ?? '1000,100000').split(',').map((s) => Number(s.trim())))];
const REPS = Number(process.env.BENCH_FEED_REPS ?? 50);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900);
const FRIENDS = 50;
const WARMUP = 10;
/** This friend writes every 20th post, so its wall fills a whole page already at 1 000 posts. */
const CHATTY = 7;
/** The popup's page size and its cap, as in stores/feed.ts (not imported: it needs the WXT runtime). */
const FEED_PAGE = 50;
const FEED_MAX = 500;
/** Entries per seeding commit; one commit is one IndexedDB transaction, as for an incoming batch. */
const SEED_CHUNK = 1000;

if (SIZES.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(REPS) || REPS < 1) {
  console.error('BENCH_FEED_SIZES must be positive integers separated by commas and BENCH_FEED_REPS a positive integer.');
  process.exit(2);
}

const deadline = setTimeout(() => {
  console.error(`\nStopped after BENCH_TIMEOUT_S=${TIMEOUT_S} s before the table; lower BENCH_FEED_SIZES or BENCH_FEED_REPS.`);
  process.exit(3);
}, TIMEOUT_S * 1000);
deadline.unref();

const randomBytes = (length: number): Uint8Array => crypto.getRandomValues(new Uint8Array(length));
const NO_SIG = new Uint8Array(64);

/** One seeded post and the seal hash its wall has after it. */
interface Seeded {
  entry: StoredEntry;
  headHash: Uint8Array;
}

/**
 * Stored history is built once for the largest size; smaller sizes take a prefix of each wall.
 * Headers, ids and the seal chain are real (later entries must chain to them); the signatures of
 * the history are zero bytes because no measured path re-verifies stored entries — the measured
 * writes are signed and verified for real.
 */
function buildHistory(walls: Identity[], total: number, firstAt: number): Seeded[] {
  const heads = new Map<string, { seq: number; hash: Uint8Array }>(walls.map((w) => [w.handle, { seq: 0, hash: ZERO_HASH }]));
  const out: Seeded[] = [];
  for (let i = 0; i < total; i++) {
    const owner = walls[i % 20 === 0 ? CHATTY : i % walls.length]!;
    const body = encodeBody({ kind: 'post', body: { text: `Post ${i} by @${owner.handle}: ${'lorem ipsum '.repeat(8)}`, media: [] } });
    const createdAt = firstAt + i * 1000;
    const header: EntryHeader = {
      kind: 'post',
      wall: owner.handle,
      wallKey: owner.publicKey,
      author: owner.handle,
      authorKey: owner.publicKey,
      createdAt,
      nonce: randomBytes(16),
      target: null,
      bodyHash: sha256(body),
      bodySize: body.length,
    };
    const head = heads.get(owner.handle)!;
    const seal = sealOf(header, head.seq + 1, head.hash);
    const entry: StoredEntry = {
      header,
      authorSig: NO_SIG,
      body,
      seq: seal.seq,
      prev: seal.prev,
      ownerSig: NO_SIG,
      id: toHex(seal.entryId),
      receivedAt: createdAt + 500,
      tombstoned: false,
    };
    head.seq = seal.seq;
    head.hash = sealHash(seal);
    out.push({ entry, headHash: head.hash });
  }
  return out;
}

/** Stores the first `n` posts through the replica's own commit, a chunk of one wall per transaction. */
async function seed(service: SocialService, db: ContentDb, walls: Identity[], history: Seeded[], n: number, me: string): Promise<void> {
  const byWall = new Map<string, Seeded[]>(walls.map((w) => [w.handle, []]));
  for (const item of history.slice(0, n)) byWall.get(item.entry.header.wall)!.push(item);
  for (const owner of walls) {
    const items = byWall.get(owner.handle)!;
    for (let start = 0; start < items.length; start += SEED_CHUNK) {
      const chunk = items.slice(start, start + SEED_CHUNK);
      const last = chunk[chunk.length - 1]!;
      const state: WallState = {
        wall: owner.handle,
        seq: last.entry.seq,
        sealHash: last.headHash,
        genesisKey: owner.publicKey,
        currentKey: owner.publicKey,
        closed: false,
      };
      const append = chunk.map((c) => c.entry);
      const feed = append.flatMap((e) => {
        const body = decodeBody(e.header.kind, e.body!);
        return feedChangesOfAppend(e, body.ok ? body.value : null);
      });
      const write = { wall: owner.handle, expectedSeq: start, state, append, fillBodies: [], tombstone: [], feed };
      const committed = await service.replica.commit(write);
      if (!committed.ok) throw new Error(`seeding @${owner.handle} failed: ${committed.reason}`);
    }
    if (owner.handle !== me) {
      await service.replica.putFriend({ handle: owner.handle, key: owner.publicKey, rotations: [], since: 0 });
      // Friends have received the own wall so far, as after a normal day of syncing.
      await db.put('progress', { handle: owner.handle, heldSeq: byWall.get(me)!.length });
    }
  }
}

/** A new post on `friend`'s wall, signed and sealed by that friend and chained to its head, as a sync batch brings it. */
async function incomingPost(service: SocialService, friend: Identity, text: string, at: () => number): Promise<SealedEntry> {
  const head = (await service.replica.wallState(friend.handle))!;
  const body = encodeBody({ kind: 'post', body: { text, media: [] } });
  const header: EntryHeader = {
    kind: 'post',
    wall: friend.handle,
    wallKey: friend.publicKey,
    author: friend.handle,
    authorKey: friend.publicKey,
    createdAt: at(),
    nonce: randomBytes(16),
    target: null,
    bodyHash: sha256(body),
    bodySize: body.length,
  };
  const seal = sealOf(header, head.seq + 1, head.sealHash);
  const authorSig = signHeader(header, friend.secretKey);
  return { header, authorSig, body, seq: seal.seq, prev: seal.prev, ownerSig: signSeal(seal, friend.secretKey) };
}

interface Figures {
  median: number;
  p95: number;
}

/** A timed step; one that returns a number reports its own time (to leave its preparation out). */
type Step = (i: number) => Promise<number | void>;

function figures(times: number[]): Figures {
  const sorted = [...times].sort((x, y) => x - y);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, p95: sorted[Math.ceil(sorted.length * 0.95) - 1]! };
}

/**
 * Times one operation on every size, alternating sizes repetition by repetition, so the load of
 * other work on the shared cores falls on all sizes alike and the ratio stays meaningful.
 */
async function measure(steps: Step[], reps: number, warmup: number): Promise<Figures[]> {
  for (let i = 0; i < warmup; i++) for (const step of steps) await step(-1 - i);
  const times = steps.map((): number[] => []);
  for (let i = 0; i < reps; i++) {
    for (const [k, step] of steps.entries()) {
      const start = performance.now();
      const own = await step(i);
      times[k]!.push(typeof own === 'number' ? own : performance.now() - start);
    }
  }
  return times.map(figures);
}

const OPERATIONS = [
  ['open feed: first page (host:feed, 50 newest)', 'open'],
  ['next page: "Show older" (host:feed, 100)', 'next'],
  ['deepest page (host:feed, 500 = FEED_MAX)', 'deepest'],
  ["one friend's wall (host:feed, wall, 50)", 'wall'],
  ['store own post (host:post)', 'post'],
  ['store incoming batch of 1 (planIngest + commit)', 'incoming'],
  ['  of which replica.commit alone', 'commit'],
  ['control, not product code: first page by full scan', 'scan'],
] as const;
type Operation = (typeof OPERATIONS)[number][1];
/** The control reads everything; a few repetitions show its growth. */
const SCAN_REPS = 5;

interface SizeBench {
  steps: Record<Operation, Step>;
  /** Checks the end state and deletes the database. */
  finish(): Promise<void>;
}

const noAccess: PeerAccess = {
  isOnline: () => false,
  sendToBroker: () => undefined,
  connect: () => {
    throw new Error('the benchmark makes no connections');
  },
  allowlistChanged: () => undefined,
  lookupHandle: async () => undefined,
};

/** Seeds a content database with `n` posts and returns the operations to time on it. */
async function prepareSize(n: number, walls: Identity[], history: Seeded[], clock: () => number): Promise<SizeBench> {
  const [own, ...friends] = walls;
  const name = `bench-feed-${n}-${Date.now()}`;
  const db = await openContentDb(name);
  const service = createSocialService({
    db,
    identity: own!,
    access: noAccess,
    now: clock,
    randomBytes,
    timers: realTimers,
    onChange: () => undefined,
    notify: () => undefined,
  });
  const seedStart = performance.now();
  await seed(service, db, walls, history, n, own!.handle);
  await service.start();
  const stored = await db.count('feed');
  if (stored !== n) throw new Error(`the feed index holds ${stored} posts after seeding ${n}`);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  console.log(`N = ${n.toLocaleString('en')}: seeded ${n} posts over ${walls.length} walls in ${seedSeconds.toFixed(1)} s`);

  const firstPage = await service.feed(FEED_PAGE, null);
  if (firstPage.length !== Math.min(FEED_PAGE, n)) throw new Error(`the first page holds ${firstPage.length} posts`);
  if (firstPage.some((p, i) => i > 0 && p.shownAt > firstPage[i - 1]!.shownAt)) throw new Error('the feed is not newest first');
  const chatty = walls[CHATTY]!.handle;
  const wallPage = await service.feed(FEED_PAGE, chatty);
  if (wallPage.length !== Math.min(FEED_PAGE, history.slice(0, n).filter((s) => s.entry.header.wall === chatty).length)) {
    throw new Error(`the page of @${chatty} holds ${wallPage.length} posts`);
  }

  // Incoming posts go to each friend's wall in turn; signing them is the sender's work, not timed.
  let turn = 0;
  const incoming = async (commitOnly: boolean): Promise<number> => {
    const friend = friends[turn++ % friends.length]!;
    const entry = await incomingPost(service, friend, `Live post ${turn} by @${friend.handle}`, clock);
    const start = performance.now();
    // As a sync session does for each batch: the reader and its pins, read afresh.
    const known = knownAuthors(own!, await service.replica.friends());
    const plan = await planIngest(service.replica, friend.handle, [entry], friend.publicKey, clock, known);
    if (!plan.ok) throw new Error(plan.reason);
    const planned = performance.now();
    const committed = await service.replica.commit(plan.value);
    if (!committed.ok) throw new Error(committed.reason);
    return performance.now() - (commitOnly ? planned : start);
  };

  const steps: Record<Operation, Step> = {
    open: async () => void (await service.feed(FEED_PAGE, null)),
    next: async () => void (await service.feed(2 * FEED_PAGE, null)),
    deepest: async () => void (await service.feed(FEED_MAX, null)),
    wall: async () => void (await service.feed(FEED_PAGE, chatty)),
    post: async (i) => void (await service.post(`Benchmark post ${i} at size ${n}`)),
    incoming: () => incoming(false),
    commit: () => incoming(true),
    // What the figures would look like without the index: the same page, read by a full scan.
    scan: async () => {
      const all = await db.getAll('feed');
      all.sort((a, b) => b.shownAt - a.shownAt || b.seq - a.seq).slice(0, FEED_PAGE);
    },
  };

  async function finish(): Promise<void> {
    const newest = (await service.feed(1, null))[0];
    if (!newest || newest.wall === own!.handle) throw new Error('the last incoming post is not the newest in the feed');
    service.stop();
    db.close();
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = () => resolve();
    });
  }
  return { steps, finish };
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

async function main(): Promise<void> {
  console.log('Peerwall feed storage benchmark (issue 5)');
  console.log('Runs the extension\'s content database, IndexedDB replica and social service (host:feed, host:post)');
  console.log('on fake-indexeddb in Node. fake-indexeddb keeps each store and index in an in-memory balanced');
  console.log('search tree, so a read bounded by an index costs O(log N + page): its ratio should stay near 1.');
  console.log('A full scan costs O(N) and would show a ratio near the size ratio (~100x for 1 000 -> 100 000).');
  console.log('Absolute times are Node + fake-indexeddb times, not a browser\'s; the ratios are the point.');
  console.log(`${FRIENDS} friends + the own wall (friend${String(CHATTY).padStart(2, '0')} writes 1 post in 20). Each operation: ${WARMUP} warm-up`);
  console.log(`runs, then ${REPS} timed repetitions that alternate between the sizes, so load from other work hits all alike.\n`);

  const walls = [createIdentity('me', randomBytes)];
  for (let f = 1; f <= FRIENDS; f++) walls.push(createIdentity(`friend${String(f).padStart(2, '0')}`, randomBytes));
  const largest = Math.max(...SIZES);
  const firstAt = Date.now() - largest * 1000 - 86_400_000;
  const built = performance.now();
  const history = buildHistory(walls, largest, firstAt);
  console.log(`built ${largest} entries in ${((performance.now() - built) / 1000).toFixed(1)} s`);
  // Measured writes are newer than all history, 1 ms apart.
  let time = Date.now();
  const clock = () => (time += 1);

  const benches: SizeBench[] = [];
  for (const n of SIZES) benches.push(await prepareSize(n, walls, history, clock));
  const bySize = new Map<number, Map<Operation, Figures>>(SIZES.map((n) => [n, new Map()]));
  for (const [label, op] of OPERATIONS) {
    const control = op === 'scan';
    const measured = await measure(benches.map((b) => b.steps[op]), control ? Math.min(REPS, SCAN_REPS) : REPS, control ? 1 : WARMUP);
    measured.forEach((f, k) => bySize.get(SIZES[k]!)!.set(op, f));
    console.log(`measured: ${label.trim()}`);
  }
  for (const bench of benches) await bench.finish();

  const smallest = Math.min(...SIZES);
  const at = (n: number, op: Operation) => bySize.get(n)!.get(op)!;
  const n = (size: number) => size.toLocaleString('en');
  const p95 = (f: Figures) => `p95 ${ms(f.p95)}`;
  const flat = (op: Operation) => at(largest, op).median / at(smallest, op).median;
  const verdict = (op: Operation) => `${flat(op).toFixed(2)}× (${ms(at(largest, op).median)} vs ${ms(at(smallest, op).median)} ms median)`;
  publish({
    name: 'feed',
    title: `Feed storage, median per operation: ours at N = ${n(largest)} stored posts, baseline at N = ${n(smallest)} (issue 11, benchmark 4)`,
    rows: OPERATIONS.map(([label, op]) => ({
      figure: label,
      unit: 'ms',
      ours: at(largest, op).median,
      oursNote: p95(at(largest, op)),
      baseline: largest === smallest ? null : at(smallest, op).median,
      baselineNote: p95(at(smallest, op)),
    })),
    targets:
      largest === smallest
        ? []
        : [
            { target: `feed open at N = ${n(largest)} within 1.5× of N = ${n(smallest)}`, met: flat('open') <= 1.5, detail: verdict('open') },
            { target: `storing a post stays flat (within 1.5×; 1.04× when issue 11 was filed)`, met: flat('post') <= 1.5, detail: verdict('post') },
          ],
    notes: [
      'Node + fake-indexeddb times, not a browser\'s: the ratios are the point. A ratio near 1 is the log N of an index;',
      `a full scan (the control row) grows with N. Each operation: ${WARMUP} warm-up runs, ${REPS} repetitions alternating the sizes.`,
    ],
    parameters: { sizes: SIZES, reps: REPS, friends: FRIENDS, feedPage: FEED_PAGE, feedMax: FEED_MAX },
    details: Object.fromEntries(
      SIZES.map((size) => [size, Object.fromEntries(OPERATIONS.map(([label, op]) => [op, { label, ...at(size, op) }]))]),
    ),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
