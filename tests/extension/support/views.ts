import type { FeedPost, FriendView } from '@/platform/social/social-views';

/** A post by alice on her wall as the UI gets it, nothing pending, no thread; `fields` sets the rest. */
export const feedPost = (fields: Partial<FeedPost> = {}): FeedPost => ({
  id: 'ab'.repeat(32),
  wall: 'alice',
  author: 'alice',
  seq: 1,
  text: 'hi',
  shownAt: 0,
  edited: false,
  waitingFor: [],
  vouchedBy: null,
  via: null,
  likes: [],
  comments: [],
  moreComments: false,
  pending: false,
  photos: [],
  ...fields,
});

/** A friend online with nothing waiting and no problem; `fields` sets the rest. */
export const friendView = (handle: string, fields: Partial<FriendView> = {}): FriendView => ({
  handle,
  presence: 'online',
  reason: null,
  since: 0,
  problem: null,
  waiting: 0,
  gone: false,
  safetyNumber: '1',
  wallUpToDate: null,
  keyChange: null,
  ...fields,
});
