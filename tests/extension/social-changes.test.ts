import { describe, expect, it } from 'vitest';
import { createChangeBatcher } from '@/platform/social/social-changes';
import { CHANGE_MAX_POSTS, type FeedPost, type SocialChange } from '@/platform/social/social-views';
import { createFakeTime } from './support/fake-time';

const row = (seq: number): FeedPost => ({ id: `p${seq}`, wall: 'bob', author: 'bob', seq, text: 't', shownAt: seq, edited: false, waitingFor: [], vouchedBy: null, via: null, likes: [], comments: [], moreComments: false, pending: false, photos: [] });

function batcher() {
  const time = createFakeTime();
  const sent: SocialChange[] = [];
  return { time, sent, changes: createChangeBatcher(time.timers, 100, (c) => sent.push(c)) };
}

describe('change notices', () => {
  it('sends one notice per burst naming everything that changed', async () => {
    const { time, sent, changes } = batcher();

    changes.posts([row(1)]);
    changes.friends();
    changes.posts([row(2)]);
    await time.advance(100);
    changes.friends();
    await time.advance(100);

    expect(sent).toEqual([
      { friends: true, feed: false, posts: [row(1), row(2)] },
      { friends: true, feed: false, posts: [] },
    ]);
  });

  it('asks for a reload instead of rows once rows changed in place, or past the cap', async () => {
    const { time, sent, changes } = batcher();

    changes.posts([row(1)]);
    changes.feed();
    changes.posts([row(2)]);
    await time.advance(100);
    changes.posts(Array.from({ length: CHANGE_MAX_POSTS + 1 }, (_, i) => row(i + 10)));
    await time.advance(100);

    expect(sent).toEqual([
      { friends: false, feed: true, posts: [] },
      { friends: false, feed: true, posts: [] },
    ]);
  });

  it('sends nothing after it stops', async () => {
    const { time, sent, changes } = batcher();

    changes.friends();
    changes.stop();
    changes.feed();
    await time.advance(1000);

    expect(sent).toEqual([]);
    expect(time.pending()).toBe(0);
  });
});
