import { toHex } from './bytes';
import type { Result } from './result';
import type { FriendRecord, OutboxItem, Replica, StoredEntry, WallState, WallWrite } from './replica';

type WallData = { state: WallState; bySeq: StoredEntry[]; byId: Map<string, StoredEntry> };

const copy = <T>(value: T): T => structuredClone(value);

/** The in-memory `Replica`, used by tests and as the reference for other implementations. */
export function createMemoryReplica(): Replica {
  const walls = new Map<string, WallData>();
  const friends = new Map<string, FriendRecord>();
  const outboxes = new Map<string, OutboxItem[]>();
  let recovering = false;

  return {
    async wallState(wall) {
      const data = walls.get(wall);
      return data ? copy(data.state) : null;
    },
    async entriesAfter(wall, afterSeq, limit) {
      const data = walls.get(wall);
      if (!data) return [];
      return copy(data.bySeq.slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + Math.max(0, limit)));
    },
    async entryById(wall, id) {
      const found = walls.get(wall)?.byId.get(id);
      return found ? copy(found) : null;
    },
    async entriesTargeting(wall, targetId) {
      const data = walls.get(wall);
      if (!data) return [];
      return copy(data.bySeq.filter((e) => e.header.target && toHex(e.header.target) === targetId));
    },
    async commit(write: WallWrite): Promise<Result<void>> {
      const current = walls.get(write.wall);
      if ((current?.state.seq ?? 0) !== write.expectedSeq) return { ok: false, reason: 'conflict' };
      const base = write.dropFrom === undefined ? write.expectedSeq : write.dropFrom - 1;
      if (base < 0 || base > write.expectedSeq) return { ok: false, reason: 'the dropped entries are not held' };
      if (write.append.some((e, i) => e.seq !== base + i + 1)) {
        return { ok: false, reason: 'append is not contiguous' };
      }
      const data: WallData = current ?? { state: write.state, bySeq: [], byId: new Map() };
      for (const dropped of data.bySeq.splice(base)) data.byId.delete(dropped.id);
      for (const entry of write.append.map(copy)) {
        data.bySeq.push(entry);
        data.byId.set(entry.id, entry);
      }
      for (const { id, body } of write.fillBodies) {
        const e = data.byId.get(id);
        if (e && !e.tombstoned) e.body = body.slice();
      }
      for (const id of write.tombstone) {
        const e = data.byId.get(id);
        if (e) {
          e.body = null;
          e.tombstoned = true;
        }
      }
      data.state = copy(write.state);
      walls.set(write.wall, data);
      return { ok: true, value: undefined };
    },
    async dropWall(wall) {
      walls.delete(wall);
    },
    async friend(handle) {
      const f = friends.get(handle);
      return f ? copy(f) : null;
    },
    async friends() {
      return copy([...friends.values()]);
    },
    async putFriend(friend) {
      friends.set(friend.handle, copy(friend));
    },
    async removeFriend(handle) {
      friends.delete(handle);
    },
    async outbox(wall) {
      return copy(outboxes.get(wall) ?? []);
    },
    async addToOutbox(wall, item) {
      const list = outboxes.get(wall) ?? [];
      if (!list.some((i) => i.id === item.id)) list.push(copy(item));
      outboxes.set(wall, list);
    },
    async removeFromOutbox(wall, ids) {
      const list = outboxes.get(wall);
      if (list) outboxes.set(wall, list.filter((i) => !ids.includes(i.id)));
    },
    async recovering() {
      return recovering;
    },
    async setRecovering(value) {
      recovering = value;
    },
  };
}
