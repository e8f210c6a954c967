// Bundled into mallory's page (tests/e2e/18-hostile-friend.test.ts): a hostile friend on real PeerJS who
// speaks the real handshake with her real key (docs/protocol.md §7.2) and then cheats, one way per session.
import { Peer, type DataConnection } from 'peerjs';
import { writeOwnEntry } from '@/core/author';
import { fromHex } from '@/core/bytes';
import { type EntryHeader, type SignedEntry, signHeader } from '@/core/entry';
import { signHandshake, type HandshakeSide } from '@/core/handshake';
import type { Identity } from '@/core/identity';
import { LIMITS } from '@/core/limits';
import { createMemoryReplica } from '@/core/memoryReplica';
import { decodeMessage, encodeMessage, type PeerMessage } from '@/core/messages';
import type { StoredEntry } from '@/core/replica';
import { type SealedEntry, sealHash, sealOf, signSeal, ZERO_HASH } from '@/core/seal';
import { publicKeyOf, sha256 } from '@/core/signing';
import { encodeBody } from '@/core/body';
import { peerServerOptions } from '@/platform/broker-url';
import { sdpFingerprint } from '@/platform/peer-host/peerjs-peer';

export type Cheat =
  | 'forged-signature'
  | 'other-author'
  | 'forged-submissions'
  | 'sequence-gap'
  | 'rewritten-history'
  | 'oversized'
  | 'far-oversized'
  | 'flood';

/** What alice sent in one session: each frame's type (an `error`'s code after a colon) and whether the channel closed. */
export type SessionReport = { cheat: Cheat; received: string[]; errorCode: string | null; errorMessage: string; closed: boolean; sent: number };

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const FLOOD_FRAMES = 2_000; // alice takes 600 a minute from one friend (platform/social/link-transport.ts)

let me: Identity;
let brokerUrl = '';
let token = '';
/** Mallory's honest wall, entries 1–3: what alice may keep. */
const wall: StoredEntry[] = [];
/** Set once alice holds entries 1–3: later sessions cheat as soon as alice has asked for her own wall. */
let wallHeld = false;

/** Writes mallory's honest posts; returns their entry ids, in wall order. */
async function setup(options: { brokerUrl: string; token: string; secretKeyHex: string; posts: string[] }): Promise<string[]> {
  brokerUrl = options.brokerUrl;
  token = options.token;
  const secretKey = fromHex(options.secretKeyHex, 32)!;
  me = { handle: 'mallory', secretKey, publicKey: publicKeyOf(secretKey), rotations: [] };
  const replica = createMemoryReplica();
  for (const text of options.posts) {
    const written = await writeOwnEntry(replica, me, { kind: 'post', body: { text, media: [] } }, { randomBytes: random, now: Date.now });
    if (!written.ok) throw new Error(written.reason);
    wall.push(written.value);
  }
  return wall.map((e) => e.id);
}

/** An entry signed by `author` (whose key may not be the one alice pinned for that handle). */
function authored(author: { handle: string; secretKey: Uint8Array }, wallHandle: string, wallKey: Uint8Array, kind: 'post' | 'wallPost', text: string): SignedEntry {
  const body = encodeBody({ kind, body: { text, media: [] } });
  const header: EntryHeader = {
    kind,
    wall: wallHandle,
    wallKey,
    author: author.handle,
    authorKey: publicKeyOf(author.secretKey),
    createdAt: Date.now(),
    nonce: random(16),
    target: null,
    bodyHash: sha256(body),
    bodySize: body.length,
  };
  return { header, authorSig: signHeader(header, author.secretKey), body };
}

/** `entry` sealed by mallory at `seq` after `previous` (her wall's chain, or a fork of it). */
function sealed(entry: SignedEntry, seq: number, previous: SealedEntry | null): SealedEntry {
  const prev = previous ? sealHash(sealOf(previous.header, previous.seq, previous.prev)) : ZERO_HASH;
  return { ...entry, seq, prev, ownerSig: signSeal(sealOf(entry.header, seq, prev), me.secretKey) };
}

const head = (): StoredEntry => wall[wall.length - 1]!;
const impostor = () => ({ handle: 'bob', secretKey: random(32) });

/** The batch mallory answers alice's `want` of her wall after entry 3 with, per cheat. */
function cheatingBatch(cheat: Cheat): PeerMessage | null {
  const next = (text: string) => authored(me, 'mallory', me.publicKey, 'post', text);
  switch (cheat) {
    case 'forged-signature': {
      const entry = sealed(next('Entry 4, signature forged'), 4, head());
      const authorSig = entry.authorSig.slice();
      authorSig[0]! ^= 0xff;
      return { type: 'batch', wall: 'mallory', headSeq: 4, entries: [{ ...entry, authorSig }] };
    }
    case 'other-author':
      return { type: 'batch', wall: 'mallory', headSeq: 4, entries: [sealed(authored(impostor(), 'mallory', me.publicKey, 'wallPost', 'Posted by @bob, says mallory'), 4, head())] };
    case 'sequence-gap': {
      const fifth = sealed(next('Entry 5, sent without 4'), 5, sealed(next('Entry 4, never sent'), 4, head()));
      return { type: 'batch', wall: 'mallory', headSeq: 5, entries: [fifth] };
    }
    case 'rewritten-history': {
      const third = sealed(next('Entry 3, rewritten'), 3, wall[1]!);
      return { type: 'batch', wall: 'mallory', headSeq: 4, entries: [third, sealed(next('Entry 4 on the rewritten history'), 4, third)] };
    }
    default:
      return null;
  }
}

/** Frames mallory sends on her own once the handshake is through. */
function unpromptedFrames(cheat: Cheat, aliceKey: Uint8Array): Uint8Array[] {
  switch (cheat) {
    case 'forged-submissions': {
      // In @bob's name on alice's wall: first with a key of mallory's own (valid signature), then a forged one.
      const inBobsName = authored(impostor(), 'alice', aliceKey, 'wallPost', 'Submitted in @bob’s name');
      const forged = authored(me, 'alice', aliceKey, 'wallPost', 'Submitted with a forged signature');
      const authorSig = forged.authorSig.slice();
      authorSig[5]! ^= 0x01;
      return [encodeMessage({ type: 'submit', entries: [inBobsName] }), encodeMessage({ type: 'submit', entries: [{ ...forged, authorSig }] })];
    }
    case 'oversized': {
      // Past the frame limit (§9). On the `raw` link alice dials it never leaves this browser, whose channel
      // refuses a message over 256 KiB and closes; on a `binary` link the session would answer `too_large`.
      const frame = encodeMessage({ type: 'notify', wall: 'mallory', headSeq: 3 });
      const big = new Uint8Array(LIMITS.frameBytes + 512);
      big.set(frame);
      return [big];
    }
    case 'far-oversized':
      return [new Uint8Array(4 * LIMITS.frameBytes)]; // 1 MiB: refused here on `raw`; a `binary` link drops it unread
    case 'flood':
      return Array.from({ length: FLOOD_FRAMES }, () => encodeMessage({ type: 'notify', wall: 'mallory', headSeq: 3 }));
    default:
      // Announces entry 4 so that alice asks for it; the cheating batch answers.
      return [encodeMessage({ type: 'notify', wall: 'mallory', headSeq: 4 })];
  }
}

const asBytes = (data: unknown): Uint8Array | null =>
  data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;

/**
 * One session: mallory's peer comes online (a new broker session, which ends a pause alice put her in),
 * allows alice to signal, and waits for alice's dial. The honest handshake and the honest answer to alice's
 * first `want` come first; then `cheat`. Resolves when alice closes the channel (or after `timeoutMs`).
 */
function runSession(cheat: Cheat, timeoutMs = 30_000): Promise<SessionReport> {
  const report: SessionReport = { cheat, received: [], errorCode: null, errorMessage: '', closed: false, sent: 0 };
  const server = peerServerOptions(brokerUrl);
  const peer = new Peer('mallory', { ...server, token, config: { iceServers: [] }, debug: 0 });
  peer.on('open', () => peer.socket.send({ type: 'PW_ALLOW', payload: { handles: ['alice'], blocked: [] } }));
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      peer.destroy();
      resolve(report);
    };
    const timer = setTimeout(finish, timeoutMs);
    peer.on('connection', (connection: DataConnection) => {
      if (connection.peer !== 'alice') return connection.close();
      const nonce = random(32);
      let alice: HandshakeSide | null = null;
      let cheated = false;
      const send = (frame: Uint8Array) => {
        report.sent += 1;
        void connection.send(frame);
      };
      const sides = () => {
        const pc = connection.peerConnection;
        const mine: HandshakeSide = { handle: 'mallory', key: me.publicKey, nonce, fingerprint: sdpFingerprint(pc.localDescription?.sdp) ?? '' };
        return { mine, remote: sdpFingerprint(pc.remoteDescription?.sdp) ?? '' };
      };
      const cheat = () => {
        if (cheated || !alice) return;
        cheated = true;
        for (const frame of unpromptedFrames(report.cheat, alice.key)) send(frame);
      };
      connection.on('data', (data) => {
        const decoded = decodeMessage(asBytes(data));
        if (!decoded.ok) return void report.received.push(`undecodable: ${decoded.reason}`);
        const m = decoded.value;
        report.received.push(m.type === 'error' ? `error:${m.code}` : m.type === 'submitted' ? `submitted:${m.results.map((r) => `${r.status} (${r.reason})`).join(', ')}` : m.type);
        if (m.type === 'error') [report.errorCode, report.errorMessage] = [m.code, m.message];
        if (m.type === 'hello') {
          // As the answering side, she speaks once alice has (docs/protocol.md §7.2).
          send(encodeMessage({ type: 'hello', versions: [1, 2, 3, 4], handle: 'mallory', key: me.publicKey, nonce, rotations: [] }));
          const { mine, remote } = sides();
          alice = { handle: m.handle, key: m.key, nonce: m.nonce, fingerprint: remote };
          send(encodeMessage({ type: 'auth', signature: signHandshake(Math.max(...m.versions.filter((v) => v <= 4)), mine, alice, me.secretKey) }));
        } else if (m.type === 'want' && m.wall === 'mallory' && m.afterSeq < wall.length) {
          // Honest: what alice lacks of entries 1–3.
          send(encodeMessage({ type: 'batch', wall: 'mallory', headSeq: wall.length, entries: wall.slice(m.afterSeq) }));
          setTimeout(cheat, 500);
        } else if (m.type === 'want' && m.wall === 'mallory') {
          const batch = cheatingBatch(report.cheat);
          if (batch) send(encodeMessage(batch));
        } else if (m.type === 'want') {
          send(encodeMessage({ type: 'batch', wall: m.wall, headSeq: 0, entries: [] }));
          if (wallHeld) setTimeout(cheat, 500);
        }
      });
      connection.on('close', () => {
        report.closed = true;
        setTimeout(finish, 300);
      });
    });
  });
}

/** The first session brings entries 1–3 before it cheats; later ones cheat at once. */
async function session(cheat: Cheat): Promise<SessionReport> {
  const report = await runSession(cheat);
  wallHeld = true;
  return report;
}

(window as unknown as { testPage: unknown }).testPage = { setup, session };
