import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import DeleteConfirm from '@/components/social/DeleteConfirm.vue';
import FriendList from '@/components/social/FriendList.vue';
import HandleLink from '@/components/social/HandleLink.vue';
import ItemActions from '@/components/social/ItemActions.vue';
import ItemBody from '@/components/social/ItemBody.vue';
import PostCard from '@/components/social/PostCard.vue';
import PostFeed from '@/components/social/PostFeed.vue';
import ProfileForm from '@/components/social/ProfileForm.vue';
import RejectionList from '@/components/social/RejectionList.vue';
import type { FeedComment, FeedPost, FriendView, ProfileView, RejectionView } from '@/platform/social/social-views';
import { useConnectionStore } from '@/stores/connection';
import { useFeedStore } from '@/stores/feed';
import { useFriendsStore } from '@/stores/friends';
import { useSessionStore } from '@/stores/session';
import { render } from './support/render-component';
import { feedPost, friendView } from './support/views';

const POST_ID = 'ab'.repeat(32);

const post = (fields: Partial<FeedPost> = {}): FeedPost => feedPost({ id: POST_ID, text: 'Tea at four', shownAt: Date.UTC(2026, 0, 1), ...fields });

const comment = (id: string, fields: Partial<FeedComment> = {}): FeedComment => ({
  id,
  author: 'bob',
  text: `comment ${id}`,
  shownAt: Date.UTC(2026, 0, 2),
  edited: false,
  likes: [],
  pending: false,
  vouchedBy: null,
  ...fields,
});

const friend = friendView;

/** Seeds the stores as the signed-in, online `me` with `friends`, published `profiles` and refused entries. */
function signedIn(me: string, seed: { friends?: FriendView[]; profiles?: ProfileView[]; rejections?: RejectionView[] } = {}) {
  return () => {
    useSessionStore().handle = me;
    useConnectionStore().connection = 'online';
    const friends = useFriendsStore();
    friends.state = { ...friends.state, friends: seed.friends ?? [], profiles: seed.profiles ?? [], rejections: seed.rejections ?? [] };
  };
}

/** The text of the element that opens with `opening`, up to its first `closing`. */
function slice(html: string, opening: string, closing: string): string {
  const start = html.indexOf(opening);
  expect(start, `${opening} is not in the page`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf(closing, start) + closing.length);
}

describe('conversation components', () => {
  beforeEach(() => fakeBrowser.reset());

  describe('posts', () => {
    it('heads a post on a friend’s wall with both handles as links, and says it waits for the owner while pending', async () => {
      const html = await render(PostCard, { post: post({ author: 'bob', pending: true }), focused: false }, signedIn('bob', { friends: [friend('alice')] }));

      expect(html).toContain('aria-label="Post by @bob"');
      expect(html).toMatch(/<a href="#wall-bob">@bob<\/a><\/span> → <span class="handle-link"><a href="#wall-alice">@alice<\/a>/);
      expect(html).toContain('Pending — waits for @alice to accept it.');
      expect(html).not.toContain('>Edited<');
    });

    it('heads a post on its author’s own wall with one handle, not pending', async () => {
      const html = await render(PostCard, { post: post(), focused: false }, signedIn('bob'));

      expect(html).not.toContain(' → ');
      expect(html).not.toContain('Pending');
    });

    it('marks an edited post', async () => {
      const html = await render(PostCard, { post: post({ edited: true }), focused: false }, signedIn('bob'));

      expect(html).toContain('<p class="pw-hint">Edited</p>');
    });

    it('shows a like of one’s own as pressed, with the count and who liked it on hover and focus', async () => {
      const html = await render(PostCard, { post: post({ likes: ['bob', 'carol'] }), focused: false }, signedIn('carol'));
      const button = slice(html, '<button type="button" class="like-button"', '</button>');

      expect(button).not.toContain('aria-label'); // its name is its visible word, Like
      expect(button).toContain('aria-pressed="true"');
      expect(button).toContain('title="Liked by @bob (not your friend), @carol"'); // bob is no friend of carol’s here
      expect(button).toMatch(/>\s*Like <span class="like-count" aria-hidden="true">2<\/span>\s*<\/button>$/);
      expect(button).toContain(`aria-describedby="pw-likes-${POST_ID}"`);
      expect(html).toContain(`<span id="pw-likes-${POST_ID}" class="like-tip">Liked by @bob (not your friend), @carol</span>`);
    });

    it('shows a post nobody likes as not pressed, without a count or a description', async () => {
      const html = await render(PostCard, { post: post(), focused: false }, signedIn('carol'));
      const button = slice(html, '<button type="button" class="like-button"', '</button>');

      expect(button).toContain('aria-pressed="false"');
      expect(button).not.toContain('like-count');
      expect(button).not.toContain('aria-describedby');
      expect(button).not.toContain('title=');
    });

    it('shows a post others like as not pressed for the reader', async () => {
      const html = await render(PostCard, { post: post({ likes: ['bob'] }), focused: false }, signedIn('carol'));

      expect(html).toContain('aria-pressed="false"');
      expect(html).toContain('<span class="like-count" aria-hidden="true">1</span>');
    });
  });

  describe('comments', () => {
    it('lists comments in the order the host sends them (the wall’s), each with its author as a link, then a labelled comment box', async () => {
      // Times out of order: a claimed time never moves a comment above the ones it answers.
      const comments = [
        comment('z1', { shownAt: 30, text: 'first' }),
        comment('m2', { shownAt: 10, author: 'alice', text: 'second' }),
        comment('a3', { shownAt: 20, author: 'carol', text: 'third' }),
      ];
      const html = await render(PostCard, { post: post({ comments }), focused: false }, signedIn('dave'));
      const list = slice(html, '<ul aria-label="Comments"', '</ul>');
      const texts = [...list.matchAll(/<p class="post-text" dir="auto">(.*?)<\/p>/g)].map((m) => m[1]);

      expect(texts).toEqual(['first', 'second', 'third']);
      expect(list.match(/<li /g)).toHaveLength(3);
      expect(list).toContain('<a href="#wall-carol">@carol</a>');
      expect(html).toContain(`<label for="pw-comment-${POST_ID}" class="pw-sr-only">Write a comment</label>`);
      expect(html).toContain(`<textarea id="pw-comment-${POST_ID}"`);
      expect(html).toMatch(/<button type="submit"[^>]*>Comment<\/button>/);
    });

    it('offers Show older comments when the post carries only its newest ones, and says whose word vouches for a stranger', async () => {
      const comments = [comment('c1', { author: 'carol', vouchedBy: 'alice' })];
      const more = await render(PostCard, { post: post({ comments, moreComments: true }), focused: false }, signedIn('bob'));
      const all = await render(PostCard, { post: post({ comments }), focused: false }, signedIn('bob'));

      expect(more).toMatch(/<button type="button" class="comments-more">\s*Show older comments\s*<\/button>/);
      expect(all).not.toContain('Show older comments');
      expect(more).toContain('@carol — not a friend of yours; vouched for by @alice');
    });

    it('gives each post its own comment box id', async () => {
      const other = 'cd'.repeat(32);
      const html = await render(PostCard, { post: post({ id: other }), focused: false }, signedIn('dave'));

      expect(html).toContain(`id="pw-comment-${other}"`);
      expect(html).not.toContain(`pw-comment-${POST_ID}`);
    });

    it('leaves the list out when there are no comments', async () => {
      const html = await render(PostCard, { post: post(), focused: false }, signedIn('dave'));

      expect(html).not.toContain('aria-label="Comments"');
    });

    it('marks a pending comment and an edited one, and counts a comment’s likes', async () => {
      const comments = [comment('c1', { pending: true }), comment('c2', { edited: true, likes: ['alice', 'bob'] })];
      const html = await render(PostCard, { post: post({ comments }), focused: false }, signedIn('bob'));
      const first = slice(html, '<li id="comment-c1"', '</li>');
      const second = slice(html, '<li id="comment-c2"', '</li>');

      expect(first).toContain('<span class="pw-hint">Pending</span>');
      expect(first).not.toContain('Edited');
      expect(second).toContain('<span class="pw-hint">Edited</span>');
      expect(second).not.toContain('Pending');
      expect(second).toContain('aria-pressed="true"');
      expect(second).toContain('<span class="like-count" aria-hidden="true">2</span>');
    });
  });

  describe('the per-item menu', () => {
    const actions = (me: string, props: { kind: 'post' | 'comment'; author: string; wall: string }, mode = 'menu') =>
      render(ItemActions, { ...props, target: POST_ID, hasText: true, mode }, signedIn(me));

    it('offers the author Edit and Delete, in an expanded Post actions menu', async () => {
      const html = await actions('bob', { kind: 'post', author: 'bob', wall: 'alice' });

      expect(html).toMatch(/<button[^>]*aria-label="Post actions"[^>]*aria-expanded="true"/);
      expect(html).toContain('>Edit</button>');
      expect(html).toContain('>Delete</button>');
    });

    it('offers the owner of the wall Delete only', async () => {
      const html = await actions('alice', { kind: 'comment', author: 'bob', wall: 'alice' });

      expect(html).toContain('aria-label="Comment actions"');
      expect(html).not.toContain('>Edit</button>');
      expect(html).toContain('>Delete</button>');
    });

    it('shows no menu to anyone else', async () => {
      const html = await actions('carol', { kind: 'post', author: 'bob', wall: 'alice' });

      expect(html).not.toContain('actions');
      expect(html).not.toContain('<button');
    });

    it('keeps Edit and Delete hidden while the menu is closed', async () => {
      const html = await actions('bob', { kind: 'post', author: 'bob', wall: 'alice' }, 'closed');

      expect(html).toContain('aria-expanded="false"');
      expect(html).not.toContain('>Edit</button>');
    });
  });

  describe('editing and deleting', () => {
    it('turns the text into a labelled box holding it, with Save and Cancel', async () => {
      const html = await render(ItemBody, { kind: 'comment', wall: 'alice', target: 'c1', text: 'old words', mode: 'editing' }, signedIn('bob'));

      expect(html).toContain('<label for="pw-edit-c1" class="pw-sr-only">Edit comment</label>');
      expect(html).toMatch(/<textarea id="pw-edit-c1"[^>]*>old words<\/textarea>/);
      expect(html).toMatch(/<button type="submit"[^>]*>Save<\/button>/);
      expect(html).toContain('>Cancel</button>');
      expect(html).not.toContain('class="post-text"');
    });

    it('labels the box Edit post for a post', async () => {
      const html = await render(ItemBody, { kind: 'post', wall: 'alice', target: POST_ID, text: 'x', mode: 'editing' }, signedIn('bob'));

      expect(html).toContain('>Edit post</label>');
    });

    it('asks before deleting a post, inline', async () => {
      const html = await render(ItemBody, { kind: 'post', wall: 'alice', target: POST_ID, text: 'x', mode: 'confirming' }, signedIn('bob'));

      expect(html).toContain('<p class="post-text" dir="auto">x</p>');
      expect(html).toMatch(/<div role="alertdialog" aria-label="Confirm delete"[^>]*><p[^>]*>Delete this post for everyone\?<\/p>/);
      expect(html).toMatch(/<button[^>]*>Yes, delete<\/button>/);
      expect(html).toContain('>Cancel</button>');
    });

    it('asks before deleting a comment', async () => {
      const html = await render(DeleteConfirm, { kind: 'comment', wall: 'alice', target: 'c1' });

      expect(html).toContain('Delete this comment for everyone?');
    });
  });

  describe('walls', () => {
    const feedOn = (wall: string | null, me = 'alice', seed: Parameters<typeof signedIn>[1] = {}) =>
      render(PostFeed, {}, () => {
        signedIn(me, seed)();
        const feed = useFeedStore();
        feed.wall = wall;
        feed.loaded = true;
      });

    it('heads the Feed with Posts and offers the composer for one’s own wall', async () => {
      const html = await feedOn(null);

      expect(html).toMatch(/^<section class="post-feed" aria-label="Posts"><h2>Posts<\/h2>/);
      expect(html).not.toContain('wall-header');
      expect(html).toContain('>Write on your wall</label>');
      expect(html).toContain('No posts yet. Write the first one, or add a friend.');
    });

    it('heads one’s own wall with Your wall and This is your wall.', async () => {
      const profiles = [{ handle: 'alice', displayName: 'Alice Liddell', about: 'Down the hole' }];
      const html = await feedOn('alice', 'alice', { profiles });

      expect(html).toMatch(/<span class="person-avatar large" style="[^"]*" data-avatar="initials" aria-hidden="true">AL<\/span>/);
      expect(html).toContain('<h2>Your wall</h2>');
      expect(html).toContain('<bdi class="handle-name">Alice Liddell</bdi> <a href="#wall-alice">@alice</a>');
      expect(html).toContain('Down the hole');
      expect(html).toContain('This is your wall.');
      expect(html).toContain('>Write on your wall</label>');
    });

    it('heads a friend’s wall with their presence and offers to write on it', async () => {
      const html = await feedOn('bob', 'alice', { friends: [friend('bob', { presence: 'online' })] });

      expect(html).toMatch(/<span class="person-avatar large" style="[^"]*" data-avatar="initials" aria-hidden="true">B<\/span>/);
      expect(html).toContain('<h2>@bob’s wall</h2>');
      expect(html).toContain('<a href="#wall-bob">@bob</a>');
      expect(html).toContain('Friend · Online');
      expect(html).toContain('>Write on @bob&#39;s wall</label>');
    });

    it('heads a stranger’s wall with Not your friend. and no composer', async () => {
      const html = await feedOn('carol', 'alice', { friends: [friend('bob')] });

      expect(html).toContain('<h2>@carol’s wall</h2>');
      expect(html).toContain('Not your friend.');
      expect(html).not.toContain('pw-composer');
      expect(html).toContain('Only @carol’s friends see their wall.');
    });
  });

  describe('names and handles', () => {
    it('shows a published display name as text beside the link, never inside it', async () => {
      const profiles = [{ handle: 'alice', displayName: 'Alice Liddell', about: '' }];
      const named = await render(HandleLink, { handle: 'alice' }, signedIn('bob', { profiles }));
      const plain = await render(HandleLink, { handle: 'bob' }, signedIn('bob', { profiles }));

      expect(named).toBe('<span class="handle-link"><bdi class="handle-name">Alice Liddell</bdi> <a href="#wall-alice">@alice</a></span>');
      expect(plain).toBe('<span class="handle-link"><a href="#wall-bob">@bob</a></span>');
    });

    it('shows display names beside friends in the Friends list and beside post authors', async () => {
      const seed = signedIn('alice', { friends: [friend('bob')], profiles: [{ handle: 'bob', displayName: 'Bob Cratchit', about: '' }] });
      const list = await render(FriendList, {}, seed);
      const card = await render(PostCard, { post: post({ author: 'bob', wall: 'bob' }), focused: false }, seed);

      expect(list).toContain('<bdi class="handle-name">Bob Cratchit</bdi> <a href="#wall-bob">@bob</a>');
      expect(card).toContain('<bdi class="handle-name">Bob Cratchit</bdi> <a href="#wall-bob">@bob</a>');
      // An avatar precedes the name in both: initials while bob has no picture.
      for (const html of [list, card]) expect(html).toMatch(/data-avatar="initials" aria-hidden="true">BC<\/span><span class="handle-link">/);
    });
  });

  describe('refused entries', () => {
    it('says which wall refused what and why, shows the text, and offers Dismiss', async () => {
      const rejections: RejectionView[] = [
        { id: '01'.repeat(32), wall: 'alice', kind: 'wallPost', text: 'Hello <b>there</b>', reason: 'Only friends of ten years.', at: 2 },
        { id: '02'.repeat(32), wall: 'bob', kind: 'like', text: null, reason: '', at: 1 },
      ];
      const html = await render(RejectionList, {}, signedIn('carol', { rejections }));
      const items = [...html.matchAll(/<li class="rejection">(.*?)<\/li>/g)].map((m) => m[1] ?? '');

      expect(html).toMatch(/^<ul class="pw-list rejection-list" aria-label="Refused entries">/);
      expect(items).toHaveLength(2);
      expect(items[0]).toContain('<a href="#wall-alice">@alice</a></span> did not accept your wall post: Only friends of ten years.');
      expect(items[0]).toContain('Hello &lt;b&gt;there&lt;/b&gt;');
      expect(items[0]).toMatch(/<button[^>]*>Dismiss<\/button>/);
      expect(items[1]).toContain('<a href="#wall-bob">@bob</a></span> did not accept your like.');
      expect(items[1]).not.toContain('post-text');
      expect(items[1]).toMatch(/<button[^>]*>Dismiss<\/button>/);
    });

    it('shows nothing when nothing was refused', async () => {
      expect(await render(RejectionList, {}, signedIn('carol'))).toBe('');
    });
  });

  describe('profile', () => {
    it('prefills one’s own display name and about, and shows no status before saving', async () => {
      const profiles = [
        { handle: 'bob', displayName: 'Bob Cratchit', about: 'Not me' },
        { handle: 'alice', displayName: 'Alice Liddell', about: 'Down the hole' },
      ];
      const html = await render(ProfileForm, {}, signedIn('alice', { profiles }));

      expect(html).toContain('<legend>Profile</legend>');
      expect(html).toMatch(/<label for="pw-profile-name">Display name<\/label><input id="pw-profile-name"[^>]*value="Alice Liddell"/);
      expect(html).toMatch(/<label for="pw-profile-about">About<\/label><textarea id="pw-profile-about"[^>]*>Down the hole<\/textarea>/);
      expect(html).toMatch(/<button type="submit"[^>]*>Save profile<\/button>/);
      expect(html).not.toContain('role="status"');
      expect(html).not.toContain('Profile saved.');
    });

    it('starts empty without a published profile', async () => {
      const html = await render(ProfileForm, {}, signedIn('alice'));

      expect(html).toMatch(/<input id="pw-profile-name"(?![^>]*value="[^"])[^>]*>/);
      expect(html).toMatch(/<textarea id="pw-profile-about"[^>]*><\/textarea>/);
    });
  });
});
