/**
 * `npm run bench:catchup` — issue 11, benchmark 1: alice wrote N posts of ~300 characters; bob, who
 * has none of them, catches up through two real core sync sessions over the in-memory transport
 * (no network, no IndexedDB). Per entry, in one run: the old path (pure-JS Ed25519, @noble/curves),
 * the new path (WebCrypto's Ed25519 through core/verifier.ts), and the crypto floor — the two
 * native verifications each entry needs (seal and author signature), run per batch of
 * LIMITS.batchEntries at once, as the new path does. Also, the new path in protocol version 3 (a batch
 * fills its frame) against version 2 (64 entries per batch): time and round trips (`want` frames), and
 * the same with a simulated 10 ms round trip — the most a pipeline of two `want`s could save is about
 * one round trip per batch. Prints a table and writes bench/results/catchup.json.
 *
 * BENCH_CATCHUP_POSTS (default 10 000) sets N; BENCH_TIMEOUT_S (default 600) stops the run.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { writeOwnEntry } from '../core/author';
import { encodeHeader } from '../core/entry';
import { createIdentity, type Identity } from '../core/identity';
import { LIMITS } from '../core/limits';
import { createMemoryReplica } from '../core/memoryReplica';
import type { Replica } from '../core/replica';
import { encodeSeal, sealOf } from '../core/seal';
import { CONTEXT, framed } from '../core/signing';
import { PROTOCOL_VERSIONS } from '../core/messages';
import { createSyncSession } from '../core/syncSession';
import { createMemoryTransportPair, type Transport } from '../core/transport';
import { createVerifier, pureVerifier, type Verifier } from '../core/verifier';
import { publish } from './report';

const POSTS = Number(process.env.BENCH_CATCHUP_POSTS ?? 10_000);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 600);
const WARMUP_POSTS = 300;
const POST_CHARS = 300;
const TARGET_MS_PER_ENTRY = 0.3;
const TARGET_FLOOR_RATIO = 3;
const HALF_RTT_MS = 5;
/** A peer from before batches sized by bytes (docs/protocol.md §10). */
const V2 = [1, 2] as const;

if (!Number.isInteger(POSTS) || POSTS < 1) {
  console.error('BENCH_CATCHUP_POSTS must be a positive integer.');
  process.exit(2);
}
const deadline = setTimeout(() => {
  console.error(`\nStopped after BENCH_TIMEOUT_S=${TIMEOUT_S} s before the table; lower BENCH_CATCHUP_POSTS.`);
  process.exit(3);
}, TIMEOUT_S * 1000);
deadline.unref();

const subtle = globalThis.crypto.subtle;
const randomBytes = (length: number): Uint8Array => crypto.getRandomValues(new Uint8Array(length));
let clock = Date.now();
const now = () => (clock += 1);

type Side = { identity: Identity; replica: Replica };

/** An owner's wall of `count` posts of POST_CHARS characters each, written as the extension writes them. */
async function writeWall(handle: string, count: number): Promise<Side> {
  const owner = { identity: createIdentity(handle, randomBytes), replica: createMemoryReplica() };
  const verifier = createVerifier({ subtle });
  for (let i = 0; i < count; i++) {
    const head = `Post ${i} by @${handle}: `;
    const text = head + 'lorem ipsum dolor sit amet, '.repeat(12).slice(0, POST_CHARS - head.length);
    const written = await writeOwnEntry(owner.replica, owner.identity, { kind: 'post', body: { text, media: [] } }, { randomBytes, now, verifier });
    if (!written.ok) throw new Error(written.reason);
  }
  return owner;
}

/** A reader who is the owner's friend and holds nothing of its wall. */
async function freshReader(owner: Side): Promise<Side> {
  const reader = { identity: createIdentity('bob', randomBytes), replica: createMemoryReplica() };
  await reader.replica.putFriend({ handle: owner.identity.handle, key: owner.identity.publicKey, rotations: [], since: 0 });
  await owner.replica.putFriend({ handle: 'bob', key: reader.identity.publicKey, rotations: [], since: 0 });
  return reader;
}

/** Delivers each frame `ms` later, in order: half of a simulated round trip. */
function withLatency(transport: Transport, ms: number): Transport {
  if (ms === 0) return transport;
  return { ...transport, onFrame: (handler) => transport.onFrame((frame) => void setTimeout(() => handler(frame), ms)) };
}

interface CatchUpOptions {
  /** Versions both sides offer (default: the implementation's own). */
  versions?: readonly number[];
  /** One-way delay of every frame. */
  latencyMs?: number;
}

/** Milliseconds from both sessions' start until the reader holds the whole wall, and the `want`s it took. */
async function catchUpCounted(owner: Side, verifier: Verifier, options: CatchUpOptions = {}): Promise<{ ms: number; wants: number }> {
  const reader = await freshReader(owner);
  const wall = owner.identity.handle;
  const head = (await owner.replica.wallState(wall))!.seq;
  let wants = 0;
  const WANT_TAG = 16; // docs/protocol.md §7.1
  const [ownerEnd, readerEnd] = createMemoryTransportPair((frame, from) => {
    if (from === 'b' && frame[0] === WANT_TAG) wants++;
    return [frame];
  });
  const toReader = withLatency(ownerEnd, options.latencyMs ?? 0);
  const toOwner = withLatency(readerEnd, options.latencyMs ?? 0);
  let closed: string | null = null;
  let started = 0;
  const upToDate = new Promise<void>((resolve, reject) => {
    const session = (side: Side, peer: string, transport: typeof toReader, done: boolean) =>
      createSyncSession({
        replica: side.replica,
        identity: side.identity,
        peer,
        transport,
        localFingerprint: `fp-${side.identity.handle}`,
        remoteFingerprint: `fp-${peer}`,
        randomBytes,
        now,
        verifier,
        versions: options.versions ?? PROTOCOL_VERSIONS,
        onEvent: (event) => {
          if (done && event.type === 'upToDate' && event.wall === wall && event.seq === head) resolve();
          if (event.type === 'closed') reject(new Error((closed = event.reason)));
        },
      });
    const ownerSession = session(owner, 'bob', toReader, false);
    const readerSession = session(reader, wall, toOwner, true);
    started = performance.now();
    ownerSession.start();
    readerSession.start();
  });
  await upToDate;
  const elapsed = performance.now() - started;
  if (closed) throw new Error(closed);
  toReader.close();
  const held = (await reader.replica.wallState(wall))?.seq;
  if (held !== head) throw new Error(`bob holds ${held} of ${head} entries`);
  return { ms: elapsed, wants };
}

const catchUp = async (owner: Side, verifier: Verifier, options: CatchUpOptions = {}) => (await catchUpCounted(owner, verifier, options)).ms;

/** The two native verifications of every entry, a batch at a time, with the owner's key imported once. */
async function cryptoFloor(owner: Side): Promise<number> {
  const entries = await owner.replica.entriesAfter(owner.identity.handle, 0, Number.MAX_SAFE_INTEGER);
  const signed = entries.map((e) => ({
    seal: framed(CONTEXT.seal, encodeSeal(sealOf(e.header, e.seq, e.prev))) as Uint8Array<ArrayBuffer>,
    header: framed(CONTEXT.entry, encodeHeader(e.header)) as Uint8Array<ArrayBuffer>,
    ownerSig: e.ownerSig as Uint8Array<ArrayBuffer>,
    authorSig: e.authorSig as Uint8Array<ArrayBuffer>,
  }));
  const key = await subtle.importKey('raw', owner.identity.publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  const started = performance.now();
  for (let at = 0; at < signed.length; at += LIMITS.batchEntries) {
    const verdicts = await Promise.all(
      signed.slice(at, at + LIMITS.batchEntries).flatMap((s) => [
        subtle.verify({ name: 'Ed25519' }, key, s.ownerSig, s.seal),
        subtle.verify({ name: 'Ed25519' }, key, s.authorSig, s.header),
      ]),
    );
    if (verdicts.includes(false)) throw new Error('a signature of the wall does not verify');
  }
  return performance.now() - started;
}

const perEntry = (ms: number) => ms / POSTS;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main(): Promise<void> {
  console.log('Peerwall core catch-up benchmark (issue 11, benchmark 1)');
  console.log(`bob catches up on ${POSTS} posts of ${POST_CHARS} characters by alice: two core sync sessions over the`);
  console.log(`in-memory transport, protocol version 3 (batches fill their 256 KiB frame) unless said, no network, no IndexedDB. Node ${process.version},`);
  console.log(`${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()[0]!.toFixed(2)}.\n`);

  let t = performance.now();
  const alice = await writeWall('alice', POSTS);
  console.log(`wrote alice's ${POSTS} posts in ${((performance.now() - t) / 1000).toFixed(1)} s (not measured)`);
  const warm = await writeWall('walter', WARMUP_POSTS);
  await catchUp(warm, pureVerifier);
  await catchUp(warm, createVerifier({ subtle }));

  const floorMs = await cryptoFloor(alice);
  console.log(`measured: crypto floor (${fmt(perEntry(floorMs))}/entry)`);
  const newMs = await catchUp(alice, createVerifier({ subtle }));
  console.log(`measured: new path, native verifier (${fmt(perEntry(newMs))}/entry)`);
  t = performance.now();
  const oldMs = await catchUp(alice, pureVerifier);
  console.log(`measured: old path, pure verifier (${fmt(perEntry(oldMs))}/entry, ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const v3 = await catchUpCounted(alice, createVerifier({ subtle }));
  const v2 = await catchUpCounted(alice, createVerifier({ subtle }), { versions: V2 });
  console.log(`measured: version 3 (${v3.wants} wants) and version 2 (${v2.wants} wants)`);
  const v3Far = await catchUpCounted(alice, createVerifier({ subtle }), { latencyMs: HALF_RTT_MS });
  const v2Far = await catchUpCounted(alice, createVerifier({ subtle }), { versions: V2, latencyMs: HALF_RTT_MS });
  console.log(`measured: the same with a ${2 * HALF_RTT_MS} ms round trip\n`);

  const meetsAbsolute = perEntry(newMs) <= TARGET_MS_PER_ENTRY;
  const meetsFloor = newMs / floorMs <= TARGET_FLOOR_RATIO;
  publish({
    name: 'catchup',
    title: `Core catch-up of ${POSTS} posts, per entry (issue 11, benchmark 1)`,
    rows: [
      { figure: 'catch-up per entry: new path vs old path (pure-JS verifier)', unit: 'ms', ours: perEntry(newMs), baseline: perEntry(oldMs), digits: 3 },
      { figure: 'catch-up per entry: new path vs crypto floor (2 native verifications)', unit: 'ms', ours: perEntry(newMs), baseline: perEntry(floorMs), digits: 3 },
      { figure: `all ${POSTS} posts: new path vs old path`, unit: 's', ours: newMs / 1000, baseline: oldMs / 1000, digits: 2 },
      { figure: 'catch-up per entry: version 3 (batch fills its frame) vs version 2 (64 per batch)', unit: 'ms', ours: perEntry(v3.ms), baseline: perEntry(v2.ms), digits: 3 },
      { figure: 'round trips (want frames): version 3 vs version 2', unit: '', ours: v3.wants, baseline: v2.wants, digits: 0 },
      { figure: `all posts with a ${2 * HALF_RTT_MS} ms round trip: version 3 vs version 2`, unit: 's', ours: v3Far.ms / 1000, baseline: v2Far.ms / 1000, digits: 2 },
    ],
    targets: [
      { target: `≤ ${TARGET_MS_PER_ENTRY} ms/entry`, met: meetsAbsolute, detail: fmt(perEntry(newMs)) },
      { target: `≤ ${TARGET_FLOOR_RATIO}× the crypto floor`, met: meetsFloor, detail: `${(newMs / floorMs).toFixed(2)}×` },
    ],
    parameters: { posts: POSTS, postChars: POST_CHARS, batchEntries: LIMITS.batchEntries, byteBatchEntries: LIMITS.byteBatchEntries, roundTripMs: 2 * HALF_RTT_MS },
    details: {
      msPerEntry: { new: perEntry(newMs), old: perEntry(oldMs), floor: perEntry(floorMs) },
      ratios: { newToOld: newMs / oldMs, newToFloor: newMs / floorMs },
      byteBatches: {
        v3: { ms: v3.ms, wants: v3.wants, farMs: v3Far.ms },
        v2: { ms: v2.ms, wants: v2.wants, farMs: v2Far.ms },
        // A second want in flight could hide at most one round trip per batch.
        pipelineCouldSaveMs: { v3: v3.wants * 2 * HALF_RTT_MS, v2: v2.wants * 2 * HALF_RTT_MS },
      },
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
