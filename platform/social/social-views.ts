/** What the UI shows of friends, requests and posts; travels in `host:` answers, so plain data only. */

import type { FeedItemV2 } from '../content-db';

/** `cant_connect`: the broker says the friend is online but no data connection could be made. */
export type FriendPresence = 'online' | 'offline' | 'connecting' | 'cant_connect';

export interface FriendView {
  handle: string;
  presence: FriendPresence;
  since: number;
  /** A sentence about a problem with this friend (e.g. paused after invalid data), or null. */
  problem: string | null;
  /** How many of our own posts this friend has not received yet. */
  waiting: number;
  /** The friend deleted their account (their wall ended with a goodbye). */
  gone: boolean;
  /** 60 digits both friends see alike while nobody swapped their keys (docs/protocol.md §4.4). */
  safetyNumber: string;
}

export interface RequestView {
  handle: string;
  direction: 'incoming' | 'outgoing';
  at: number;
  note: string;
  /** Outgoing only: `queued` while the receiver is offline (the request waits). */
  delivery: 'sending' | 'queued' | 'delivered';
}

export interface SocialState {
  friends: FriendView[];
  incoming: RequestView[];
  outgoing: RequestView[];
  blocked: string[];
  /** Sentences about failed relays (e.g. an unknown or retired handle), newest first. */
  problems: string[];
}

export interface FeedPost extends FeedItemV2 {
  /** Own posts: friends that have not received it yet. */
  waitingFor: string[];
}

export interface SocialNotice {
  kind: 'post' | 'request';
  title: string;
  message: string;
  /** The post to open when the notification is clicked. */
  postId: string | null;
  /** How many unseen posts or requests it stands for on the badge (a summary covers several); 1 when absent. */
  count?: number;
}
