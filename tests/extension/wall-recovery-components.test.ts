// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import RecoveringNotice from '@/components/backup/RecoveringNotice.vue';
import WallRecoveryForm from '@/components/backup/WallRecoveryForm.vue';
import type { SocialState } from '@/platform/social/social-views';
import { useFriendsStore } from '@/stores/friends';
import { friendView } from './support/views';

const empty: SocialState = { friends: [], incoming: [], outgoing: [], blocked: [], problems: [], profiles: [], rejections: [], unfriendedBy: [] };

/** Plays the peer host: records requests and answers each with `answer`. */
function host(answer: (type: string, payload: unknown) => unknown) {
  const seen: { type: string; payload: unknown }[] = [];
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { type, payload } = message as { type: string; payload: unknown };
    seen.push({ type, payload });
    return Promise.resolve(answer(type, payload));
  });
  return seen;
}

function mountWith(component: object, state: SocialState) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useFriendsStore().state = state;
  return mount(component, { global: { plugins: [pinia] }, attachTo: document.body });
}

describe('recover from friends in the pages (§8)', () => {
  beforeEach(() => fakeBrowser.reset());

  it('offers a sign-in that found no key here to name the friends who had its wall, and asks them', async () => {
    const seen = host(() => ({ ok: true, value: { ...empty, recovering: true, recoveryWaitsFor: ['alice', 'bob'] } }));
    const form = mountWith(WallRecoveryForm, { ...empty, mayRecoverFromFriends: true });
    expect(form.text()).toContain('Lost your browser without a backup?');
    await form.get('#pw-wall-recovery-friends').setValue('@alice, bob');
    await form.get('form').trigger('submit');
    await flushPromises();
    expect(seen).toEqual([{ type: 'host:recover-from-friends', payload: { handles: ['alice', 'bob'] } }]);
    expect(form.text()).toBe(''); // recovering now: the notice takes over
  });

  it('is not offered once the account has friends', () => {
    const form = mountWith(WallRecoveryForm, { ...empty, mayRecoverFromFriends: true, friends: [friendView('alice')] });
    expect(form.text()).toBe('');
  });

  it('is not offered after creating an account, nor on a browser that has the key', () => {
    const form = mountWith(WallRecoveryForm, empty);
    expect(form.text()).toBe('');
  });

  it('says whom recovery waits for, and Skip ends it', async () => {
    const seen = host(() => ({ ok: true, value: empty }));
    const notice = mountWith(RecoveringNotice, { ...empty, recovering: true, recoveryWaitsFor: ['alice', 'bob'] });
    expect(notice.text()).toContain('Waiting for @alice or @bob to confirm your new key.');
    await notice.get('button').trigger('click');
    await flushPromises();
    expect(seen.map((s) => s.type)).toEqual(['host:skip-recovery']);
    expect(notice.text()).toBe('');
  });
});
