import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '@/core/limits';
import { openContentDb } from '@/platform/content-db';
import { createIdbSettledForks } from '@/platform/social/fork-store';

const point = (friend: string, seq: number, fill = 1) => ({ friend, seq, seal: new Uint8Array(32).fill(fill) });

describe('settled forks of one\'s own wall in IndexedDB (§8 Forks step 2)', () => {
  it('are remembered across a reopen, per friend, position and seal hash, the newest LIMITS.settledForks', async () => {
    const name = `settled-${Math.random()}`;
    const first = createIdbSettledForks(await openContentDb(name));
    await first.add(point('bob', 4));
    await first.add(point('bob', 4)); // once
    const db = await openContentDb(name);
    const settled = createIdbSettledForks(db);
    expect(await settled.has(point('bob', 4))).toBe(true);
    expect(await settled.has(point('carol', 4))).toBe(false);
    expect(await settled.has(point('bob', 5))).toBe(false);
    expect(await settled.has(point('bob', 4, 2))).toBe(false);
    for (let seq = 10; seq < 10 + LIMITS.settledForks; seq++) await settled.add(point('bob', seq));
    expect(await settled.has(point('bob', 4))).toBe(false);
    expect(await settled.has(point('bob', 10))).toBe(true);
    expect(((await db.get('meta', 'settledForks'))?.value as unknown[]).length).toBe(LIMITS.settledForks);
  });

  it('reads a damaged record as nothing remembered', async () => {
    const db = await openContentDb(`settled-${Math.random()}`);
    await db.put('meta', { key: 'settledForks', value: [42, 'x'.repeat(500), { a: 1 }] });
    expect(await createIdbSettledForks(db).has(point('bob', 4))).toBe(false);
    await db.put('meta', { key: 'settledForks', value: 'not a list' });
    await createIdbSettledForks(db).add(point('bob', 4));
    expect(await createIdbSettledForks(db).has(point('bob', 4))).toBe(true);
  });
});
