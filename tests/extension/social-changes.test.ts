import { describe, expect, it } from 'vitest';
import { createChangeBatcher } from '@/platform/social/social-changes';
import { CHANGE_MAX_FILES, CHANGE_MAX_POSTS, type FeedPost, type SocialChange } from '@/platform/social/social-views';
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

  it('names each photo file that grew once per notice, at most CHANGE_MAX_FILES of them, so a transfer sends a notice per burst', async () => {
    const { time, sent, changes } = batcher();
    const name = (i: number) => i.toString(16).padStart(64, '0');

    for (let chunk = 0; chunk < 16; chunk++) changes.file(name(1));
    for (let i = 2; i < CHANGE_MAX_FILES + 5; i++) changes.file(name(i));
    await time.advance(100);

    expect(sent).toHaveLength(1);
    expect(sent[0]!.media).toEqual(Array.from({ length: CHANGE_MAX_FILES }, (_, i) => name(i + 1)));
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
