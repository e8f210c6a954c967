// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import PersonAvatar from '@/components/social/PersonAvatar.vue';
import { avatarColours } from '@/components/social/avatar-look';
import { contentDbName, openContentDb } from '@/platform/content-db';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';
import type { ProfileView } from '@/platform/social/social-views';
import { useConnectionStore } from '@/stores/connection';
import { useFriendsStore } from '@/stores/friends';
import { useSessionStore } from '@/stores/session';
import { makePhoto, nameOf } from '../core/support/photos';

let counter = 0;

/** `viewer`'s content database referring to alice's picture `seed`, its thumbnail held or not yet. */
async function pictureAt(viewer: string, seed: string, held: boolean) {
  const store = createIdbMediaStore(await openContentDb(contentDbName(viewer)));
  const { photo, thumbnail } = makePhoto(seed, 1, '');
  await store.addReference(photo.thumbnail, { wall: 'alice', entry: 'p1', thumbnail: true });
  const add = () => store.putFile(photo.thumbnail, thumbnail);
  if (held) await add();
  return { picture: { full: nameOf(photo.full), thumbnail: nameOf(photo.thumbnail) }, add };
}

function avatar(viewer: string, handle: string, profiles: ProfileView[]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().handle = viewer;
  const friends = useFriendsStore();
  friends.state = { ...friends.state, profiles };
  return mount(PersonAvatar, { props: { handle }, global: { plugins: [pinia] }, attachTo: document.body });
}

const settled = async () => {
  await flushPromises();
  await new Promise((r) => setTimeout(r, 50));
  await flushPromises();
};

describe('a person’s avatar', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  it('shows the profile picture’s thumbnail, read from the content database, as decoration beside the name', async () => {
    const viewer = `viewer${++counter}`;
    const { picture } = await pictureAt(viewer, 'face', true);
    const view = avatar(viewer, 'alice', [{ handle: 'alice', displayName: 'Alice Liddell', about: '', picture }]);
    await settled();

    expect(view.attributes('data-avatar')).toBe('picture');
    expect(view.attributes('aria-hidden')).toBe('true');
    expect(view.get('img').attributes('alt')).toBe('');
    expect(view.get('img').attributes('src')).toMatch(/^blob:/);
  });

  it('shows initials in the handle’s colour without a picture, and while the picture has not arrived', async () => {
    const viewer = `viewer${++counter}`;
    const { picture, add } = await pictureAt(viewer, 'late', false);
    const view = avatar(viewer, 'alice', [{ handle: 'alice', displayName: 'Alice Liddell', about: '', picture }]);
    const plain = avatar(viewer, 'bob', []);
    await settled();

    expect(view.attributes('data-avatar')).toBe('initials');
    expect(view.text()).toBe('AL');
    expect(plain.text()).toBe('B');
    expect(plain.attributes('style')).toContain(`--avatar-light: ${avatarColours('bob').light}`);
    expect(plain.find('img').exists()).toBe(false);

    await add();
    setActivePinia(view.vm.$pinia);
    useConnectionStore().socialChange = { friends: false, feed: true, posts: [] };
    await settled();
    expect(view.attributes('data-avatar')).toBe('picture');
  });
});
