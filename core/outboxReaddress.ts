import { bytesEqual, toHex } from './bytes';
import { type SignedEntry, entryId, entryIdBytes, signHeader } from './entry';
import type { Identity } from './identity';
import type { OutboxItem, Replica } from './replica';

/**
 * After the friend or the author rotated keys, entries still queued for the friend's wall carry an
 * old key and would be refused; re-signs them for the current keys (same content, new id). A queued
 * entry that targets another queued one follows its new id, and the queue keeps its order, so a
 * later edit still lands after an earlier one (docs/protocol.md §4.2).
 *
 * With `oldWallGone` (the user accepted an unproven key: the friend's old wall was dropped), an
 * entry that targets anything but another re-addressed queued entry targets the dropped wall and can
 * never be sealed: it leaves the queue and is returned, oldest first, so its author can be told.
 */
export async function readdressOutbox(
  replica: Replica,
  identity: Identity,
  wall: string,
  wallKey: Uint8Array,
  options: { oldWallGone?: boolean } = {},
): Promise<OutboxItem[]> {
  const renamed = new Map<string, Uint8Array>();
  const undeliverable: OutboxItem[] = [];
  let moved = false;
  for (const item of await replica.outbox(wall)) {
    const h = item.entry.header;
    const renamedTarget = h.target ? renamed.get(toHex(h.target)) : undefined;
    if (options.oldWallGone && h.target && !renamedTarget) {
      undeliverable.push(item);
      await replica.removeFromOutbox(wall, [item.id]);
      continue;
    }
    const target = renamedTarget ?? h.target;
    const current = bytesEqual(h.wallKey, wallKey) && bytesEqual(h.authorKey, identity.publicKey) && target === h.target;
    if (current && !moved) continue;
    const header = current ? h : { ...h, wallKey, authorKey: identity.publicKey, target };
    const entry: SignedEntry = current ? item.entry : { header, authorSig: signHeader(header, identity.secretKey), body: item.entry.body };
    const id = entryId(header);
    if (!current) renamed.set(item.id, entryIdBytes(header));
    moved = true;
    await replica.removeFromOutbox(wall, [item.id]);
    await replica.addToOutbox(wall, { id, entry, queuedAt: item.queuedAt });
  }
  return undeliverable;
}
