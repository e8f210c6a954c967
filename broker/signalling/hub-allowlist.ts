import type { SignallingHub } from './hub';
import type { SignallingMesh } from './mesh';
import { ALLOW_BURST, ALLOW_EVERY_MS, HANDLES_PER_ALLOW_TOKEN, type Peer } from './peer';

/**
 * Applies an allowlist change now, or — once the handle's budget is spent — as soon as it allows, the
 * latest replacing any still waiting. Each change costs work in proportion to both lists, so it costs
 * one token per HANDLES_PER_ALLOW_TOKEN handles; a change is applied while at least one token is left
 * and may run the budget into debt, which the next changes wait out. The budget is the handle's, not
 * the socket's, so reconnecting does not refill it. Coalescing loses nothing a client meant.
 */
export async function changeAllowlist(
  hub: SignallingHub,
  mesh: SignallingMesh,
  peer: Peer,
  allow: ReadonlySet<string>,
  blocked: ReadonlySet<string>,
): Promise<void> {
  const now = hub.clock();
  const budget = peer.allowBudget;
  budget.tokens = Math.min(ALLOW_BURST, budget.tokens + (now - budget.refilledAt) / ALLOW_EVERY_MS);
  budget.refilledAt = now;
  if (budget.tokens >= 1 && !peer.pendingAllow) {
    budget.tokens -= Math.max(1, Math.ceil((allow.size + blocked.size) / HANDLES_PER_ALLOW_TOKEN));
    return setAllowlist(hub, mesh, peer, allow, blocked);
  }
  peer.pendingAllow = { allow, blocked };
  if (peer.allowTimer) return;
  peer.allowTimer = setTimeout(() => {
    peer.allowTimer = null;
    const pending = peer.pendingAllow;
    peer.pendingAllow = null;
    if (!pending || hub.peer(peer.session.handle) !== peer) return;
    hub.enqueue(peer, () => changeAllowlist(hub, mesh, peer, pending.allow, pending.blocked));
  }, Math.ceil((1 - budget.tokens) * ALLOW_EVERY_MS));
  peer.allowTimer.unref?.();
}

/** Tells friends here and elsewhere who gained or lost the peer, then tells the peer which friends are online. */
async function setAllowlist(
  hub: SignallingHub,
  mesh: SignallingMesh,
  peer: Peer,
  allow: ReadonlySet<string>,
  blocked: ReadonlySet<string>,
): Promise<void> {
  const me = peer.session.handle;
  const before = peer.allow;
  peer.allow = allow;
  peer.blocked = blocked;
  for (const handle of new Set([...before, ...allow])) {
    const other = hub.peer(handle);
    if (!other?.allow.has(me) || before.has(handle) === allow.has(handle)) continue;
    if (allow.has(handle)) hub.presence(other, [me], []);
    else hub.presence(other, [], [me]);
  }
  const online = [...allow].filter((handle) => hub.peer(handle)?.allow.has(me));
  const elsewhere = await mesh.publishAllow(me, peer.conn, allow).catch(() => []);
  if (hub.peer(me) !== peer || peer.allow !== allow) return; // a later list or a close overtook this one
  hub.presence(peer, [...online, ...elsewhere.filter((handle) => !hub.peer(handle))], []);
}
