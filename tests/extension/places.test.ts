// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import PlaceNav from '@/components/PlaceNav.vue';
import FeedNextStep from '@/components/social/FeedNextStep.vue';
import HandleLink from '@/components/social/HandleLink.vue';
import SocialPanel from '@/components/social/SocialPanel.vue';
import type { RequestView, SocialState } from '@/platform/social/social-views';
import { useFeedStore } from '@/stores/feed';
import { useFriendsStore } from '@/stores/friends';
import { usePlaceStore } from '@/stores/place';
import { useSessionStore } from '@/stores/session';
import { friendView } from './support/views';

/** A fresh Pinia, signed in as `me`, with the friends state `seed` already loaded. */
function signedIn(me: string, seed: Partial<SocialState> = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().handle = me;
  const friends = useFriendsStore();
  friends.state = { ...friends.state, ...seed };
  friends.loaded = true;
  return pinia;
}

function mountWith(component: object, pinia: ReturnType<typeof createPinia>, props: Record<string, unknown> = {}) {
  return mount(component, { props, global: { plugins: [pinia] }, attachTo: document.body });
}

const incoming = (handle: string, at: number): RequestView => ({ handle, direction: 'incoming', at, note: '', delivery: 'delivered' });

const navButton = (wrapper: ReturnType<typeof mount>, name: string) => {
  const button = wrapper.findAll('nav[aria-label="Places"] button').find((b) => b.text().replace(/\d+$/, '').trim() === name);
  if (!button) throw new Error(`no ${name} in the Places navigation`);
  return button;
};
const current = (wrapper: ReturnType<typeof mount>) =>
  wrapper.findAll('nav[aria-label="Places"] button[aria-current="page"]').map((b) => b.text().replace(/\d+$/, '').trim());

/** Feed ports the pages opened (`bg:feed-open…`), and whether each was let go. */
let ports: { name: string; closed: boolean }[] = [];

describe('places', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
    ports = [];
    vi.spyOn(fakeBrowser.runtime, 'connect').mockImplementation(((info: { name: string }) => {
      const port = { name: info.name, closed: false };
      ports.push(port);
      return { onDisconnect: { addListener: () => undefined }, disconnect: () => (port.closed = true) };
    }) as never);
  });

  it('names Feed, My wall, Friends and Settings, and marks the one shown', async () => {
    const pinia = signedIn('alice');
    const nav = mountWith(PlaceNav, pinia);
    const places = usePlaceStore();
    const feed = useFeedStore();

    expect(current(nav)).toEqual(['Feed']);
    feed.wall = 'alice';
    await flushPromises();
    expect(current(nav)).toEqual(['My wall']);
    feed.wall = 'bob';
    await flushPromises();
    expect(current(nav), 'a friend’s wall is none of the four').toEqual([]);
    places.show('friends');
    await flushPromises();
    expect(current(nav)).toEqual(['Friends']);
    places.show('settings');
    await flushPromises();
    expect(current(nav)).toEqual(['Settings']);
  });

  it('counts incoming requests on Friends without changing the button’s name', async () => {
    const pinia = signedIn('alice', { incoming: [incoming('bob', 1), incoming('carol', 2)] });
    const nav = mountWith(PlaceNav, pinia);
    const friends = navButton(nav, 'Friends');

    expect(friends.find('[aria-hidden="true"]').text()).toBe('2');
    const described = document.getElementById(friends.attributes('aria-describedby') ?? '');
    expect(described?.textContent?.trim()).toBe('2 friend requests');
  });

  it('shows one place at a time: posts first, then Friends, then Settings with Sign out', async () => {
    const pinia = signedIn('alice', { friends: [friendView('bob')] });
    const panel = mountWith(SocialPanel, pinia);
    await flushPromises();

    expect(panel.find('section[aria-label="Posts"]').exists()).toBe(true);
    expect(panel.find('#pw-friend-handle').exists()).toBe(false);
    expect(panel.text()).not.toContain('Sign out');

    expect(ports.filter((p) => !p.closed).map((p) => p.name), 'the Feed holds its port: the badge does not count').toHaveLength(1);

    await navButton(panel, 'Friends').trigger('click');
    expect(panel.find('section[aria-label="Posts"]').exists()).toBe(false);
    expect(ports.filter((p) => !p.closed), 'Friends shows no posts: the badge counts again').toEqual([]);
    expect(panel.find('#pw-friend-handle').exists()).toBe(true);
    expect(panel.find('section[aria-label="Friends"]').text()).toContain('@bob');

    await navButton(panel, 'Settings').trigger('click');
    expect(panel.find('[role="region"][aria-label="Settings"]').exists()).toBe(true);
    expect(panel.findAll('button').map((b) => b.text())).toContain('Sign out');
    expect(panel.text()).toContain('Signed in as @alice.');

    await navButton(panel, 'Feed').trigger('click');
    expect(panel.find('section[aria-label="Posts"]').exists()).toBe(true);
  });

  it('opens a wall from a handle link in any place, in the posts section', async () => {
    const pinia = signedIn('alice', { friends: [friendView('bob')] });
    const link = mountWith(HandleLink, pinia, { handle: 'bob' });
    usePlaceStore().show('friends');

    await link.find('a').trigger('click');

    expect(usePlaceStore().place).toBe('wall');
    expect(useFeedStore().wall).toBe('bob');
  });

  it('asks someone with no friends to add their first, and leads to Friends', async () => {
    const pinia = signedIn('alice');
    const step = mountWith(FeedNextStep, pinia);

    expect(step.text()).toContain('Peerwall is better with friends.');
    await step.get('button').trigger('click');
    expect(usePlaceStore().section).toBe('friends');
  });

  it('puts waiting friend requests first on the Feed, not on a wall, and not once there are friends and no requests', async () => {
    const waiting = mountWith(FeedNextStep, signedIn('alice', { incoming: [incoming('bob', 1)] }));
    expect(waiting.text()).toContain('@bob wants to be your friend.');
    expect(waiting.get('button').text()).toBe('See friend requests');

    useFeedStore().wall = 'alice';
    await flushPromises();
    expect(waiting.text()).toBe('');

    const settled = mountWith(FeedNextStep, signedIn('alice', { friends: [friendView('bob')] }));
    expect(settled.text()).toBe('');
  });
});
