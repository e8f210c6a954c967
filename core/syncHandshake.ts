import { readdressOutbox } from './author';
import { bytesEqual } from './bytes';
import { type HandshakeSide, negotiateVersion, signHandshake, verifyHandshake } from './handshake';
import type { Identity } from './identity';
import type { ErrorCode, PeerMessage } from './messages';
import type { Replica } from './replica';
import { redoAdoption } from './recoveryConfirm';
import { judgeHello } from './syncHello';
import type { Verifier } from './verifier';

/** What the handshake settled: the version both speak, the friend's side of the transcript and its genesis key. */
export type Handshaken = { version: number; peerSide: HandshakeSide; peerGenesis: Uint8Array };

export type HandshakeDeps = {
  replica: Replica;
  identity: Identity;
  peer: string;
  versions: readonly number[];
  verifier: Verifier;
  /** This side's `hello` nonce. */
  nonce: Uint8Array;
  localFingerprint: string;
  remoteFingerprint: string;
  send(m: PeerMessage): void;
  refuse(code: ErrorCode, reason: string): void;
  unsupported(offered: readonly number[]): void;
  onKeyChanged(key: Uint8Array): void;
  onKeyRotated(key: Uint8Array): void;
};

/**
 * The handshake of one sync session (docs/protocol.md §7.2): the friend's `hello` is judged against the pin
 * (and answered with `auth`), its `auth` is checked against this connection's transcript, and only then does the
 * pin follow a rotation the `hello` proved — re-addressing what is queued for the friend (§4.2).
 */
export function createHandshake(d: HandshakeDeps) {
  const { replica, identity, peer } = d;
  let version = 0;
  let peerSide: HandshakeSide | null = null;
  let peerGenesis: Uint8Array | null = null;
  let pendingRotation: { key: Uint8Array; rotations: Identity['rotations'] } | null = null;
  const mySide = (): HandshakeSide => ({ handle: identity.handle, key: identity.publicKey, nonce: d.nonce, fingerprint: d.localFingerprint });

  return {
    /** True once the friend's `hello` was taken: a second one is a protocol error. */
    get helloSeen(): boolean {
      return peerSide !== null;
    },
    async hello(m: Extract<PeerMessage, { type: 'hello' }>): Promise<void> {
      const v = negotiateVersion(d.versions, m.versions);
      if (v === null) return d.unsupported(m.versions);
      // The handle is checked before any storage read, so an impostor is refused at once.
      const pinned = m.handle === peer ? await replica.friend(peer) : null;
      // A recovery entry stored before a crash kept its statement out of the pin: taken now (§8 step 4).
      const friend = pinned ? await redoAdoption(replica, pinned) : null;
      const verdict = judgeHello(identity.handle, peer, friend, m);
      if (!verdict.ok) {
        if (verdict.keyChanged) d.onKeyChanged(m.key);
        return d.refuse(verdict.code, verdict.reason);
      }
      pendingRotation = verdict.rotation;
      version = v;
      peerGenesis = verdict.genesis;
      peerSide = { handle: m.handle, key: m.key, nonce: m.nonce, fingerprint: d.remoteFingerprint };
      d.send({ type: 'auth', signature: signHandshake(v, mySide(), peerSide, identity.secretKey) });
    },
    /** The friend's `auth`: what the handshake settled, or null when it was refused. */
    async auth(signature: Uint8Array): Promise<Handshaken | null> {
      if (!peerSide || !peerGenesis) {
        d.refuse('bad_message', 'auth arrived before hello.');
        return null;
      }
      if (!(await verifyHandshake(d.verifier, version, peerSide, mySide(), signature))) {
        d.refuse('bad_auth', `@${peer}'s handshake signature does not match this connection.`);
        return null;
      }
      if (pendingRotation) {
        const friend = await replica.friend(peer);
        if (friend) await replica.putFriend({ ...friend, key: pendingRotation.key, rotations: pendingRotation.rotations });
        if (friend && !bytesEqual(friend.key, pendingRotation.key)) {
          await readdressOutbox(replica, identity, peer, pendingRotation.key);
          d.onKeyRotated(pendingRotation.key);
        }
      }
      return { version, peerSide, peerGenesis };
    },
  };
}
