// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import ProfileForm from '@/components/social/ProfileForm.vue';
import { SURFACE, type Surface } from '@/components/surface';
import type { ProfileView } from '@/platform/social/social-views';
import { useFriendsStore } from '@/stores/friends';
import { useSessionStore } from '@/stores/session';

/** Plays the peer host: records requests and answers with the state it is given. */
function host(profiles: ProfileView[]) {
  const seen: { type: string; payload: unknown }[] = [];
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { type, payload } = message as { type: string; payload: unknown };
    seen.push({ type, payload });
    return Promise.resolve({ ok: true, value: { friends: [], incoming: [], outgoing: [], blocked: [], problems: [], profiles, rejections: [], unfriendedBy: [] } });
  });
  return seen;
}

function form(surface: Surface, profiles: ProfileView[]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().handle = 'alice';
  const friends = useFriendsStore();
  friends.state = { ...friends.state, profiles };
  return mount(ProfileForm, { global: { plugins: [pinia], provide: { [SURFACE as symbol]: surface } }, attachTo: document.body });
}

const withPicture: ProfileView[] = [{ handle: 'alice', displayName: 'Alice', about: '', picture: { full: 'a'.repeat(64), thumbnail: 'b'.repeat(64) } }];

describe('the profile form’s picture', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('offers Choose profile picture in the side panel, and Remove profile picture only when there is one', () => {
    const none = form('sidepanel', []);
    expect(none.find('input[type="file"]').element.closest('label')?.textContent?.trim()).toBe('Choose profile picture');
    expect(none.text()).not.toContain('Remove profile picture');
    expect(form('popup', withPicture).text()).toContain('Remove profile picture');
  });

  it('in the Firefox popup, says why picking happens in the side panel and offers to open it', () => {
    vi.stubEnv('FIREFOX', true as unknown as string);
    vi.spyOn(fakeBrowser.windows, 'getCurrent').mockResolvedValue({ id: 1 } as Awaited<ReturnType<typeof fakeBrowser.windows.getCurrent>>);
    const view = form('popup', withPicture);
    expect(view.find('input[type="file"]').exists()).toBe(false);
    expect(view.text()).toContain('To choose a profile picture, open the side panel: Firefox closes this popup when a file picker opens.');
    expect(view.find('button.side-panel-button').text()).toBe('Open side panel');
  });

  it('removes the picture with Save profile, and keeps it when only the name is saved', async () => {
    const seen = host([]);
    const view = form('sidepanel', withPicture);
    await view.get('#pw-profile-name').setValue('Alice L.');
    await view.get('form').trigger('submit');
    await flushPromises();
    const removing = form('sidepanel', withPicture);
    const remove = removing.findAll('button').find((b) => b.text() === 'Remove profile picture')!;
    await remove.trigger('click');
    expect(removing.text()).toContain('Save profile removes your picture.');
    await removing.get('form').trigger('submit');
    await flushPromises();

    expect(seen).toEqual([
      { type: 'host:set-profile', payload: { displayName: 'Alice L.', about: '' } },
      { type: 'host:set-profile', payload: { displayName: 'Alice', about: '', picture: null } },
    ]);
  });
});
