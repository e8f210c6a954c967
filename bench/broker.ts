/**
 * `npm run bench:broker` — our broker against a bare `peer` PeerServer, both on 127.0.0.1:
 * time to open N signalling connections, server memory per connection, OFFER relay latency
 * between two peers, and the same latency during a burst of logins beyond the hashing capacity;
 * then, for our broker only, under attack: the latency while 4 sockets send the costliest frames
 * the limits allow, and the memory that 50 000 relays of the worst shape for offline handles hold.
 * Prints the table of bench/report.ts and writes bench/results/broker.json. BENCH_N (default 10 000)
 * sets N; the whole run stops itself after BENCH_TIMEOUT_S (default 600).
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { ServerProcess, open, openMany, percentile, sleep, startHeartbeats, wsUrl, type Kind } from './broker-client';
import { crossNode } from './cross-node';
import { ATTACKERS, OFFLINE_HANDLES, benchHandle } from './protocol';
import { publish } from './report';

const N = Number(process.env.BENCH_N ?? 10_000);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 600);
const LATENCY_SAMPLES = 500;
// Stay under the broker's per-socket limit (100 frames/s by default), as a real client does.
const LATENCY_GAP_MS = 15;
const BURST_RATE = 20; // logins per second
const BURST_SECONDS = 10;
const ATTACK_SECONDS = 10;
/** What each attacker socket sends a second: just under the broker's default 64 KiB/s. */
const ATTACK_BYTES_PER_SECOND = 60 * 1024;
const WORST_RELAYS = 50_000;
/** Sockets on each of the two nodes of the cross-node part (half of N by default: 5 000). */
const PER_NODE = Number(process.env.BENCH_NODE_N ?? Math.round(N / 2));
/** The default MAX_CONNECTIONS of one node, for the nodes a million online users need. */
const SOCKETS_PER_NODE = 50_000;

/** OFFER latency percentiles and the server's event-loop delay over the same time. */
interface Latency {
  p50: number;
  p99: number;
  samples: number;
  loopP99: number;
  loopMax: number;
}

interface Result {
  openSeconds: number;
  failedOpens: number;
  rssPerConnection: number;
  heapPerConnection: number;
  idle: { p50: number; p99: number; loopP99: number; loopMax: number };
  burst?: Latency & { ok: number; busy: number; other: number };
  attack?: Latency & { attackerBytes: number; attackersClosed: number };
  relays?: { sent: number; answered: number; rssAbove: number; heapAbove: number };
}

/** Sequential OFFERs from A to B; returns latencies (ms) until `done()` or `count` samples. */
async function relayLatency(a: WebSocket, b: WebSocket, dst: string, count: number, gapMs: number, done = () => false): Promise<number[]> {
  const samples: number[] = [];
  for (let seq = 0; seq < count && !done(); seq++) {
    const sent = performance.now();
    const received = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`OFFER ${seq} was not relayed within 5 s`)), 5_000);
      const onMessage = (data: WebSocket.RawData) => {
        const frame = JSON.parse(String(data)) as { type: string; payload?: { seq?: number } };
        if (frame.type === 'OFFER' && frame.payload?.seq === seq) {
          clearTimeout(timer);
          b.off('message', onMessage);
          resolve();
        }
      };
      b.on('message', onMessage);
    });
    a.send(JSON.stringify({ type: 'OFFER', dst, payload: { seq, sdp: 'v=0' } }));
    await received;
    samples.push(performance.now() - sent);
    if (gapMs > 0) await sleep(gapMs);
  }
  return samples.sort((x, y) => x - y);
}

/**
 * Sequential OFFERs from A to B for as long as `work` runs (after `settleMs`), with the server's event-loop delay
 * over that time; resolves with the figures and what `work` resolved with.
 */
async function latencyWhile<T>(
  server: ServerProcess,
  pair: { a: WebSocket; b: WebSocket; bId: string },
  work: Promise<T>,
  settleMs = 0,
): Promise<Latency & { outcome: T }> {
  let running = true;
  const done = work.finally(() => (running = false));
  if (settleMs > 0) await sleep(settleMs);
  const samples = await relayLatency(pair.a, pair.b, pair.bId, Number.MAX_SAFE_INTEGER, LATENCY_GAP_MS, () => !running);
  const outcome = await done;
  const loop = await server.memory();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length, loopP99: loop.loopP99, loopMax: loop.loopMax, outcome };
}

/** Runs bench/login-burst.ts in its own process and resolves with its counts. */
function loginBurst(port: number): Promise<{ ok: number; busy: number; other: number }> {
  const child = fork(
    fileURLToPath(new URL('./login-burst.ts', import.meta.url)),
    [port, N, BURST_RATE, BURST_SECONDS].map(String),
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (counts) => resolve(counts as { ok: number; busy: number; other: number }));
    child.once('exit', (code) => reject(new Error(`the login burst exited with ${code} before reporting`)));
  });
}

/**
 * The costliest frames the limits allow, from `ATTACKERS` sockets for `seconds`: PW_ALLOWs naming 5 000
 * online handles (about 40 KiB) and 64 KiB OFFERs to a fellow attacker that lists them, each socket
 * keeping just under its byte budget. Resolves with the bytes sent and how many sockets the broker closed.
 */
async function costliestFrames(port: number, tokens: string[], seconds: number, until: Promise<unknown>): Promise<{ bytes: number; closed: number }> {
  const ids = Array.from({ length: ATTACKERS }, (_, i) => benchHandle(N + 2 + i));
  const sockets = await Promise.all(ids.map((id, i) => open(wsUrl(port, id, tokens[N + 2 + i] ?? ''))));
  let closed = 0;
  for (const socket of sockets) socket.once('close', () => (closed += 1));
  const allowMany = JSON.stringify({
    type: 'PW_ALLOW',
    payload: { handles: Array.from({ length: 5_000 }, (_, i) => benchHandle(i)) },
  });
  // Each lists every attacker but itself, so their OFFERs are relayed and serialized in full.
  ids.forEach((id, i) => sockets[i]!.send(JSON.stringify({ type: 'PW_ALLOW', payload: { handles: ids.filter((other) => other !== id) } })));
  const offerTo = (dst: string) => {
    const frame = { type: 'OFFER', dst, payload: { sdp: '' } };
    return JSON.stringify({ ...frame, payload: { sdp: 'x'.repeat(64 * 1024 - JSON.stringify(frame).length) } });
  };
  let bytes = 0;
  let running = true;
  void until.finally(() => (running = false));
  const started = performance.now();
  await Promise.all(
    sockets.map(async (socket, i) => {
      const offer = offerTo(ids[(i + 1) % ids.length]!);
      let sent = 0;
      for (let n = 0; running && performance.now() - started < seconds * 1000; n++) {
        const frame = n % 2 === 0 ? allowMany : offer;
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send(frame);
        sent += frame.length;
        bytes += frame.length;
        // Stay within the budget: the burst allowance first, then the sustained rate.
        const ahead = sent - ATTACK_BYTES_PER_SECOND * (4 + (performance.now() - started) / 1000);
        if (ahead > 0) await sleep((ahead / ATTACK_BYTES_PER_SECOND) * 1000);
      }
    }),
  );
  for (const socket of sockets) socket.terminate();
  return { bytes, closed };
}

/** A relay body of the worst shape: about 4 KiB of empty arrays, which cost far more parsed than as text. */
const worstBody = (): unknown[] => Array.from({ length: 1_300 }, () => []);

/**
 * `WORST_RELAYS` relays of the worst shape from the N connected sockets (5 each, under the 30-a-minute
 * limit) to offline handles, spread so no per-destination bound is what limits them.
 */
async function worstRelays(sockets: WebSocket[]): Promise<{ sent: number; answered: number }> {
  let answered = 0;
  const onMessage = (data: WebSocket.RawData) => {
    if (String(data).includes('PW_RELAY_STATUS')) answered += 1;
  };
  for (const socket of sockets) socket.on('message', onMessage);
  const perSocket = Math.ceil(WORST_RELAYS / Math.max(1, sockets.length));
  const body = worstBody();
  let sent = 0;
  for (const [i, socket] of sockets.entries()) {
    for (let k = 0; k < perSocket && sent < WORST_RELAYS; k++) {
      const dst = benchHandle(N + 2 + ATTACKERS + ((i * perSocket + k) % OFFLINE_HANDLES));
      socket.send(JSON.stringify({ type: 'PW_RELAY', dst, payload: { id: `w${i}-${k}`, body } }));
      sent += 1;
    }
    if (i % 200 === 199) await sleep(20);
  }
  const deadline = Date.now() + 60_000;
  while (answered < sent && Date.now() < deadline) await sleep(200);
  for (const socket of sockets) socket.off('message', onMessage);
  return { sent, answered };
}

async function run(kind: Kind): Promise<Result> {
  const server = new ServerProcess(kind, N);
  try {
    const port = await server.ready;
    const tokens =
      kind === 'ours'
        ? ((await server.request({ type: 'tokens', count: N + 2 + ATTACKERS }, 'tokens')) as { tokens: string[] }).tokens
        : [];
    const before = await server.memory();
    const { sockets, failed, seconds } = await openMany(port, tokens, kind, N);
    const stopHeartbeats = startHeartbeats(sockets);
    try {
      const after = await server.memory();
      const opened = Math.max(1, sockets.length);
      const [aId, bId] = kind === 'ours' ? [benchHandle(N), benchHandle(N + 1)] : ['pa', 'pb'];
      const a = await open(wsUrl(port, aId, tokens[N] ?? 'ta'));
      const b = await open(wsUrl(port, bId, tokens[N + 1] ?? 'tb'));
      if (kind === 'ours') {
        b.send(JSON.stringify({ type: 'PW_ALLOW', payload: { handles: [aId] } }));
        await sleep(100);
      }
      await server.memory(); // resets the server's event-loop histogram
      const idle = await relayLatency(a, b, bId, LATENCY_SAMPLES, LATENCY_GAP_MS);
      const idleLoop = await server.memory();
      const result: Result = {
        openSeconds: seconds,
        failedOpens: failed,
        rssPerConnection: (after.rss - before.rss) / opened,
        heapPerConnection: (after.heapUsed - before.heapUsed) / opened,
        idle: { p50: percentile(idle, 50), p99: percentile(idle, 99), loopP99: idleLoop.loopP99, loopMax: idleLoop.loopMax },
      };
      if (kind === 'ours') {
        const pair = { a, b, bId };
        const { outcome: counts, ...burst } = await latencyWhile(server, pair, loginBurst(port));
        result.burst = { ...burst, ...counts };
        // 1 s in, past the attackers' first burst.
        const attack = costliestFrames(port, tokens, ATTACK_SECONDS, sleep(ATTACK_SECONDS * 1000));
        const { outcome: sent, ...underAttack } = await latencyWhile(server, pair, attack, 1_000);
        result.attack = { ...underAttack, attackerBytes: sent.bytes, attackersClosed: sent.closed };
        const beforeRelays = await server.memory();
        const relays = await worstRelays(sockets);
        const afterRelays = await server.memory();
        result.relays = { ...relays, rssAbove: afterRelays.rss - beforeRelays.rss, heapAbove: afterRelays.heapUsed - beforeRelays.heapUsed };
      }
      a.close();
      b.close();
      return result;
    } finally {
      stopHeartbeats();
      for (const socket of sockets) socket.terminate();
    }
  } finally {
    await server.stop();
  }
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const KiB = 1024;
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`Benchmark stopped: it ran longer than ${TIMEOUT_S} s.`);
    process.exit(2);
  }, TIMEOUT_S * 1000);
  deadline.unref();
  const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
  console.log(`Broker benchmark: N = ${N} connections, ${availableParallelism()} cores, Node ${process.version}, load ${load()}`);
  console.log('Bare peer PeerServer…');
  const peer = await run('peer');
  console.log('Peerwall broker…');
  const ours = await run('ours');
  console.log(`Two Peerwall broker nodes on one Redis, ${PER_NODE} sockets each…`);
  const nodes = await crossNode(PER_NODE, LATENCY_SAMPLES, LATENCY_GAP_MS);
  const crossOk = nodes.crossNode.p99 <= 2 * nodes.sameNode.p99;
  const nodesForMillion = Math.ceil(1_000_000 / SOCKETS_PER_NODE);
  const burst = ours.burst!;
  const attack = ours.attack!;
  const relays = ours.relays!;
  const idleP99 = ours.idle.p99;
  const memoryOk = ours.rssPerConnection <= 1.5 * peer.rssPerConnection;
  const attackOk = attack.p99 <= 5 * idleP99;
  const relaysOk = relays.rssAbove <= 100 * MiB;
  const attackers = `${ATTACKERS} sockets send the costliest frames`;
  publish({
    name: 'broker',
    title: `Broker: ours against a bare \`peer\` PeerServer with N = ${N} connections; under load, against our own idle figure`,
    rows: [
      { figure: `open ${N} connections (vs bare peer)`, unit: 's', ours: ours.openSeconds, baseline: peer.openSeconds },
      { figure: 'failed opens (vs bare peer)', unit: '', ours: ours.failedOpens, baseline: peer.failedOpens, digits: 0 },
      { figure: 'server RSS per connection (vs bare peer)', unit: 'KiB', ours: ours.rssPerConnection / KiB, baseline: peer.rssPerConnection / KiB },
      { figure: 'server JS heap per connection (vs bare peer)', unit: 'KiB', ours: ours.heapPerConnection / KiB, baseline: peer.heapPerConnection / KiB },
      { figure: 'OFFER relay p50, idle (vs bare peer)', unit: 'ms', ours: ours.idle.p50, baseline: peer.idle.p50, digits: 3 },
      { figure: 'OFFER relay p99, idle (vs bare peer)', unit: 'ms', ours: idleP99, baseline: peer.idle.p99, digits: 3 },
      { figure: 'server event-loop delay p99, idle (vs bare peer)', unit: 'ms', ours: ours.idle.loopP99, baseline: peer.idle.loopP99, digits: 1 },
      { figure: 'server event-loop delay max, idle (vs bare peer)', unit: 'ms', ours: ours.idle.loopMax, baseline: peer.idle.loopMax, digits: 1 },
      { figure: `OFFER relay p50 during ${BURST_RATE} logins/s (vs ours idle)`, unit: 'ms', ours: burst.p50, baseline: ours.idle.p50, digits: 3 },
      { figure: `OFFER relay p99 during ${BURST_RATE} logins/s (vs ours idle)`, unit: 'ms', ours: burst.p99, baseline: idleP99, digits: 3 },
      { figure: 'server event-loop delay p99, burst (vs ours idle)', unit: 'ms', ours: burst.loopP99, baseline: ours.idle.loopP99, digits: 1 },
      { figure: 'server event-loop delay max, burst (vs ours idle)', unit: 'ms', ours: burst.loopMax, baseline: ours.idle.loopMax, digits: 1 },
      { figure: `OFFER relay p50 while ${attackers} (vs ours idle)`, unit: 'ms', ours: attack.p50, baseline: ours.idle.p50, digits: 3 },
      { figure: `OFFER relay p99 while ${attackers} (vs ours idle)`, unit: 'ms', ours: attack.p99, baseline: idleP99, digits: 3 },
      { figure: 'server event-loop delay p99, attack (vs ours idle)', unit: 'ms', ours: attack.loopP99, baseline: ours.idle.loopP99, digits: 1 },
      { figure: `server RSS above idle after ${relays.sent} worst-shape relays`, unit: 'MiB', ours: relays.rssAbove / MiB, baseline: null, digits: 1 },
      { figure: 'server JS heap above idle after them', unit: 'MiB', ours: relays.heapAbove / MiB, baseline: null, digits: 1 },
      { figure: `2 nodes on Redis: open ${nodes.perNode} sockets on each`, unit: 's', ours: nodes.openSeconds, baseline: null },
      { figure: '2 nodes: OFFER relay p50, cross node (vs same node, same run)', unit: 'ms', ours: nodes.crossNode.p50, baseline: nodes.sameNode.p50, digits: 3 },
      { figure: '2 nodes: OFFER relay p99, cross node (vs same node, same run)', unit: 'ms', ours: nodes.crossNode.p99, baseline: nodes.sameNode.p99, digits: 3 },
      { figure: '2 nodes: node RSS per socket (vs one process without Redis)', unit: 'KiB', ours: nodes.rssPerSocket / KiB, baseline: ours.rssPerConnection / KiB },
      { figure: '2 nodes: Redis memory per online socket', unit: 'B', ours: nodes.redisBytesPerSocket, baseline: null, digits: 0 },
    ],
    targets: [
      { target: 'memory per connection ≤ 1.5× bare', met: memoryOk, detail: `${fmt(ours.rssPerConnection / peer.rssPerConnection)}× RSS` },
      { target: 'relay p99 during the login burst ≤ 10 ms', met: burst.p99 <= 10, detail: `${fmt(burst.p99, 3)} ms over ${burst.samples} samples` },
      { target: 'relay p99 under attack ≤ 5× idle', met: attackOk, detail: `${fmt(attack.p99, 3)} ms vs ${fmt(idleP99, 3)} ms idle, ${attack.samples} samples` },
      { target: `RSS after ${relays.sent} worst-shape relays ≤ 100 MiB above idle`, met: relaysOk, detail: `${fmt(relays.rssAbove / MiB, 1)} MiB` },
      {
        target: `cross-node relay p99 ≤ 2× same-node at ${nodes.perNode} sockets per node`,
        met: crossOk,
        detail: `${fmt(nodes.crossNode.p99, 3)} ms vs ${fmt(nodes.sameNode.p99, 3)} ms, ${nodes.samples} samples each`,
      },
    ],
    notes: [
      `Logins in the burst (${BURST_RATE}/s × ${BURST_SECONDS} s): ${burst.ok} × 200, ${burst.busy} × 503 or 429, ${burst.other} other.`,
      `Attackers' frames: ${(attack.attackerBytes / MiB).toFixed(1)} MiB in ${ATTACK_SECONDS} s, ${attack.attackersClosed} of ${ATTACKERS} sockets closed.`,
      `Relays answered: ${relays.answered} of ${relays.sent}.`,
      `Two nodes: ${nodes.failedOpens} failed opens of ${2 * nodes.perNode}.`,
      `1 000 000 online users: ${nodesForMillion} nodes at ${SOCKETS_PER_NODE} sockets each (MAX_CONNECTIONS), ` +
        `${fmt((SOCKETS_PER_NODE * nodes.rssPerSocket) / MiB, 0)} MiB of sockets per node at the measured RSS per socket, ` +
        `and ${fmt((1_000_000 * nodes.redisBytesPerSocket) / MiB, 0)} MiB in Redis for who is online (before allowlists and waiting relays).`,
      `Load average at the end: ${load()} (the machine is shared; latency tails grow with load).`,
    ],
    parameters: { connections: N, socketsPerNode: PER_NODE, burstRate: BURST_RATE, burstSeconds: BURST_SECONDS, attackers: ATTACKERS, attackSeconds: ATTACK_SECONDS, worstRelays: WORST_RELAYS },
    details: { ours, peer, nodes },
  });
  process.exit(0);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
