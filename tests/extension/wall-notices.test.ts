import { describe, expect, it } from 'vitest';
import type { StoredEntry } from '@/core/replica';
import type { SocialNotice } from '@/platform/social/social-views';
import { createWallNotices, LIKE_BATCH_MS } from '@/platform/social/wall-notices';
import { befriend, connect, makeUser, post, queue, text, type User } from '../core/support/world';
import { createFakeTime } from './support/fake-time';

const comment = (target: string, t: string) => ({ kind: 'comment' as const, target, body: { text: t } });
const like = (target: string) => ({ kind: 'like' as const, target, body: null });

/** Users befriended pairwise as listed (real keys, real memory replicas). */
async function world(...pairs: [string, string][]): Promise<Record<string, User>> {
  const users: Record<string, User> = {};
  for (const [a, b] of pairs) {
    users[a] ??= makeUser(a);
    users[b] ??= makeUser(b);
    await befriend(users[a], users[b]);
  }
  return users;
}

/** The notices a user's wall updates raise, run through the module with its real replica. */
function watch(user: User, blocked: readonly string[] = []) {
  user.events.length = 0; // what happened before is not news
  const time = createFakeTime();
  const notices: SocialNotice[] = [];
  const wallNotices = createWallNotices({
    me: user.identity.handle,
    replica: user.replica,
    isBlocked: (handle) => blocked.includes(handle),
    notify: (notice) => notices.push(notice),
    timers: time.timers,
  });
  return {
    notices,
    time,
    wallNotices,
    /** Feeds the sync events gathered since the last call, then lets any like batch close. */
    async settle(): Promise<SocialNotice[]> {
      for (const event of user.events.splice(0)) {
        if (event.type === 'wallUpdated') await wallNotices.onWallUpdated(event.wall, event.added);
      }
      await time.advance(LIKE_BATCH_MS);
      return notices;
    },
  };
}

describe('notices of friends’ posts', () => {
  it('names a friend’s new post on their wall', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const seen = watch(alice!);
    const written = await post(bob!, text('hello alice'));

    await connect(alice!, bob!);

    expect(await seen.settle()).toEqual([{ kind: 'post', title: '@bob posted', message: 'hello alice', postId: written.id, wall: 'bob' }]);
  });

  it('raises at most three, then one summary that counts the rest', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const seen = watch(alice!);
    for (const t of ['one', 'two', 'three', 'four', 'five']) await post(bob!, text(t));

    await connect(alice!, bob!);

    expect((await seen.settle()).map((n) => [n.message, n.count])).toEqual([
      ['three', undefined],
      ['four', undefined],
      ['five', undefined],
      ['2 more new posts', 2],
    ]);
  });
});

describe('notices of activity on one’s own wall', () => {
  it('says a friend wrote on one’s wall, once the wall post is sealed', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const seen = watch(alice!);
    const id = await queue(bob!, 'alice', { kind: 'wallPost', body: { text: 'hi alice', media: [] } });

    await connect(alice!, bob!);

    expect(await seen.settle()).toEqual([{ kind: 'wallPost', title: '@bob wrote on your wall', message: 'hi alice', postId: id, wall: 'alice' }]);
  });

  it('says a friend commented on one’s post, and opens the post', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const mine = await post(alice!, text('my post'));
    await connect(alice!, bob!);
    const seen = watch(alice!);
    await queue(bob!, 'alice', comment(mine.id, 'nice one'));

    await connect(alice!, bob!);

    expect(await seen.settle()).toEqual([{ kind: 'comment', title: '@bob commented on your post', message: 'nice one', postId: mine.id, wall: 'alice' }]);
  });

  it('says a friend commented on someone else’s post on one’s wall', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['alice', 'carol']);
    const wallPost = await queue(bob!, 'alice', { kind: 'wallPost', body: { text: 'from bob', media: [] } });
    await connect(alice!, bob!);
    await connect(alice!, carol!);
    const seen = watch(alice!);
    await queue(carol!, 'alice', comment(wallPost, 'hi both'));

    await connect(alice!, carol!);

    expect(await seen.settle()).toEqual([{ kind: 'comment', title: '@carol commented on your wall', message: 'hi both', postId: wallPost, wall: 'alice' }]);
  });

  it('says someone commented on one’s post on a friend’s wall, and opens that wall', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['bob', 'carol']);
    const mine = await queue(alice!, 'bob', { kind: 'wallPost', body: { text: 'for bob', media: [] } });
    await connect(alice!, bob!);
    await connect(bob!, carol!);
    await queue(carol!, 'bob', comment(mine, 'hello alice'));
    await connect(bob!, carol!);
    const seen = watch(alice!);

    await connect(alice!, bob!);

    expect(await seen.settle()).toEqual([{ kind: 'comment', title: '@carol commented on your post', message: 'hello alice', postId: mine, wall: 'bob' }]);
  });
});

describe('notices of comments after one’s own', () => {
  it('says someone also commented on a post one commented on earlier', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['bob', 'carol']);
    const bobs = await post(bob!, text('what do you think?'));
    await connect(alice!, bob!);
    await queue(alice!, 'bob', comment(bobs.id, 'I agree'));
    await connect(alice!, bob!);
    await connect(bob!, carol!);
    await post(bob!, comment(bobs.id, 'thanks all'));
    await queue(carol!, 'bob', comment(bobs.id, 'me too'));
    await connect(bob!, carol!);
    const seen = watch(alice!);

    await connect(alice!, bob!);

    expect(await seen.settle()).toEqual([
      { kind: 'reply', title: '@bob also commented on their post', message: 'thanks all', postId: bobs.id, wall: 'bob' },
      { kind: 'reply', title: '@carol also commented on @bob’s post', message: 'me too', postId: bobs.id, wall: 'bob' },
    ]);
  });

  it('raises nothing for comments written before one’s own, nor under posts one never commented on', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['bob', 'carol']);
    const first = await post(bob!, text('first'));
    const second = await post(bob!, text('second'));
    await connect(alice!, bob!);
    await connect(bob!, carol!);
    await queue(carol!, 'bob', comment(first.id, 'early'));
    await queue(carol!, 'bob', comment(second.id, 'elsewhere'));
    await connect(bob!, carol!);
    const seen = watch(alice!);
    await queue(alice!, 'bob', comment(first.id, 'late'));

    await connect(alice!, bob!);

    const arrived = alice!.events.flatMap((e) => (e.type === 'wallUpdated' ? e.added.map((a) => a.header.author) : []));
    expect(arrived).toEqual(['carol', 'carol', 'alice']);
    expect(await seen.settle()).toEqual([]);
  });
});

describe('the work one update costs', () => {
  it('reads each target and each thread once, however many entries of the update point at them', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['bob', 'carol']);
    const bobs = await post(bob!, text('busy thread'));
    await connect(alice!, bob!);
    await queue(alice!, 'bob', comment(bobs.id, 'mine first'));
    await connect(alice!, bob!);
    await connect(bob!, carol!);
    for (let i = 0; i < 40; i++) await queue(carol!, 'bob', comment(bobs.id, `reply ${i}`));
    await connect(bob!, carol!);
    await connect(alice!, bob!);
    const added = (await alice!.replica.entriesAfter('bob', 2, 64)).filter((e) => e.header.author === 'carol');
    const reads = { entryById: 0, entriesTargeting: 0 };
    const counted = {
      recovering: () => alice!.replica.recovering(),
      entryById: (wall: string, id: string) => (reads.entryById++, alice!.replica.entryById(wall, id)),
      entriesTargeting: (wall: string, id: string) => (reads.entriesTargeting++, alice!.replica.entriesTargeting(wall, id)),
    };
    const notices: SocialNotice[] = [];
    const wallNotices = createWallNotices({ me: 'alice', replica: counted, isBlocked: () => false, notify: (n) => notices.push(n), timers: createFakeTime().timers });

    await wallNotices.onWallUpdated('bob', added);

    expect(added).toHaveLength(40);
    expect(reads).toEqual({ entryById: 1, entriesTargeting: 1 });
    expect(notices.map((n) => [n.message, n.count])).toEqual([
      ['reply 37', undefined],
      ['reply 38', undefined],
      ['reply 39', undefined],
      ['37 more comments after yours', 37],
    ]);
  });
});

describe('the work a catch-up costs', () => {
  it('reads a thread once across updates, and a comment of one’s own arriving later counts from then on', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['bob', 'carol']);
    const bobs = await post(bob!, text('long catch-up'));
    const updates: StoredEntry[][] = [];
    const reply = async (who: User, t: string) => {
      const id = await queue(who, 'bob', comment(bobs.id, t));
      await connect(who, bob!);
      updates.push([(await bob!.replica.entryById('bob', id))!]);
    };
    await reply(carol!, 'before alice');
    await reply(carol!, 'still before');
    await reply(alice!, 'alice joins');
    await reply(carol!, 'after alice');
    const reads = { entriesTargeting: 0 };
    const counted = {
      recovering: () => bob!.replica.recovering(),
      entryById: (wall: string, id: string) => bob!.replica.entryById(wall, id),
      entriesTargeting: async (wall: string, id: string) => {
        reads.entriesTargeting++;
        // What alice held when the update came: the entries before it (her catch-up is one update at a time).
        return (await bob!.replica.entriesTargeting(wall, id)).filter((e) => e.seq < seqNow);
      },
    };
    let seqNow = 0;
    const notices: SocialNotice[] = [];
    const wallNotices = createWallNotices({ me: 'alice', replica: counted, isBlocked: () => false, notify: (n) => notices.push(n), timers: createFakeTime().timers });

    for (const update of updates) {
      seqNow = update[0]!.seq;
      await wallNotices.onWallUpdated('bob', update);
    }

    expect(reads.entriesTargeting).toBe(1);
    expect(notices.map((n) => n.message)).toEqual(['after alice']);
  });
});

describe('notices of likes', () => {
  it('says a friend liked one’s post once the batch closes, and counts the like', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const mine = await post(alice!, text('like me'));
    await connect(alice!, bob!);
    const seen = watch(alice!);
    await queue(bob!, 'alice', like(mine.id));
    await connect(alice!, bob!);

    for (const event of alice!.events.splice(0)) if (event.type === 'wallUpdated') await seen.wallNotices.onWallUpdated(event.wall, event.added);
    expect(seen.notices).toEqual([]);
    await seen.time.advance(LIKE_BATCH_MS);

    expect(seen.notices).toEqual([{ kind: 'like', title: '@bob liked your post', message: 'like me', postId: mine.id, wall: 'alice', count: 1 }]);
  });

  it('raises nothing for likes still being batched when the service stops (signed out)', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const mine = await post(alice!, text('like me later'));
    await connect(alice!, bob!);
    const seen = watch(alice!);
    await queue(bob!, 'alice', like(mine.id));
    await connect(alice!, bob!);
    for (const event of alice!.events.splice(0)) if (event.type === 'wallUpdated') await seen.wallNotices.onWallUpdated(event.wall, event.added);

    seen.wallNotices.stop();
    await seen.time.advance(LIKE_BATCH_MS);

    expect(seen.notices).toEqual([]);
  });

  it('batches likes arriving within the window into “@bob and 3 others liked your post”', async () => {
    const friends = ['bob', 'carol', 'dave', 'erin'];
    const users = await world(...friends.map((f): [string, string] => ['alice', f]));
    const alice = users.alice!;
    const mine = await post(alice, text('popular'));
    const seen = watch(alice);
    for (const f of friends) {
      await queue(users[f]!, 'alice', like(mine.id));
      await connect(alice, users[f]!);
      for (const event of alice.events.splice(0)) if (event.type === 'wallUpdated') await seen.wallNotices.onWallUpdated(event.wall, event.added);
      await seen.time.advance(LIKE_BATCH_MS / 10);
    }
    await seen.time.advance(LIKE_BATCH_MS);

    expect(seen.notices).toEqual([{ kind: 'like', title: '@bob and 3 others liked your post', message: 'popular', postId: mine.id, wall: 'alice', count: 4 }]);
  });

  it('names two likers, and starts a new batch after the window', async () => {
    const { alice, bob, carol, dave } = await world(['alice', 'bob'], ['alice', 'carol'], ['alice', 'dave']);
    const mine = await post(alice!, text('two'));
    const seen = watch(alice!);
    const run = async () => {
      for (const event of alice!.events.splice(0)) if (event.type === 'wallUpdated') await seen.wallNotices.onWallUpdated(event.wall, event.added);
    };
    await queue(bob!, 'alice', like(mine.id));
    await queue(carol!, 'alice', like(mine.id));
    await connect(alice!, bob!);
    await connect(alice!, carol!);
    await run();
    await seen.time.advance(LIKE_BATCH_MS);
    await queue(dave!, 'alice', like(mine.id));
    await connect(alice!, dave!);
    await run();
    await seen.time.advance(LIKE_BATCH_MS);

    expect(seen.notices.map((n) => [n.title, n.count])).toEqual([
      ['@bob and @carol liked your post', 2],
      ['@dave liked your post', 1],
    ]);
  });

  it('drops a like taken back within the window', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const mine = await post(alice!, text('oops'));
    const seen = watch(alice!);
    const liked = await queue(bob!, 'alice', like(mine.id));
    await queue(bob!, 'alice', { kind: 'unlike', target: mine.id, body: null });
    await connect(alice!, bob!);

    expect(liked).toMatch(/^[0-9a-f]{64}$/);
    expect(await seen.settle()).toEqual([]);
  });

  it('says someone liked one’s comment, and opens the post the comment is under', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const bobs = await post(bob!, text('a post'));
    await connect(alice!, bob!);
    const mine = await queue(alice!, 'bob', comment(bobs.id, 'my comment'));
    await connect(alice!, bob!);
    await post(bob!, like(mine));
    const seen = watch(alice!);

    await connect(alice!, bob!);

    expect(await seen.settle()).toEqual([{ kind: 'like', title: '@bob liked your comment', message: 'my comment', postId: bobs.id, wall: 'bob', count: 1 }]);
  });

  it('raises nothing for likes of other people’s posts', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['bob', 'carol']);
    const bobs = await post(bob!, text('bob’s'));
    await connect(bob!, carol!);
    await queue(carol!, 'bob', like(bobs.id));
    await connect(bob!, carol!);
    const seen = watch(alice!);

    await connect(alice!, bob!);

    expect((await seen.settle()).map((n) => n.kind)).toEqual(['post']);
  });
});

describe('what raises nothing', () => {
  it('raises nothing from a blocked person: no wall post, comment, reply or like', async () => {
    const { alice, bob, carol } = await world(['alice', 'bob'], ['alice', 'carol'], ['bob', 'carol']);
    const mine = await post(alice!, text('mine'));
    const bobs = await post(bob!, text('bob’s'));
    await connect(alice!, bob!);
    await connect(alice!, carol!);
    await connect(bob!, carol!);
    await queue(alice!, 'bob', comment(bobs.id, 'first!'));
    await connect(alice!, bob!);
    await connect(bob!, carol!);
    await queue(carol!, 'alice', { kind: 'wallPost', body: { text: 'carol here', media: [] } });
    await queue(carol!, 'alice', comment(mine.id, 'carol comments'));
    await queue(carol!, 'alice', like(mine.id));
    await queue(carol!, 'bob', comment(bobs.id, 'carol too'));
    await connect(bob!, carol!);
    const seen = watch(alice!, ['carol']);
    const unblocked = watch(alice!);

    await connect(alice!, carol!);
    await connect(alice!, bob!);
    const events = [...alice!.events];

    expect(await seen.settle()).toEqual([]);
    alice!.events.push(...events);
    expect((await unblocked.settle()).map((n) => n.kind).sort()).toEqual(['comment', 'like', 'reply', 'wallPost']);
  });

  it('raises nothing for one’s own entries, on one’s wall or a friend’s', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const bobs = await post(bob!, text('bob’s'));
    await connect(alice!, bob!);
    const seen = watch(alice!);
    await queue(alice!, 'bob', { kind: 'wallPost', body: { text: 'mine on bob’s wall', media: [] } });
    await queue(alice!, 'bob', comment(bobs.id, 'my comment'));
    await queue(alice!, 'bob', like(bobs.id));
    const own = await post(alice!, text('my post'));

    await connect(alice!, bob!);
    await seen.wallNotices.onWallUpdated('alice', [own]);

    const back = alice!.events.flatMap((e) => (e.type === 'wallUpdated' && e.wall === 'bob' ? e.added.map((a) => a.header.author) : []));
    expect(back).toEqual(['alice', 'alice', 'alice']);
    expect(await seen.settle()).toEqual([]);
  });

  it('raises nothing while one’s wall is being restored', async () => {
    const { alice, bob } = await world(['alice', 'bob']);
    const id = await queue(bob!, 'alice', { kind: 'wallPost', body: { text: 'old news', media: [] } });
    await connect(alice!, bob!);
    const sealed = (await alice!.replica.entryById('alice', id))!;
    await alice!.replica.setRecovering(true);
    const seen = watch(alice!);

    await seen.wallNotices.onWallUpdated('alice', [sealed]);
    await seen.time.advance(LIKE_BATCH_MS);

    expect(seen.notices).toEqual([]);
    await alice!.replica.setRecovering(false);
    await seen.wallNotices.onWallUpdated('alice', [sealed]);
    expect(seen.notices.map((n) => n.kind)).toEqual(['wallPost']);
  });
});
