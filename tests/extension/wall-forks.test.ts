// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { decodeBody } from '@/core/body';
import { feedChangesOfAppend } from '@/core/feed';
import type { Replica, WallWrite } from '@/core/replica';
import { sealHash, sealOf } from '@/core/seal';
import WallForkNotice from '@/components/social/WallForkNotice.vue';
import { openContentDb } from '@/platform/content-db';
import { createForkNotice, createIdbForkStatements } from '@/platform/social/fork-store';
import { forkRepairSentence } from '@/platform/social/fork-sentence';
import { createIdbReplica } from '@/platform/social/idb-replica';
import type { ReplicaFaults } from '@/platform/social/replica-faults';
import { type SyncEventDeps, createSyncEventHandler } from '@/platform/social/sync-events';
import type { SocialState } from '@/platform/social/social-views';
import { useFriendsStore } from '@/stores/friends';
import { befriend, connect, makeUser, post, queue, text, type User } from '../core/support/world';

/** A switch that throws inside the IndexedDB transaction of the next fork repair write, once armed. */
function repairCrash() {
  const state = { armed: false };
  const faults: ReplicaFaults = {
    around: async () => undefined,
    inside(write: WallWrite) {
      if (state.armed && write.dropFrom !== undefined) throw new Error('crash inside the repair write');
    },
  };
  return { state, faults };
}

/** A new browser profile restored from a backup of `u` made at `upTo`: an IndexedDB replica holding that much. */
async function restoredFromBackup(u: User, upTo: number, faults: ReplicaFaults) {
  const me = u.identity.handle;
  const db = await openContentDb(`forks-${Math.random()}`);
  const replica: Replica = createIdbReplica(db, faults);
  const entries = await u.replica.entriesAfter(me, 0, upTo);
  const last = entries.at(-1)!;
  const state = { ...(await u.replica.wallState(me))!, seq: upTo, sealHash: sealHash(sealOf(last.header, last.seq, last.prev)) };
  const feed = entries.flatMap((e) => {
    const body = e.body ? decodeBody(e.header.kind, e.body) : null;
    return feedChangesOfAppend(e, body?.ok ? body.value : null);
  });
  const written = await replica.commit({ wall: me, expectedSeq: 0, state, append: entries, fillBodies: [], tombstone: [], feed });
  if (!written.ok) throw new Error(written.reason);
  for (const f of await u.replica.friends()) await replica.putFriend(f);
  return { db, replica };
}

const ids = async (replica: Replica, wall: string) => (await replica.entriesAfter(wall, 0, 1000)).map((e) => e.id);

describe('a fork of one\'s own wall in the browser (§8 Forks)', () => {
  beforeEach(() => fakeBrowser.reset());

  it('is repaired in one IndexedDB transaction, and the person is told in plain words', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    await befriend(alice, bob);
    await post(alice, text('one'));
    await post(alice, text('two'));
    await post(alice, text('three'));
    await post(alice, text('four'));
    await connect(alice, bob);
    const crash = repairCrash();
    const restored = await restoredFromBackup(alice, 2, crash.faults);
    alice.replica = restored.replica;
    alice.forks = { statements: createIdbForkStatements(restored.db) };
    const here = [await post(alice, text('three, again')), await post(alice, text('four, again')), await post(alice, text('five, again'))];
    const before = await ids(alice.replica, 'alice');
    const feedBefore = (await restored.db.getAll('feed')).map((r) => r.id).sort();

    crash.state.armed = true;
    await connect(alice, bob, { allowUnanswered: true });
    expect(alice.events.some((e) => e.type === 'forkRepaired')).toBe(false);
    expect(await ids(alice.replica, 'alice')).toEqual(before);
    expect((await restored.db.getAll('feed')).map((r) => r.id).sort()).toEqual(feedBefore);
    expect(await alice.forks.statements.held('alice')).toEqual([]);

    crash.state.armed = false;
    alice.events = [];
    await connect(alice, bob);
    const repaired = alice.events.find((e) => e.type === 'forkRepaired');
    if (repaired?.type !== 'forkRepaired') throw new Error('not repaired');
    expect(repaired.repair).toMatchObject({ seq: 3, kept: 'own', resealed: 2 });
    const log = await ids(alice.replica, 'alice');
    expect(log).toHaveLength(7);
    expect(new Set(log).size).toBe(7);
    expect(log.slice(2, 5)).toEqual(here.map((e) => e.id));
    expect(await ids(bob.replica, 'alice')).toEqual(log);
    // The feed holds every post of both branches once, and nothing else of the wall.
    const feed = (await restored.db.getAll('feed')).filter((r) => r.wall === 'alice').map((r) => r.id).sort();
    expect(feed).toEqual([...log].sort());
    expect(await alice.forks.statements.held('alice')).toEqual([repaired.repair.statement]);

    // The sync event leaves the sentence where the pages read it.
    const notice = createForkNotice(restored.db);
    const calls: string[] = [];
    const handle = createSyncEventHandler({
      changes: { feed: () => calls.push('feed'), friends: () => calls.push('friends') },
      wallForked: (sentence: string) => notice.set(sentence),
    } as unknown as SyncEventDeps);
    handle('bob', repaired);
    await flushPromises();
    expect(await notice.read()).toBe(
      "Your wall had two versions (this browser was restored from an older copy, or used your account with another one). Peerwall kept both: 2 posts from @bob's shorter copy now follow yours. If you did not write these, your key may be exposed.",
    );
    expect(calls).toEqual(['feed', 'friends']);
  });
});

describe('a friend\'s repaired wall in the browser (§8 Forks)', () => {
  it('drops the replaced entries and their feed rows in one write, then pulls the repaired wall', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    const carol = makeUser('carol', 'carol', { forks: true, media: true });
    const carolDb = await openContentDb(`forks-carol-${Math.random()}`);
    carol.replica = createIdbReplica(carolDb);
    carol.forks = { statements: createIdbForkStatements(carolDb) };
    await befriend(alice, bob);
    await befriend(alice, carol);
    await post(alice, text('one'));
    await connect(alice, carol);
    await post(alice, text('two'));
    await post(alice, text('three'));
    await post(alice, text('four'));
    await connect(alice, bob);
    const restored = await restoredFromBackup(alice, 1, repairCrash().faults);
    alice.replica = restored.replica;
    alice.forks = { statements: createIdbForkStatements(restored.db) };
    const lost = await post(alice, text('two, again'));
    await queue(carol, 'alice', { kind: 'like', target: lost.id, body: null });
    await connect(alice, carol); // carol holds the branch written after the restore
    await connect(alice, bob); // alice repairs: bob's longer branch is kept, hers follows it
    carol.events = [];

    await connect(alice, carol);

    expect(carol.events).toContainEqual({ type: 'forkFollowed', wall: 'alice', seq: 2 });
    const log = await ids(alice.replica, 'alice');
    expect(log).toHaveLength(6);
    expect(await ids(carol.replica, 'alice')).toEqual(log);
    const feed = (await carolDb.getAll('feed')).filter((r) => r.wall === 'alice');
    expect(feed.map((r) => [r.id, r.seq]).sort()).toEqual(
      (await alice.replica.entriesAfter('alice', 0, 10)).filter((e) => e.header.kind === 'post').map((e) => [e.id, e.seq]).sort(),
    );
    expect((await carol.forks.statements.held('alice')).map((s) => s.seq)).toEqual([2]);
  });
});

describe('the notice of a repaired wall', () => {
  beforeEach(() => fakeBrowser.reset());

  const empty: SocialState = { friends: [], incoming: [], outgoing: [], blocked: [], problems: [], profiles: [], rejections: [], unfriendedBy: [] };

  it('shows the sentence as a status until dismissed', async () => {
    const sentence = "Your wall had two versions (this browser was restored from an older copy, or used your account with another one). Peerwall kept both: 2 posts written here now follow @bob's longer copy.";
    const seen: string[] = [];
    fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
      seen.push((message as { type: string }).type);
      return Promise.resolve({ ok: true, value: empty });
    });
    const pinia = createPinia();
    setActivePinia(pinia);
    useFriendsStore().state = { ...empty, wallForked: sentence };
    const notice = mount(WallForkNotice, { global: { plugins: [pinia] }, attachTo: document.body });
    const status = notice.get('[role="status"]');
    expect(status.attributes('aria-label')).toBe('Your wall had two versions');
    expect(status.text()).toContain(sentence);
    await notice.get('button').trigger('click');
    await flushPromises();
    expect(seen).toEqual(['host:dismiss-fork-notice']);
    expect(notice.text()).toBe('');
  });

  it('says what moved in words', () => {
    const entry = (kind: string) => ({ header: { kind } }) as never;
    const repair = (kinds: string[], kept: 'own' | 'friend', leftOut = 0) =>
      ({ seq: 3, kept, resealed: kinds.length, leftOut, statement: null as never, added: [entry('post'), ...kinds.map(entry)], news: [], feed: [] });
    expect(forkRepairSentence('bob', repair(['post', 'post'], 'friend'))).toContain("2 posts written here now follow @bob's longer copy.");
    expect(forkRepairSentence('bob', repair(['comment'], 'own'))).toContain("1 comment from @bob's shorter copy now follows yours.");
    expect(forkRepairSentence('bob', repair(['post', 'comment', 'like'], 'friend', 1))).toContain('3 entries written here now follow');
    expect(forkRepairSentence('bob', repair(['post'], 'friend', 1))).toContain('1 entry could not be kept');
    expect(forkRepairSentence('bob', repair([], 'own'))).toContain("Peerwall kept yours; everything in @bob's copy was in it already.");
    expect(forkRepairSentence('bob', repair([], 'friend'))).toContain("Peerwall kept @bob's longer copy; everything written here was in it already.");
  });

  it('says a version one did not write means the key may be exposed, within what the notice keeps', () => {
    const entry = (kind: string) => ({ header: { kind } }) as never;
    const repair = { seq: 3, kept: 'friend' as const, resealed: 2, leftOut: 2, statement: null as never, added: [entry('post'), entry('post'), entry('like')], news: [], feed: [] };
    const sentence = forkRepairSentence('abcdefghijklmno', repair);
    expect(sentence).toMatch(/If you did not write these, your key may be exposed\.$/);
    expect(sentence.length).toBeLessThanOrEqual(600);
    expect(sentence).not.toMatch(/newer copy|'s older copy/);
  });
});
