import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import ItemBody from '@/components/social/ItemBody.vue';
import PostCard from '@/components/social/PostCard.vue';
import PostFeed from '@/components/social/PostFeed.vue';
import { notificationFocus } from '@/components/social/notification-focus';
import { COLLAPSE_OVER, COLLAPSED_TO, collapsedParts } from '@/components/social/text-collapse';
import { unreadDividerIndex } from '@/components/social/unread-divider';
import { useCollapse } from '@/components/social/use-collapse';
import { holdFeedOpen, type PagePortLike } from '@/platform/feed-presence';
import { feedViewKey, viewOfFeedPort } from '@/platform/messages';
import type { FeedPost } from '@/platform/social/social-views';
import { splitLinks } from '@/platform/social/text-links';
import { unseenItem } from '@/platform/storage-items';
import { useFeedStore } from '@/stores/feed';
import { useSessionStore } from '@/stores/session';
import { render } from './support/render-component';
import { feedPost } from './support/views';

const LOOKED = Date.UTC(2026, 0, 10);
const MINUTE = 60_000;
const POST_ID = 'ab'.repeat(32);

/** Posts newest first, `minutes` after (or before, negative) the last look. */
const postAt = (id: string, minutes: number, author = 'alice'): FeedPost =>
  feedPost({ id: id.repeat(64 / id.length), author, wall: author, text: `post ${id}`, shownAt: LOOKED + minutes * MINUTE });

const DIVIDER = '<div role="separator" aria-label="New since you last looked" class="feed-divider">';

describe('the “New since you last looked” divider', () => {
  beforeEach(() => fakeBrowser.reset());

  it('goes right below the last post newer than the last look', () => {
    const posts = [postAt('a1', 30), postAt('b2', 5), postAt('c3', -5), postAt('d4', -60)];

    expect(unreadDividerIndex(posts, LOOKED, 'bob')).toBe(2);
  });

  it('is absent when nothing is new, when the view was never looked at, and when everything shown is new', () => {
    const old = [postAt('c3', -5), postAt('d4', -60)];
    const allNew = [postAt('a1', 30), postAt('b2', 5)];

    expect(unreadDividerIndex(old, LOOKED, 'bob')).toBeNull();
    expect(unreadDividerIndex([...allNew, ...old], null, 'bob')).toBeNull();
    expect(unreadDividerIndex(allNew, LOOKED, 'bob')).toBeNull();
    expect(unreadDividerIndex([], LOOKED, 'bob')).toBeNull();
  });

  it('does not count one’s own posts as new, but keeps them above the divider when newer posts are', () => {
    expect(unreadDividerIndex([postAt('a1', 30, 'bob'), postAt('c3', -5)], LOOKED, 'bob')).toBeNull();
    expect(unreadDividerIndex([postAt('b2', 20), postAt('a1', 10, 'bob'), postAt('e5', 5), postAt('c3', -5)], LOOKED, 'bob')).toBe(3);
  });

  /** PostFeed as `me` sees it on `wall` (null: the Feed), with `posts` loaded and the last look at `lookedAt`. */
  const feedWith = (posts: FeedPost[], lookedAt: number | null, wall: string | null = null, me = 'bob') =>
    render(PostFeed, {}, () => {
      useSessionStore().handle = me;
      const feed = useFeedStore();
      Object.assign(feed, { wall, posts, lookedAt, loaded: true });
    });

  it('shows in the Feed as a named separator between the new posts and the older ones', async () => {
    const html = await feedWith([postAt('a1', 30), postAt('b2', 5), postAt('c3', -5)], LOOKED);

    expect(html.split(DIVIDER)).toHaveLength(2);
    const [above, below] = html.split(DIVIDER) as [string, string];
    expect(above).toContain('post a1');
    expect(above).toContain('post b2');
    expect(below).toContain('post c3');
    expect(below).toContain('>New since you last looked</span>');
  });

  it('shows on one’s own wall too, and not at all when nothing is new', async () => {
    const wall = await feedWith([postAt('a1', 30, 'alice'), postAt('c3', -5, 'bob')], LOOKED, 'bob');
    const nothingNew = await feedWith([postAt('c3', -5), postAt('d4', -60)], LOOKED);

    expect(wall).toContain(DIVIDER);
    expect(nothingNew).not.toContain('separator');
  });

  it('reads the last look of the view shown from storage, and none for a view without one', async () => {
    await unseenItem.setValue({ count: 0, focusPostId: null, focusWall: null, lookedAt: { feed: LOOKED, 'wall:bob': 7 } });
    await render(PostFeed);
    const feed = useFeedStore();

    await feed.readLookedAt('feed');
    expect(feed.lookedAt).toBe(LOOKED);
    await feed.readLookedAt('wall:bob');
    expect(feed.lookedAt).toBe(7);
    await feed.readLookedAt(null);
    expect(feed.lookedAt).toBeNull();
  });

  it('keeps a last look for the Feed and one’s own wall only, in port names the background accepts', () => {
    expect(feedViewKey(null, 'bob')).toBe('feed');
    expect(feedViewKey('bob', 'bob')).toBe('wall:bob');
    expect(feedViewKey('alice', 'bob')).toBeNull();
    expect(viewOfFeedPort('bg:feed-open/feed')).toEqual({ view: 'feed' });
    expect(viewOfFeedPort('bg:feed-open/wall:bob')).toEqual({ view: 'wall:bob' });
    expect(viewOfFeedPort('bg:feed-open')).toEqual({ view: null });
    expect(viewOfFeedPort('bg:feed-open/wall:Not A Handle')).toBeNull();
    expect(viewOfFeedPort('other')).toBeNull();
  });
});

describe('a page holding the feed open', () => {
  /** A page whose visibility the test sets, with the ports it opened. */
  function page() {
    const listeners: (() => void)[] = [];
    const ports: { name: string; port: PagePortLike; drop(): void }[] = [];
    const retries: (() => void)[] = [];
    const document = {
      visibilityState: 'visible' as DocumentVisibilityState,
      addEventListener: (_type: string, listener: () => void) => listeners.push(listener),
      removeEventListener: vi.fn(),
    };
    const onShownAgain = vi.fn();
    const presence = holdFeedOpen({
      connect: (name) => {
        const dropped: (() => void)[] = [];
        const port = { onDisconnect: { addListener: (l: () => void) => dropped.push(l) }, disconnect: vi.fn() };
        ports.push({ name, port, drop: () => dropped.forEach((l) => l()) });
        return port;
      },
      document: document as unknown as Document,
      retry: (reconnect) => retries.push(reconnect),
      onShownAgain,
    });
    const setVisible = (visible: boolean) => {
      document.visibilityState = visible ? 'visible' : 'hidden';
      listeners.forEach((l) => l());
    };
    return { presence, ports, retries, setVisible, onShownAgain, open: () => ports.filter((p) => !vi.mocked(p.port.disconnect).mock.calls.length) };
  }

  it('holds one port named after the view while visible, and closes it when hidden (the background records the look)', () => {
    const { presence, ports, setVisible, open, onShownAgain } = page();

    presence.show('feed');
    expect(open().map((p) => p.name)).toEqual(['bg:feed-open/feed']);
    setVisible(false);
    expect(open()).toEqual([]);
    setVisible(true);

    expect(ports.map((p) => p.name)).toEqual(['bg:feed-open/feed', 'bg:feed-open/feed']);
    expect(open()).toHaveLength(1);
    expect(onShownAgain).toHaveBeenCalledTimes(1);
  });

  it('changes ports when the view changes, so the view left gets its last look', () => {
    const { presence, setVisible, open, ports } = page();
    presence.show('feed');

    presence.show('wall:bob');
    presence.show(null);

    expect(ports.map((p) => p.name)).toEqual(['bg:feed-open/feed', 'bg:feed-open/wall:bob', 'bg:feed-open']);
    expect(open().map((p) => p.name)).toEqual(['bg:feed-open']);
    setVisible(false);
    presence.stop();
    expect(open()).toEqual([]);
  });

  it('connects again after the background dropped the port (Chrome stopped its service worker)', () => {
    const { presence, ports, retries, open } = page();
    presence.show('feed');

    ports[0]!.drop();
    expect(open()).toHaveLength(1); // the dropped port is gone from the page's side, not disconnected by it
    retries.forEach((retry) => retry());

    expect(ports.map((p) => p.name)).toEqual(['bg:feed-open/feed', 'bg:feed-open/feed']);
  });

  it('opens no port before the page shows a feed, nor while hidden', () => {
    const { presence, ports, setVisible } = page();
    setVisible(false);

    presence.show('feed');

    expect(ports).toEqual([]);
  });
});

describe('opening at a clicked notification', () => {
  const none = { focusPostId: null, focusWall: null };
  const clicked = { focusPostId: POST_ID, focusWall: 'alice' };

  it('opens the popup at the top: it never scrolls to a post, not even one a click stored', () => {
    expect(notificationFocus('', none, true)).toBeNull();
    expect(notificationFocus('', clicked, true)).toBeNull();
  });

  it('scrolls the side panel to the post a clicked notification stored, or a tab to the post in its address', () => {
    expect(notificationFocus('', clicked, false)).toEqual({ wall: 'alice', postId: POST_ID });
    expect(notificationFocus(`#wall-bob/post-${POST_ID}`, none, false)).toEqual({ wall: 'bob', postId: POST_ID });
    expect(notificationFocus(`#post-${POST_ID}`, none, false)).toEqual({ wall: null, postId: POST_ID });
    expect(notificationFocus('#wall-bob', none, false)).toEqual({ wall: 'bob', postId: null });
  });

  it('scrolls nowhere when nothing was clicked or the address names no post', () => {
    expect(notificationFocus('', none, false)).toBeNull();
    expect(notificationFocus('#wall-bobpost-x', none, false)).toBeNull();
    expect(notificationFocus('#post-javascript:alert(1)', none, false)).toBeNull();
  });
});

describe('long posts collapse', () => {
  beforeEach(() => fakeBrowser.reset());

  const words = (count: number) => Array.from({ length: count }, (_, i) => `word${i}`).join(' ');
  const shownText = (text: string) => collapsedParts(splitLinks(text))?.map((p) => p.text).join('') ?? null;

  it(`leaves text of ${COLLAPSE_OVER.chars} characters and ${COLLAPSE_OVER.lines} lines whole`, () => {
    expect(shownText('x'.repeat(COLLAPSE_OVER.chars))).toBeNull();
    expect(shownText(Array.from({ length: COLLAPSE_OVER.lines }, () => 'line').join('\n'))).toBeNull();
  });

  it('folds longer text at a word break, and text of many short lines after a few lines', () => {
    const long = words(120);
    const shown = shownText(long)!;
    const lines = Array.from({ length: COLLAPSE_OVER.lines + 1 }, (_, i) => `line ${i}`).join('\n');

    expect(long.length).toBeGreaterThan(COLLAPSE_OVER.chars);
    expect(shown.length).toBeLessThanOrEqual(COLLAPSED_TO.chars);
    expect(long.startsWith(shown)).toBe(true);
    expect(long.charAt(shown.length)).toBe(' ');
    expect(shownText(lines)!.split('\n')).toHaveLength(COLLAPSED_TO.lines);
  });

  it('never cuts inside a link: the cut moves before it, or after it when it starts the text', () => {
    const url = `https://example.org/${'a'.repeat(60)}`;
    const linkAcross = `${'x'.repeat(COLLAPSED_TO.chars - 30)} ${url} ${words(80)}`;
    const linkFirst = `${url}${'/b'.repeat(200)} ${words(80)}`;

    const across = collapsedParts(splitLinks(linkAcross))!;
    const first = collapsedParts(splitLinks(linkFirst))!;

    expect(across.filter((p) => p.kind === 'link')).toEqual([]);
    expect(across.map((p) => p.text).join('')).toBe('x'.repeat(COLLAPSED_TO.chars - 30));
    expect(first).toEqual([{ kind: 'link', text: `${url}${'/b'.repeat(200)}`, href: `${url}${'/b'.repeat(200)}` }]);
  });

  it('keeps right-to-left text whole up to the cut and never splits a surrogate pair', () => {
    const hebrew = Array.from({ length: 150 }, () => 'שלום').join(' ');
    const emoji = '😀'.repeat(400);

    expect(hebrew.startsWith(shownText(hebrew)!)).toBe(true);
    expect(shownText(emoji)!.length % 2).toBe(0);
  });

  it('shows a long post’s beginning with Show more, which is not expanded and controls the text', async () => {
    const text = `${words(150)} the end`;
    const html = await render(PostCard, { post: feedPost({ text }), focused: false });

    const id = /<p id="([^"]+)" class="post-text" dir="auto">/.exec(html)?.[1];
    expect(id).toBeDefined();
    expect(html).toContain(`<button type="button" class="post-text-toggle" aria-expanded="false" aria-controls="${id}">`);
    expect(html).toMatch(/>\s*Show more\s*<\/button>/);
    expect(html).not.toContain('the end');
  });

  it('shows short posts whole with no toggle, and folds long comments too', async () => {
    const short = await render(PostCard, { post: feedPost({ text: 'Tea at four' }), focused: false });
    const comment = await render(ItemBody, { kind: 'comment', wall: 'alice', target: POST_ID, text: words(150), mode: 'closed' });

    expect(short).not.toContain('Show more');
    expect(comment).toContain('aria-expanded="false"');
  });

  it('Show more shows the whole text and turns into Show less; Show less folds it again', () => {
    const parts = splitLinks(words(150));
    const collapse = useCollapse(parts, true);

    expect(collapse.long.value).toBe(true);
    expect(collapse.shown.value).not.toEqual(parts);
    collapse.toggle();
    expect(collapse.expanded.value).toBe(true);
    expect(collapse.shown.value).toEqual(parts);
    collapse.toggle();
    expect(collapse.expanded.value).toBe(false);
    expect(useCollapse(parts, false).long.value).toBe(false);
  });
});
