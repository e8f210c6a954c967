import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@/core/bytes';
import type { StoredEntry } from '@/core/replica';
import { openContentDb, type ContentDb } from '@/platform/content-db';
import { createFaultSwitch, InjectedFault } from '@/platform/social/fault-switch';
import { createIdbReplica } from '@/platform/social/idb-replica';
import { befriend, connect, makeUser, post, text, type User } from '../core/support/world';
import { life } from './support/crash-life';

/** About 2.6 KB each, so the catch-up takes 4 batches of about 95. */
const POSTS = 300;

let alice: User;
let bob: User;
let carol: User;
let aliceLog: StoredEntry[];
let aliceHead: Uint8Array;
let carolLog: StoredEntry[];
let carolHead: Uint8Array;
let databases = 0;

beforeAll(async () => {
  alice = makeUser('alice');
  bob = makeUser('bob');
  await befriend(alice, bob);
  for (let i = 1; i <= POSTS; i++) await post(alice, text(`post ${i} `.padEnd(2_500, 'x')));
  aliceLog = await alice.replica.entriesAfter('alice', 0, POSTS);
  aliceHead = (await alice.replica.wallState('alice'))!.sealHash;
  // carol's wall, of which alice holds a copy: what carol restores after losing her browser (§8).
  carol = makeUser('carol');
  await befriend(alice, carol);
  for (let i = 1; i <= 200; i++) await post(carol, text(`carol ${i} `.padEnd(2_500, 'x')));
  await connect(alice, carol);
  carolLog = await carol.replica.entriesAfter('carol', 0, 200);
  carolHead = (await carol.replica.wallState('carol'))!.sealHash;
}, 60_000);

/**
 * What a database holds of a wall (alice's by default), checked for consistency: entries contiguous from 1
 * to the head the wall state names, each the one its owner sealed at that position, and a feed row for each post.
 */
async function consistentCopy(db: ContentDb, wall = 'alice', log = aliceLog, head = aliceHead): Promise<number> {
  const state = await db.get('walls', wall);
  const entries = await db.getAll('entries', IDBKeyRange.bound([wall, 0], [wall, Number.MAX_SAFE_INTEGER]));
  const held = state?.seq ?? 0;
  expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: held }, (_, i) => i + 1));
  expect(entries.map((e) => e.id)).toEqual(log.slice(0, held).map((e) => e.id));
  // The head's seal hash is what the next entry names as its `prev` (or the owner's own head, at the end).
  if (held > 0) expect(toHex(state!.sealHash)).toBe(toHex(held < log.length ? log[held]!.prev : head));
  const feed = await db.getAllFromIndex('feed', 'byWall', IDBKeyRange.bound([wall], [wall, []]));
  expect(feed.map((row) => row.id).sort()).toEqual(log.slice(0, held).map((e) => e.id).sort());
  return held;
}

const crash = fc.record({
  batch: fc.integer({ min: 1, max: 5 }),
  point: fc.constantFrom('beforeStore' as const, 'inTransaction' as const, 'afterStore' as const),
  freeze: fc.boolean(),
  /** After a thrown fault: whether the process died too (else the same one reconnects). */
  restart: fc.boolean(),
});

describe('crash safety of a catch-up (issue 13, docs/protocol.md §7.3)', () => {
  it('ends, after any crashes while storing batches and restarts, with exactly the owner’s log', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(crash, { minLength: 1, maxLength: 4 }), async (crashes) => {
        const name = `crash-${++databases}`;
        let db = await openContentDb(name);
        for (const c of crashes) {
          // A freeze inside a transaction is not a crash: the transaction would commit by itself (replica-faults.ts).
          const action = c.freeze && c.point !== 'inTransaction' ? 'freeze' : 'throw';
          const before = await consistentCopy(db);
          const run = await life(alice, bob, db, { wall: 'alice', batch: c.batch, point: c.point, action });
          // Catch-up resumes where the last life stopped.
          if (run.wants.length > 0) expect(run.wants[0]).toBe(before);
          const held = await consistentCopy(db);
          if (run.struck && (action === 'freeze' || c.restart)) {
            db.close(); // the process is gone: nothing it had in flight reaches the database
            db = await openContentDb(name);
          }
          if (!run.struck) expect(held).toBe(POSTS);
        }
        const last = await life(alice, bob, db, null);
        expect(last.struck).toBe(false);
        expect(await consistentCopy(db)).toBe(POSTS);
        expect(await db.count('entries')).toBe(POSTS);
        db.close();
      }),
      { numRuns: 10 },
    );
  }, 60_000);

  it('aborts a batch whose transaction throws: nothing of it stays after the batch before it', async () => {
    const db = await openContentDb(`crash-${++databases}`);
    const run = await life(alice, bob, db, { wall: 'alice', batch: 2, point: 'inTransaction', action: 'throw' });
    expect(run.struck).toBe(true);
    const held = await consistentCopy(db);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(POSTS);
    // The second batch started where the first ended and none of it was stored.
    expect(run.wants.slice(0, 2)).toEqual([0, held]);
    db.close();
  });

  it('restores one’s own wall from a friend across a crash: still restoring after it, exactly the old log at the end', async () => {
    const name = `crash-${++databases}`;
    let db = await openContentDb(name);
    await createIdbReplica(db).setRecovering(true); // a new browser, the identity restored (§8)
    const run = await life(alice, carol, db, { wall: 'carol', batch: 2, point: 'afterStore', action: 'freeze' }, { wall: 'carol' });
    expect(run.struck).toBe(true);
    db.close();
    db = await openContentDb(name);
    const held = await consistentCopy(db, 'carol', carolLog, carolHead);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(carolLog.length);
    expect(await createIdbReplica(db).recovering()).toBe(true);

    const last = await life(alice, carol, db, null, { wall: 'carol' });
    expect(last.wants[0]).toBe(held);
    expect(await consistentCopy(db, 'carol', carolLog, carolHead)).toBe(carolLog.length);
    expect(await createIdbReplica(db).recovering()).toBe(false);
    db.close();
  });

  it('strikes once, at the planned batch of the planned wall, and only for pulled batches', async () => {
    const struck: unknown[] = [];
    const plan = { wall: 'alice', batch: 2, point: 'afterStore', action: 'throw' };
    const faults = createFaultSwitch(() => plan, (s) => struck.push(s));
    const write = (wall: string, seq: number, refetchable = true) =>
      ({ wall, expectedSeq: seq - 1, state: { seq } as never, append: [], fillBodies: [], tombstone: [], feed: [], refetchable });
    const go = async (w: ReturnType<typeof write>) => {
      await faults.around('beforeStore', w);
      faults.inside(w);
      return faults.around('afterStore', w);
    };
    await go(write('alice', 1));
    await go(write('carol', 2));
    await go(write('alice', 3, false));
    await expect(go(write('alice', 4))).rejects.toBeInstanceOf(InjectedFault);
    await go(write('alice', 5));
    expect(struck).toEqual([{ wall: 'alice', batch: 2, point: 'afterStore', action: 'throw', seq: 4 }]);
  });
});
