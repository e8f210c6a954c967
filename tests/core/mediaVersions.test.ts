import { describe, expect, it } from 'vitest';
import { decodeMessage, PROTOCOL_VERSIONS } from '../../core/messages';
import { buildWallView } from '../../core/wallView';
import { createMemoryMediaStore } from '../../core/mediaStore';
import type { MediaEvent } from '../../core/syncMedia';
import { createMemoryRefillMarks } from '../../core/syncRefill';
import { makePhoto, nameOf, postPhotos, queuePhotos } from './support/photos';
import { befriend, connect, makeUser, post, queue, text } from './support/world';

describe('a version-4 peer and a version-3 peer', () => {
  it('sync text both ways; the older side keeps the photo post without the body it cannot read', async () => {
    const alice = makeUser('alice', 'alice', { media: true });
    const bob = makeUser('bob', 'bob', { versions: [1, 2, 3] });
    await befriend(alice, bob);
    const beach = makePhoto('beach', 2);
    const photoPost = await postPhotos(alice, 'At the beach', [beach]);
    await post(alice, text('plain words'));
    const photoWallPost = await queuePhotos(alice, 'bob', 'For your wall', [beach]);
    await queue(alice, 'bob', { kind: 'wallPost', body: { text: 'hello bob', media: [] } });
    await post(bob, text('from an older version'));

    await connect(alice, bob);

    for (const u of [alice, bob]) {
      expect(u.events.find((e) => e.type === 'ready')).toMatchObject({ version: 3 });
      expect(u.events.filter((e) => e.type === 'closed')).toEqual([]);
    }
    const held = await bob.replica.entriesAfter('alice', 0, 10);
    expect(held.map((e) => e.id)).toEqual([photoPost.id, (await alice.replica.entriesAfter('alice', 1, 1))[0]!.id]);
    expect(held[0]).toMatchObject({ body: null, tombstoned: false, header: photoPost.header, ownerSig: photoPost.ownerSig });
    expect(buildWallView('alice', held).posts.map((p) => p.text)).toEqual(['plain words', null]);
    // Text flows the other way, and alice's text wall post is sealed on bob's wall; her photo wall post waits for version 4.
    expect((await alice.replica.entriesAfter('bob', 0, 10)).length).toBe(2);
    expect(buildWallView('bob', await bob.replica.entriesAfter('bob', 0, 10)).posts.map((p) => p.text)).toEqual(['hello bob', 'from an older version']);
    expect((await alice.replica.outbox('bob')).map((i) => i.id)).toEqual([photoWallPost]);
  });

  it('delivers the waiting photo wall post once the friend speaks version 4, and its files come from their author', async () => {
    const alice = makeUser('alice', 'alice', { media: true });
    const bob = makeUser('bob', 'bob', { versions: [1, 2, 3] });
    await befriend(alice, bob);
    const beach = makePhoto('beach', 3);
    const id = await queuePhotos(alice, 'bob', 'For your wall', [beach]);
    await connect(alice, bob);
    expect(await bob.replica.entryById('bob', id)).toBeNull();

    const events: MediaEvent[] = [];
    bob.versions = undefined;
    bob.media = { store: createMemoryMediaStore(), onEvent: (e) => events.push(e), events };
    await connect(alice, bob);

    expect(bob.events.filter((e) => e.type === 'ready').at(-1)).toMatchObject({ version: PROTOCOL_VERSIONS.at(-1) });
    const sealed = await bob.replica.entryById('bob', id);
    expect(buildWallView('bob', sealed ? [sealed] : []).posts[0]?.photos).toEqual([beach.photo]);
    expect(await bob.media.store.completeSize(nameOf(beach.photo.full))).toBe(beach.full.length);
    expect(events.filter((e) => e.type === 'mediaStored')).toHaveLength(2);
    expect(await alice.replica.outbox('bob')).toEqual([]);
  });

  it('after upgrading, pulls the friend’s wall again once so the photo posts it got without bodies are filled in, and fetches their files', async () => {
    const alice = makeUser('alice', 'alice', { media: true });
    const bob = makeUser('bob', 'bob', { versions: [1, 2, 3] });
    await befriend(alice, bob);
    const beach = makePhoto('beach', 3);
    const photoPost = await postPhotos(alice, 'At the beach', [beach]);
    await post(alice, text('plain words'));
    await connect(alice, bob);
    expect((await bob.replica.entryById('alice', photoPost.id))?.body).toBeNull();

    const refill = createMemoryRefillMarks();
    bob.versions = undefined;
    const media = { store: createMemoryMediaStore(), onEvent: () => undefined, events: [], refill };
    bob.media = media;
    await connect(alice, bob);

    const held = await bob.replica.entriesAfter('alice', 0, 10);
    expect(buildWallView('alice', held).posts.map((p) => [p.text, p.photos ?? []])).toEqual([
      ['plain words', []],
      ['At the beach', [beach.photo]],
    ]);
    expect(await media.store.completeSize(nameOf(beach.photo.full))).toBe(beach.full.length);
    expect(await refill.needed('alice')).toBe(false);
  });

  it('pulls a wall again until the batch that reaches its head: a session cut before that leaves it to the next one', async () => {
    const alice = makeUser('alice', 'alice', { media: true });
    const bob = makeUser('bob', 'bob', { versions: [1, 2, 3] });
    await befriend(alice, bob);
    const beach = makePhoto('beach', 1);
    const photoPost = await postPhotos(alice, 'At the beach', [beach]);
    await connect(alice, bob);
    expect((await bob.replica.entryById('alice', photoPost.id))?.body).toBeNull();

    const refill = createMemoryRefillMarks();
    bob.versions = undefined;
    bob.media = { store: createMemoryMediaStore(), onEvent: () => undefined, events: [], refill };
    // alice's answers for her wall are lost, as when the link drops right after bob asked.
    const cut = (frame: Uint8Array, from: 'a' | 'b') => {
      const m = decodeMessage(frame);
      return from === 'a' && m.ok && m.value.type === 'batch' && m.value.wall === 'alice' ? [] : [frame];
    };
    await connect(alice, bob, { tap: cut, allowUnanswered: true });
    expect(await refill.needed('alice')).toBe(true);
    expect((await bob.replica.entryById('alice', photoPost.id))?.body).toBeNull();

    await connect(alice, bob);
    expect((await bob.replica.entryById('alice', photoPost.id))?.body).not.toBeNull();
    expect(await refill.needed('alice')).toBe(false);
  });

  it('pulls a wall again only once: a wall already pulled again is asked for from its head, as before', async () => {
    const alice = makeUser('alice', 'alice', { media: true });
    const bob = makeUser('bob', 'bob', { versions: [1, 2, 3] });
    await befriend(alice, bob);
    const photoPost = await postPhotos(alice, 'At the beach', [makePhoto('beach', 1)]);
    await connect(alice, bob);
    /** Where each of bob's `want`s for alice's wall starts. */
    const wants: number[] = [];
    const tap = (frame: Uint8Array, from: 'a' | 'b') => {
      const m = decodeMessage(frame);
      if (from === 'b' && m.ok && m.value.type === 'want' && m.value.wall === 'alice') wants.push(m.value.afterSeq);
      return [frame];
    };
    const refill = createMemoryRefillMarks();
    await refill.done('alice');

    bob.versions = undefined;
    bob.media = { store: createMemoryMediaStore(), onEvent: () => undefined, events: [], refill };
    await connect(alice, bob, { tap });

    expect(wants).toEqual([1]);
    expect((await bob.replica.entryById('alice', photoPost.id))?.body).toBeNull();
  });
});
