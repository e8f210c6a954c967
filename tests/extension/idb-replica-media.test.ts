import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { writeOwnEntry } from '@/core/author';
import { createIdentity } from '@/core/identity';
import { planIngest } from '@/core/ingest';
import { knownAuthors } from '@/core/knownAuthors';
import { createMemoryReplica } from '@/core/memoryReplica';
import { openContentDb } from '@/platform/content-db';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';
import { createIdbReplica } from '@/platform/social/idb-replica';
import { makePhoto, nameOf } from '../core/support/photos';

const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
let clock = 1_000;
const deps = { randomBytes, now: () => (clock += 10) };

/** alice's wall with a photo post (and a text post after it), as her own replica holds it. */
async function alicesWall() {
  const alice = createIdentity('alice', randomBytes);
  const source = createMemoryReplica();
  const beach = makePhoto('beach', 2);
  const photoPost = await writeOwnEntry(source, alice, { kind: 'post', body: { text: 'beach', media: [], photos: [beach.photo] } }, deps);
  if (!photoPost.ok) throw new Error(photoPost.reason);
  await writeOwnEntry(source, alice, { kind: 'post', body: { text: 'words', media: [] } }, deps);
  return { alice, beach, id: photoPost.value.id, entries: await source.entriesAfter('alice', 0, 10) };
}

describe('IndexedDB replica and photo references', () => {
  it('records the files a stored photo post refers to in the same write, before anything else asks', async () => {
    const { alice, beach, id, entries } = await alicesWall();
    const db = await openContentDb(`replica-media-${Math.random()}`);
    const replica = createIdbReplica(db);

    const plan = await planIngest(replica, 'alice', entries, alice.publicKey, deps.now, knownAuthors(alice, []));
    if (!plan.ok) throw new Error(plan.reason);
    expect(await replica.commit(plan.value)).toEqual({ ok: true, value: undefined });

    const wanted = await createIdbMediaStore(db).wanted();
    expect(wanted.map((w) => [nameOf(w.ref), w.uses])).toEqual(
      expect.arrayContaining([
        [nameOf(beach.photo.full), [{ wall: 'alice', entry: id, thumbnail: false }]],
        [nameOf(beach.photo.thumbnail), [{ wall: 'alice', entry: id, thumbnail: true }]],
      ]),
    );
    expect(wanted).toHaveLength(2);
  });

  it('records them when the body comes late, and records nothing for a write that fails', async () => {
    const { alice, beach, id, entries } = await alicesWall();
    const db = await openContentDb(`replica-media-${Math.random()}`);
    const replica = createIdbReplica(db);
    const media = createIdbMediaStore(db);
    const ingest = async (batch: typeof entries) => {
      const plan = await planIngest(replica, 'alice', batch, alice.publicKey, deps.now, knownAuthors(alice, []));
      if (!plan.ok) throw new Error(plan.reason);
      return { plan: plan.value, result: await replica.commit(plan.value) };
    };

    const bare = await ingest(entries.map((e) => (e.id === id ? { ...e, body: null } : e)));
    expect(bare.result.ok).toBe(true);
    expect(await media.wanted()).toEqual([]);
    // The photo post again, with its body, as a third entry: its id is held already, so the write fails as
    // a whole — after its references were put — and none of them stays.
    const photoEntry = entries.find((e) => e.id === id)!;
    const duplicate = { ...bare.plan, expectedSeq: 2, state: { ...bare.plan.state, seq: 3 }, append: [{ ...photoEntry, seq: 3 }], fillBodies: [], tombstone: [], feed: [] };
    await expect(replica.commit(duplicate)).rejects.toThrow();
    expect(await media.wanted()).toEqual([]);

    await ingest(entries);
    expect((await media.wanted()).map((w) => nameOf(w.ref)).sort()).toEqual([nameOf(beach.photo.full), nameOf(beach.photo.thumbnail)].sort());
  });
});
