import { relayStatusFrame, type RelayRejection, type RelayStatus } from '../../core/signalling';
import type { SignallingHub } from './hub';
import type { MeshMessage, SignallingMesh } from './mesh';
import { listens } from './peer';

// What other nodes tell this one about the handles it holds; the hub does the rest (docs/broker.md#several-nodes).

/** A message from another node about a handle this node holds (or held a moment ago). */
export function onMeshMessage(hub: SignallingHub, mesh: SignallingMesh, message: MeshMessage): void {
  const target = hub.peer(message.to);
  switch (message.t) {
    case 'signal':
      if (target && listens(target, message.src)) hub.send(target, message.frame);
      return;
    case 'relay': {
      const answer = (status: RelayStatus, reason?: RelayRejection) => {
        const frame = JSON.stringify(relayStatusFrame(message.id, message.to, status, reason));
        return mesh.send({ t: 'frame', to: message.src, conn: message.conn, frame });
      };
      if (target) {
        answer(hub.deliverRelay(target, message.src, message.frame)).catch(() => undefined);
        return;
      }
      // `to` left this node meanwhile: keep it for its next connection, as if it had been offline.
      mesh
        .relay(message, true)
        .then((result) => (result === 'too_large' ? answer('rejected', 'queue_full') : answer('accepted')))
        .catch(() => undefined);
      return;
    }
    case 'frame':
      if (target?.conn === message.conn) hub.send(target, message.frame);
      return;
    case 'presence':
      if (!target?.allow.has(message.from)) return;
      hub.presence(target, message.online ? [message.from] : [], message.online ? [] : [message.from]);
      return;
    case 'end':
      if (target && (message.conn === undefined || message.conn === target.conn)) hub.refuse(target, message.code);
      return;
  }
}

/**
 * The mesh was away and is back (Redis restarted, say): claims every socket held here again, ends those
 * a newer sign-in took over meanwhile, publishes their allowlists and tells each its friends' presence.
 */
export async function resync(hub: SignallingHub, mesh: SignallingMesh): Promise<void> {
  for (const peer of hub.held()) {
    if (hub.peer(peer.session.handle) !== peer) continue;
    const claim = await mesh.claim(peer.session, peer.conn).catch(() => undefined);
    if (!claim) return; // away again: the next reconnect starts over
    if (!claim.ok) {
      hub.refuse(peer, 'signed_in_elsewhere');
      continue;
    }
    if (claim.replaced && claim.replaced.conn !== peer.conn) hub.end(peer.session.handle, claim.replaced, 'signed_in_elsewhere');
    if (peer.allow.size === 0) continue;
    hub.enqueue(peer, async () => {
      const me = peer.session.handle;
      const here = [...peer.allow].filter((handle) => hub.peer(handle)?.allow.has(me));
      const elsewhere = await mesh.publishAllow(me, peer.conn, peer.allow);
      const online = new Set([...here, ...elsewhere]);
      hub.presence(peer, [...online], [...peer.allow].filter((handle) => !online.has(handle)));
    });
  }
}
