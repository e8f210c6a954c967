// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import FriendAddForm from '@/components/social/FriendAddForm.vue';
import FriendConfirm from '@/components/social/FriendConfirm.vue';
import FriendList from '@/components/social/FriendList.vue';
import FriendRequestList from '@/components/social/FriendRequestList.vue';
import { wallStanding } from '@/components/social/conversation-words';
import { presenceLabel } from '@/components/social/presence-labels';
import { requestSentNotice } from '@/components/social/request-sent';
import { useConfirm } from '@/components/social/use-confirm';
import type { ConnectionState } from '@/platform/messages';
import type { RequestView, SocialState } from '@/platform/social/social-views';
import { useConnectionStore } from '@/stores/connection';
import { UNDO_BLOCK_MS, useFriendsStore } from '@/stores/friends';
import { friendView } from './support/views';

const request = (handle: string, direction: RequestView['direction']): RequestView => ({ handle, direction, at: 0, note: '', delivery: 'sent' });

const state = (fields: Partial<SocialState> = {}): SocialState => ({
  friends: [],
  incoming: [],
  outgoing: [],
  blocked: [],
  problems: [],
  profiles: [],
  rejections: [],
  unfriendedBy: [],
  ...fields,
});

/** Plays the peer host: records requests and answers each with the state `answer` returns. */
function host(answer: (type: string, payload: unknown) => SocialState = () => state()) {
  const seen: { type: string; payload: unknown }[] = [];
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { type, payload } = message as { type: string; payload: unknown };
    seen.push({ type, payload });
    return Promise.resolve({ ok: true, value: answer(type, payload) });
  });
  return seen;
}

/** Mounts `component` in the page with the friends store holding `seeded` while we are `connection`. */
function show(component: object, seeded: SocialState, connection: ConnectionState = 'online', props: Record<string, unknown> = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useFriendsStore().state = seeded;
  useConnectionStore().connection = connection;
  return mount(component, { props, global: { plugins: [pinia] }, attachTo: document.body });
}

/** The button whose accessible name is exactly `name` (its aria-label, else its text), as a person finds it. */
function button(page: VueWrapper, name: string) {
  const found = page.findAll('button').find((b) => (b.attributes('aria-label') ?? b.text()) === name);
  if (!found) throw new Error(`no button named ${JSON.stringify(name)} in: ${page.text()}`);
  return found;
}
const hasButton = (page: VueWrapper, name: string) => page.findAll('button').some((b) => (b.attributes('aria-label') ?? b.text()) === name);
const focusedName = () => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim();

async function click(page: VueWrapper, name: string): Promise<void> {
  await button(page, name).trigger('click');
  await flushPromises();
}

describe('friend safeguards', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  describe('accessible names', () => {
    it('names the person on every friend and request button, keeping the visible words short', () => {
      const friends = show(FriendList, state({ friends: [friendView('bob')], blocked: ['mallory'] }));
      const requests = show(FriendRequestList, state({ incoming: [request('carol', 'incoming')], outgoing: [request('dave', 'outgoing')] }));

      expect(button(friends, 'Unfriend @bob').text()).toBe('Unfriend');
      expect(button(friends, 'Block @bob').text()).toBe('Block');
      expect(button(friends, 'Unblock @mallory').text()).toBe('Unblock');
      expect(button(requests, 'Accept @carol').text()).toBe('Accept');
      expect(button(requests, 'Decline @carol').text()).toBe('Decline');
      expect(button(requests, 'Block @carol').text()).toBe('Block');
      expect(button(requests, 'Cancel request to @dave').text()).toBe('Cancel request');
    });

    it('draws Block as a danger set apart from Accept, never alike', () => {
      const requests = show(FriendRequestList, state({ incoming: [request('carol', 'incoming')] }));

      expect(button(requests, 'Accept @carol').classes()).toEqual(['pw-primary']);
      expect(button(requests, 'Block @carol').classes()).toEqual(['pw-danger', 'request-block']);
    });
  });

  describe('confirming Unfriend and Block', () => {
    it('asks in an alert dialog that names the person and says what follows, with Cancel focused', () => {
      const unfriend = show(FriendConfirm, state(), 'online', { action: 'unfriend', handle: 'bob', busy: false });
      const dialog = unfriend.get('[role="alertdialog"]');

      expect(document.getElementById(dialog.attributes('aria-labelledby')!)?.textContent).toBe('Unfriend @bob?');
      expect(document.getElementById(dialog.attributes('aria-describedby')!)?.textContent).toMatch(/^Their posts disappear from your feed/);
      expect(hasButton(unfriend, 'Yes, unfriend @bob')).toBe(true);
      expect(focusedName()).toBe('Cancel');
      unfriend.unmount();

      const block = show(FriendConfirm, state(), 'online', { action: 'block', handle: 'bob', busy: false });
      expect(block.text()).toMatch(/^Block @bob\?You stop being friends/);
      expect(hasButton(block, 'Yes, block @bob')).toBe(true);
    });

    it('unfriends only after Yes: Unfriend opens the confirmation, Cancel closes it and gives the focus back', async () => {
      const seen = host();
      const page = show(FriendList, state({ friends: [friendView('bob'), friendView('carol')] }));

      await click(page, 'Unfriend @bob');
      expect(page.findAll('[role="alertdialog"]')).toHaveLength(1);
      expect(focusedName()).toBe('Cancel');
      await click(page, 'Cancel');

      expect(page.find('[role="alertdialog"]').exists()).toBe(false);
      expect(focusedName()).toBe('Unfriend @bob');
      expect(seen).toEqual([]);
    });

    it('closes on Escape and gives the focus back to Block', async () => {
      const seen = host();
      const page = show(FriendList, state({ friends: [friendView('bob')] }));

      await click(page, 'Block @bob');
      await page.get('[role="alertdialog"] button').trigger('keydown', { key: 'Escape' });
      await flushPromises();

      expect(page.find('[role="alertdialog"]').exists()).toBe(false);
      expect(focusedName()).toBe('Block @bob');
      expect(seen).toEqual([]);
    });

    it('unfriends on Yes and moves the focus to the list’s heading', async () => {
      const seen = host();
      const page = show(FriendList, state({ friends: [friendView('bob')] }));

      await click(page, 'Unfriend @bob');
      await click(page, 'Yes, unfriend @bob');

      expect(seen).toEqual([{ type: 'host:unfriend', payload: { handle: 'bob' } }]);
      expect(hasButton(page, 'Unfriend @bob')).toBe(false);
      expect(document.activeElement?.textContent).toBe('Friends');
    });

    it('offers Undo after a block, focused so a keyboard user finds it, and Undo unblocks', async () => {
      const seen = host((type) => (type === 'host:block' ? state({ blocked: ['bob'] }) : state()));
      const page = show(FriendList, state({ friends: [friendView('bob')] }));

      await click(page, 'Block @bob');
      await click(page, 'Yes, block @bob');
      expect(focusedName()).toBe('Undo block of @bob');
      expect(page.text()).toContain('You blocked @bob. Undo unblocks them; it does not bring back the friendship');
      await click(page, 'Undo block of @bob');

      expect(seen.map((s) => s.type)).toEqual(['host:block', 'host:unblock']);
      expect(hasButton(page, 'Undo block of @bob')).toBe(false);
    });

    it('keeps the confirmation open and says why when the action fails', async () => {
      fakeBrowser.runtime.onMessage.addListener(() =>
        Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'Friends and posts are not available here.' } }),
      );
      const page = show(FriendList, state({ friends: [friendView('bob')] }));

      await click(page, 'Unfriend @bob');
      await click(page, 'Yes, unfriend @bob');

      expect(page.get('[role="alert"]').text()).toBe('Friends and posts are not available here.');
      expect(page.find('[role="alertdialog"]').exists()).toBe(true);
    });

    it('asks before blocking someone who sent a request, too', async () => {
      const seen = host(() => state({ blocked: ['carol'] }));
      const page = show(FriendRequestList, state({ incoming: [request('carol', 'incoming')] }));

      await click(page, 'Block @carol');
      expect(page.get('[role="alertdialog"]').text()).toContain('Block @carol?');
      expect(seen).toEqual([]);
      await click(page, 'Yes, block @carol');

      expect(seen).toEqual([{ type: 'host:block', payload: { handle: 'carol' } }]);
    });

    it('keeps one confirmation open at a time and gives no focus back once done', () => {
      const confirm = useConfirm<'unfriend' | 'block'>();
      const opener = { focus: vi.fn() };
      confirm.opener('block', 'bob')(opener);

      confirm.ask('unfriend', 'bob');
      confirm.ask('block', 'bob');
      expect(confirm.isAsking('unfriend', 'bob')).toBe(false);
      expect(confirm.isAsking('block', 'bob')).toBe(true);
      confirm.done();

      expect(confirm.asking.value).toBeNull();
      expect(opener.focus).not.toHaveBeenCalled();
    });

    it('withdraws the Undo after a while', async () => {
      setActivePinia(createPinia());
      host(() => state({ blocked: ['bob'] }));
      const friends = useFriendsStore();
      expect(await friends.block('bob')).toBeNull();
      expect(friends.lastBlocked).toBe('bob');

      vi.useFakeTimers();
      try {
        await friends.block('bob'); // a second block starts the wait over
        vi.advanceTimersByTime(UNDO_BLOCK_MS - 1);
        expect(friends.lastBlocked).toBe('bob');
        vi.advanceTimersByTime(1);
        expect(friends.lastBlocked).toBeNull();
      } finally {
        vi.useRealTimers();
      }
    });
  });

  describe('requests and notices', () => {
    it('cancels an outgoing request with Cancel request to @dave', async () => {
      const seen = host();
      const page = show(FriendRequestList, state({ outgoing: [request('dave', 'outgoing')] }));

      await click(page, 'Cancel request to @dave');

      expect(seen).toEqual([{ type: 'host:cancel-request', payload: { handle: 'dave' } }]);
      expect(page.text()).toBe('');
    });

    it('says quietly who removed you, with a Dismiss that names them', async () => {
      const seen = host();
      const page = show(FriendList, state({ unfriendedBy: [{ handle: 'alice', at: 1 }] }));

      expect(page.text()).toContain('@alice removed you from their friends.');
      expect(page.find('[role="alert"], [role="status"]').exists()).toBe(false);
      await click(page, 'Dismiss: @alice removed you');

      expect(seen).toEqual([{ type: 'host:dismiss-unfriended', payload: { handle: 'alice' } }]);
      expect(page.text()).not.toContain('removed you');
    });

    it('says “Friend request sent” until that request is accepted, declined or cancelled', async () => {
      host((type) => (type === 'host:add-friend' ? state({ outgoing: [request('bob', 'outgoing')] }) : state()));
      const form = show(FriendAddForm, state());

      await form.get('input').setValue('@Bob');
      await form.get('form').trigger('submit');
      await flushPromises();
      expect(form.text()).toContain('Friend request sent to @bob.');

      useFriendsStore().state = state({ friends: [friendView('bob')] }); // bob accepted
      await flushPromises();
      expect(form.text()).not.toContain('Friend request sent');
      useFriendsStore().state = state({ outgoing: [request('bob', 'outgoing')] }); // a request from elsewhere
      await flushPromises();
      expect(form.text()).not.toContain('Friend request sent');
    });

    it('words the sent notice from the pending requests alone', () => {
      const pending = state({ outgoing: [request('bob', 'outgoing')] });

      expect(requestSentNotice(pending, 'bob')).toBe('Friend request sent to @bob.');
      expect(requestSentNotice(state(), 'bob')).toBeNull();
      expect(requestSentNotice(pending, null)).toBeNull();
    });
  });

  describe('presence while oneself is offline', () => {
    it('shows friends as unknown, not Online, while we are not connected to the broker', () => {
      const seeded = state({ friends: [friendView('bob'), friendView('carol', { presence: 'cant_connect', reason: 'No answer.' })] });
      const offline = show(FriendList, seeded, 'offline');
      const online = show(FriendList, seeded, 'online');

      expect(offline.findAll('.friend-presence').map((p) => p.text())).toEqual(['Unknown — you are offline', 'Unknown — you are offline']);
      expect(offline.text()).not.toMatch(/Online|Can’t connect|No answer/);
      expect(online.findAll('.friend-presence').map((p) => p.text())).toEqual(['Online', 'Can’t connect']);
      expect(online.text()).toContain('No answer. Posts wait until it works.');
    });

    it('says so for each of our own connection states, on the friend list and a friend’s wall', () => {
      expect(presenceLabel('online', 'online')).toEqual({ text: 'Online', kind: 'online' });
      expect(presenceLabel('online', 'offline')).toEqual({ text: 'Unknown — you are offline', kind: 'unknown' });
      expect(presenceLabel('offline', 'signed_in_elsewhere').text).toBe('Unknown — you are offline');
      expect(presenceLabel('online', 'connecting').text).toBe('Unknown — connecting…');
      expect(wallStanding('bob', 'alice', friendView('bob'), 'offline')).toBe('Friend · Unknown — you are offline');
    });
  });
});
