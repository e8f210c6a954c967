import { describe, expect, it } from 'vitest';
import type { FeedRow } from '@/core/feed';
import type { SyncEvent } from '@/core/syncSession';
import { type SyncEventDeps, createSyncEventHandler } from '@/platform/social/sync-events';
import { CHANGE_MAX_POSTS, type FeedPost } from '@/platform/social/social-views';
import { feedPost } from './support/views';

const row = (seq: number): FeedRow => ({ id: String(seq).padStart(64, '0'), wall: 'alice', author: 'alice', seq, text: `post ${seq}`, shownAt: seq, edited: false });

function handler() {
  const calls: string[] = [];
  const deps = {
    me: 'bob',
    circle: { markGone: () => undefined },
    store: {},
    view: {
      posts: async (rows: readonly FeedRow[]): Promise<FeedPost[]> => {
        calls.push(`view ${rows.length}`);
        return rows.map((r) => feedPost({ id: r.id, seq: r.seq, text: r.text, shownAt: r.shownAt }));
      },
    },
    changes: {
      posts: (posts: FeedPost[]) => calls.push(`posts ${posts.length}`),
      feed: () => calls.push('feed'),
      friends: () => calls.push('friends'),
      stop: () => undefined,
    },
    notices: { onWallUpdated: async () => undefined },
    conversation: { rejected: async () => undefined },
    announceWall: () => undefined,
    spreadSealed: () => undefined,
    now: () => 0,
  } as unknown as SyncEventDeps;
  return { calls, handle: createSyncEventHandler(deps) };
}

const updated = (rows: FeedRow[]): SyncEvent => ({ type: 'wallUpdated', wall: 'alice', added: [], feed: rows.map((r) => ({ op: 'put', row: r })), via: null });

describe('sync events for open pages', () => {
  it('hands a few new posts to pages as rows with their threads', async () => {
    const { calls, handle } = handler();
    handle('alice', updated([row(1), row(2), row(3)]));
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['view 3', 'posts 3']);
  });

  it('asks pages to reload, without building threads, for a batch of more posts than a notice carries', async () => {
    const { calls, handle } = handler();
    handle('alice', updated(Array.from({ length: CHANGE_MAX_POSTS + 1 }, (_, i) => row(i + 1))));
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['feed']);
  });
});
