import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openContentDb } from '@/platform/content-db';
import { createIdbRefillMarks } from '@/platform/social/idb-refill-marks';

describe('the marks of walls pulled again for withheld photo posts', () => {
  it('marks each wall on its own, and keeps the mark when the database is opened again', async () => {
    const name = `refill-${Math.random()}`;
    const marks = createIdbRefillMarks(await openContentDb(name));
    expect(await marks.needed('alice')).toBe(true);

    await marks.done('alice');

    expect(await marks.needed('alice')).toBe(false);
    expect(await marks.needed('bob')).toBe(true);
    const db = await openContentDb(name);
    expect(await createIdbRefillMarks(db).needed('alice')).toBe(false);
    db.close();
  });
});
