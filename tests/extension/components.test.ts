import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import PostCard from '@/components/social/PostCard.vue';
import PostComposer from '@/components/social/PostComposer.vue';
import FriendAddForm from '@/components/social/FriendAddForm.vue';
import FriendList from '@/components/social/FriendList.vue';
import FriendRequestList from '@/components/social/FriendRequestList.vue';
import NotificationToggle from '@/components/social/NotificationToggle.vue';
import type { FeedPost, SocialState } from '@/platform/social/social-views';
import { useConnectionStore } from '@/stores/connection';
import { useFeedStore } from '@/stores/feed';
import { useFriendsStore } from '@/stores/friends';
import { render } from './support/render-component';

const POST: FeedPost = {
  id: 'ab'.repeat(32),
  wall: 'alice',
  author: 'alice',
  seq: 1,
  text: '<img src=x onerror=alert(1)> see https://example.org and javascript:alert(2)',
  shownAt: Date.UTC(2026, 0, 1),
  edited: false,
  waitingFor: ['bob'],
  vouchedBy: null,
  via: null,
  likes: [],
  comments: [],
  moreComments: false,
  pending: false,
  photos: [],
};

describe('post and friend components', () => {
  beforeEach(() => fakeBrowser.reset());

  it('shows a post as an article with its author and its text as text; only the https URL is a link', async () => {
    const html = await render(PostCard, { post: POST, focused: false });

    const text = /<p class="post-text" dir="auto">(.*?)<\/p>/s.exec(html)?.[1] ?? '';

    expect(html).toMatch(/^<article[^>]*id="post-abab/);
    expect(html).toMatch(/<a href="#wall-alice">@alice<\/a>/);
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    expect(text.match(/<a /g)).toHaveLength(1);
    expect(text).toContain('href="https://example.org/"');
    expect(html).toContain('Will be delivered when @bob comes online.');
  });

  it('says when a post was written relatively, with the full time on hover, and lets its text set its own direction', async () => {
    const html = await render(PostCard, { post: { ...POST, text: 'שלום', shownAt: Date.now() - 5 * 60_000 }, focused: false });
    const full = new Date(Date.now() - 5 * 60_000);

    expect(html).toMatch(new RegExp(`<time datetime="${full.toISOString().slice(0, 16)}[^"]*" title="[^"]+">5 min</time>`));
    expect(html).toContain('<p class="post-text" dir="auto">שלום</p>');
  });

  it('says whose word alone vouches for an author who is not a friend, as text', async () => {
    const html = await render(PostCard, { post: { ...POST, author: 'carol', vouchedBy: 'alice', waitingFor: [] }, focused: false });
    const friends = await render(PostCard, { post: POST, focused: false });

    expect(html).toContain('aria-label="Post by @carol"');
    expect(html).toContain('<p class="pw-hint post-vouched">@carol — not a friend of yours; vouched for by @alice</p>');
    expect(friends).not.toContain('vouched for');
  });

  it('says which friend brought a post its owner could not deliver', async () => {
    const relayed = await render(PostCard, { post: { ...POST, via: 'carol', waitingFor: [] }, focused: false });
    const direct = await render(PostCard, { post: POST, focused: false });

    expect(relayed).toContain('title="@alice was offline; @carol brought this post"');
    expect(relayed).toMatch(/>\s*via @carol\s*</);
    expect(direct).not.toContain('via @');
  });

  it('labels the composer for the wall being shown: one’s own, or a friend’s', async () => {
    const own = await render(PostComposer);
    const friends = await render(PostComposer, {}, () => {
      useFeedStore().wall = 'alice';
    });

    expect(own).toContain('>Write on your wall</label>');
    expect(friends).toContain('>Write on @alice&#39;s wall</label>');
  });

  it('labels the composer and the add-friend field as the UI contract says', async () => {
    const composer = await render(PostComposer);
    const add = await render(FriendAddForm);

    expect(composer).toMatch(/<label for="pw-composer">Write on your wall<\/label><textarea id="pw-composer"/);
    expect(composer).toMatch(/<button type="submit"[^>]*>Post<\/button>/);
    expect(add).toMatch(/<label for="pw-friend-handle">Friend&#39;s handle<\/label>/);
    expect(add).toContain('>Add friend</button>');
  });

  it('offers one notification switch per kind in a Notifications group, each on until turned off', async () => {
    const html = await render(NotificationToggle);

    expect(html).toMatch(/^<fieldset[^>]*><legend>Notifications<\/legend>/);
    const labels = [...html.matchAll(/<label><input( checked)? type="checkbox">\s*([^<]+?)\s*<\/label>/g)].map((m) => [m[2], m[1] !== undefined]);
    expect(labels).toEqual([
      ['Friends&#39; posts', true],
      ['Posts on your wall', true],
      ['Comments on your posts and wall', true],
      ['Comments after yours', true],
      ['Likes on your posts', true],
      ['Friend requests', true],
    ]);
    expect(html).not.toContain('Notify me about');
    expect(html).toContain('What you switch off is not counted on the toolbar badge either.');
  });

  it('lists requests with Accept and Decline, and friends with a link and Unfriend / Block', async () => {
    const state: SocialState = {
      friends: [
        {
          handle: 'bob',
          presence: 'cant_connect',
          reason: '@bob’s Peerwall did not answer the request to connect. Peerwall keeps trying.',
          since: 0,
          problem: null,
          waiting: 0,
          gone: false,
          safetyNumber: '12345 67890',
          wallUpToDate: { at: Date.UTC(2026, 0, 1), via: 'carol' },
          keyChange: null,
        },
      ],
      incoming: [{ handle: 'carol', direction: 'incoming', at: 0, note: '', delivery: 'delivered' }],
      outgoing: [{ handle: 'dave', direction: 'outgoing', at: 0, note: '', delivery: 'queued' }],
      blocked: [],
      problems: [],
      profiles: [],
      rejections: [],
      unfriendedBy: [],
    };
    const seed = () => {
      useFriendsStore().state = state;
      useConnectionStore().connection = 'online';
    };

    const requests = await render(FriendRequestList, {}, seed);
    const friends = await render(FriendList, {}, seed);

    expect(requests).toContain('<strong><span class="handle-link"><a href="#wall-carol">@carol</a></span></strong>');
    expect(requests).toContain('aria-label="Accept @carol">Accept</button>');
    expect(requests).toContain('aria-label="Decline @carol">Decline</button>');
    expect(requests).toContain('Your request will be delivered when @dave comes online.');
    // Both directions show a face beside the name: initials, since neither has shared a profile yet.
    expect(requests).toMatch(/data-avatar="initials" aria-hidden="true">C<\/span>/);
    expect(requests).toMatch(/data-avatar="initials" aria-hidden="true">D<\/span>/);
    expect(friends).toMatch(/<a href="#wall-bob"[^>]*>@bob<\/a>/);
    expect(friends).toContain('aria-label="Unfriend @bob">Unfriend</button>');
    expect(friends).toContain('aria-label="Block @bob">Block</button>');
    expect(friends).toContain('Can’t connect');
    expect(friends).toContain('@bob’s Peerwall did not answer the request to connect.');
    expect(friends).not.toContain('firewall');
    // Brought up to date on 1 January 2026, said relatively, with the full time on hover.
    expect(friends).toMatch(/title="[^"]+">Wall last brought up to date on Jan 1(, 2026)?, via @carol\.</);
    expect(friends).toContain('<summary>Connection details</summary>');
    expect(friends).not.toContain('role="status"');
  });
});
