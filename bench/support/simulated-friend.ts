/**
 * One simulated friend for `bench:footprint`, run in a helper page of a second Chromium: its own identity,
 * an in-memory replica holding a small wall of its own, and the product's own connection code — a PeerJS peer
 * on the real broker (platform/peer-host/peerjs-peer.ts) and the sync connections of the peer host
 * (platform/social/sync-connections.ts: presence, who dials, retries, one core sync session per link) with
 * the product's defaults. Only the storage is the core's memory replica instead of IndexedDB.
 */
import { writeOwnEntry } from '@/core/author';
import { fromHex } from '@/core/bytes';
import type { Identity } from '@/core/identity';
import { createMemoryReplica } from '@/core/memoryReplica';
import { createMemoryRelayStore, createWallPulls } from '@/core/relay';
import { createSignatureCache } from '@/core/signatureCache';
import { allowFrame, parseServerFrame } from '@/core/signalling';
import type { SyncEvent } from '@/core/syncSession';
import type { Verifier } from '@/core/verifier';
import { peerServerOptions } from '@/platform/broker-url';
import { createPeerJsPeer } from '@/platform/peer-host/peerjs-peer';
import { SYNC_LABEL } from '@/platform/ports';
import { CONNECTION_DEFAULTS } from '@/platform/social/connection-defaults';
import { createSyncConnections } from '@/platform/social/sync-connections';
import { realTimers } from '@/platform/timers';

/** What the harness hands the page about one friend (keys as hex: they cross CDP as JSON). */
export interface FriendSpec {
  handle: string;
  secretKey: string;
  publicKey: string;
  /** A session token of `handle` on the broker. */
  token: string;
}

/** The one person all simulated friends are friends with. */
export interface HostSpec {
  handle: string;
  publicKey: string;
  brokerUrl: string;
  /** Posts on each friend's wall. */
  posts: number;
}

/** What a simulated friend reports back to the harness (all times `Date.now()`). */
export interface FriendReport {
  handle: string;
  startedAt: number;
  openAt: number | null;
  /** The first sync session that became ready, and how many did. */
  readyAt: number | null;
  readies: number;
  /** When this friend's copy of the host's wall was first up to date, and to which seq. */
  caughtUpAt: number | null;
  hostSeq: number;
  /** The host holds this friend's wall up to this seq (its `want`s said so). */
  heldByHost: number;
  closes: number;
  errors: string[];
}

const randomBytes = (length: number): Uint8Array => crypto.getRandomValues(new Uint8Array(length));

function keyOf(hex: string, what: string): Uint8Array {
  const key = fromHex(hex, 32);
  if (!key) throw new Error(`${what} is not a 32-byte hex key`);
  return key;
}

/** Starts one friend: writes its wall, goes online on the broker and lets the host's presence start sync. */
export async function startFriend(spec: FriendSpec, host: HostSpec, verifier: Verifier): Promise<() => FriendReport> {
  const identity: Identity = { handle: spec.handle, secretKey: keyOf(spec.secretKey, 'secretKey'), publicKey: keyOf(spec.publicKey, 'publicKey'), rotations: [] };
  const replica = createMemoryReplica();
  const report: FriendReport = {
    handle: spec.handle, startedAt: Date.now(), openAt: null, readyAt: null, readies: 0, caughtUpAt: null, hostSeq: 0, heldByHost: 0, closes: 0, errors: [],
  };
  await replica.putFriend({ handle: host.handle, key: keyOf(host.publicKey, 'host key'), rotations: [], since: Date.now() });
  for (let n = 1; n <= host.posts; n++) {
    const text = `Post ${n} of ${host.posts} by @${spec.handle}: a small wall, so every session has something to sync.`;
    const written = await writeOwnEntry(replica, identity, { kind: 'post', body: { text, media: [] } }, { randomBytes, now: Date.now, verifier });
    if (!written.ok) throw new Error(`@${spec.handle} could not write post ${n}: ${written.reason}`);
  }

  let online = false;
  const peer = createPeerJsPeer(spec.handle, { ...peerServerOptions(host.brokerUrl), token: spec.token, iceServers: [] });
  const onEvent = (_friend: string, event: SyncEvent): void => {
    if (event.type === 'ready') {
      report.readies += 1;
      report.readyAt ??= Date.now();
    } else if (event.type === 'upToDate' && event.wall === host.handle) {
      report.caughtUpAt ??= Date.now();
      report.hostSeq = Math.max(report.hostSeq, event.seq);
    } else if (event.type === 'peerHolds' && event.wall === spec.handle) {
      report.heldByHost = Math.max(report.heldByHost, event.seq);
    } else if (event.type === 'closed') {
      report.closes += 1;
      if (event.code) report.errors.push(`closed: ${event.code} ${event.reason}`);
    }
  };
  const connections = createSyncConnections({
    replica,
    identity,
    access: { isOnline: () => online, connect: (handle) => peer.connect(handle) },
    now: Date.now,
    randomBytes,
    relay: { store: createMemoryRelayStore(), pulls: createWallPulls(Date.now), verified: createSignatureCache() },
    verifier,
    timers: realTimers,
    options: CONNECTION_DEFAULTS,
    mayConnect: (handle) => handle === host.handle,
    onEvent,
    onChange: () => undefined,
    addProblem: (sentence) => void report.errors.push(sentence),
  });
  peer.on('open', () => {
    online = true;
    report.openAt ??= Date.now();
    peer.sendToBroker(allowFrame([host.handle], []));
  });
  peer.on('server-message', (message) => {
    const frame = parseServerFrame(message);
    if (frame?.type === 'PW_PRESENCE') connections.onPresence(frame.payload.online, frame.payload.offline);
  });
  peer.on('connection', (link) => (link.label === SYNC_LABEL ? connections.incoming(link) : link.close()));
  peer.on('disconnected', () => {
    online = false;
    connections.clearPresence();
  });
  peer.on('error', (error) => void report.errors.push(`peer: ${error.type} ${error.message}`.slice(0, 200)));
  return () => ({ ...report, errors: report.errors.slice(-5) });
}
