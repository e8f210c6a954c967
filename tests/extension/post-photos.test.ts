// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import PostPhotos from '@/components/social/PostPhotos.vue';
import { contentDbName, openContentDb } from '@/platform/content-db';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';
import { LIMITS } from '@/core/limits';
import { useConnectionStore } from '@/stores/connection';
import { useFriendsStore } from '@/stores/friends';
import { useSessionStore } from '@/stores/session';
import { makePhoto, nameOf } from '../core/support/photos';

let counter = 0;

/** bob's content database holding what `have` says of alice's photo `seed`; the photo as the feed lists it. */
async function bobHolds(handle: string, seed: string, have: { thumbnail: boolean; full: boolean }) {
  const store = createIdbMediaStore(await openContentDb(contentDbName(handle)));
  const { photo, full, thumbnail } = makePhoto(seed, 2);
  await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
  await store.addReference(photo.thumbnail, { wall: 'alice', entry: 'e1', thumbnail: true });
  if (have.thumbnail) await store.putFile(photo.thumbnail, thumbnail);
  const addFull = () => store.putFile(photo.full, full);
  if (have.full) await addFull();
  return { shown: { full: nameOf(photo.full), thumbnail: nameOf(photo.thumbnail), alt: `${seed} at dusk` }, addFull };
}

function photos(handle: string, list: { full: string; thumbnail: string; alt: string }[]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().handle = handle;
  return mount(PostPhotos, { props: { photos: list, author: 'alice' }, global: { plugins: [pinia] }, attachTo: document.body });
}

describe('a post’s photos', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  it('shows the thumbnail named by its alt text, then the full image once it is complete', async () => {
    const handle = `viewer${++counter}`;
    const { shown, addFull } = await bobHolds(handle, 'beach', { thumbnail: true, full: false });
    const view = photos(handle, [shown]);
    await flushPromises();
    await new Promise((r) => setTimeout(r, 50));
    await flushPromises();

    const button = view.get('button.post-photo');
    expect(button.get('img').attributes('alt')).toBe('beach at dusk');
    expect(button.attributes('data-full')).toBe('no');

    await addFull();
    await view.setProps({ photos: [{ ...shown }] }); // the feed reloads when a file is stored
    await new Promise((r) => setTimeout(r, 50));
    await flushPromises();
    expect(view.get('button.post-photo').attributes('data-full')).toBe('yes');
  });

  it('says a photo not here yet will load when its author is online', async () => {
    const handle = `viewer${++counter}`;
    const { shown } = await bobHolds(handle, 'hill', { thumbnail: false, full: false });
    const view = photos(handle, [shown]);
    await new Promise((r) => setTimeout(r, 50));
    await flushPromises();

    expect(view.text()).toContain('Photo will load when @alice is online');
    expect(view.find('img').exists()).toBe(false);
  });

  it('shows a progress bar of the chunks held while the full image arrives, re-read when the file grows', async () => {
    const handle = `viewer${++counter}`;
    const store = createIdbMediaStore(await openContentDb(contentDbName(handle)));
    const { photo, full, thumbnail } = makePhoto('kite', 9); // 10 chunks
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
    await store.addReference(photo.thumbnail, { wall: 'alice', entry: 'e1', thumbnail: true });
    await store.putFile(photo.thumbnail, thumbnail);
    const chunk = (i: number) => full.subarray(i * LIMITS.mediaChunkBytes, (i + 1) * LIMITS.mediaChunkBytes);
    const view = photos(handle, [{ full: nameOf(photo.full), thumbnail: nameOf(photo.thumbnail), alt: 'kite' }]);
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 50));
      await flushPromises();
    };
    await settle();
    expect(view.find('[role="progressbar"]').exists()).toBe(false);

    for (let i = 0; i < 3; i++) await store.putChunk(nameOf(photo.full), i, chunk(i));
    useConnectionStore().socialChange = { friends: false, feed: false, posts: [], media: [nameOf(photo.full)] };
    await settle();

    const bar = view.get('[role="progressbar"]');
    expect(bar.attributes('aria-label')).toBe('Loading photo');
    expect(bar.attributes('aria-valuenow')).toBe('30');
    expect(bar.attributes('aria-valuetext')).toBe('3 of 10 parts');
    expect(view.text()).toContain('Photo will load when @alice is online'); // alice is not online

    for (let i = 3; i < 7; i++) await store.putChunk(nameOf(photo.full), i, chunk(i));
    useConnectionStore().socialChange = { friends: false, feed: false, posts: [], media: ['ab'.repeat(32)] };
    await settle();
    expect(view.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('30'); // another file grew

    useConnectionStore().socialChange = { friends: false, feed: false, posts: [], media: [nameOf(photo.full)] };
    await settle();
    expect(view.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('70');
  });

  it('on a friend’s wall, waits for the wall’s owner, and says nothing while the owner is online', async () => {
    const handle = `viewer${++counter}`;
    const { shown } = await bobHolds(handle, 'pier', { thumbnail: true, full: false });
    const pinia = createPinia();
    setActivePinia(pinia);
    useSessionStore().handle = handle;
    const view = mount(PostPhotos, { props: { photos: [shown], author: 'carol', wall: 'alice' }, global: { plugins: [pinia] }, attachTo: document.body });
    await new Promise((r) => setTimeout(r, 50));
    await flushPromises();
    expect(view.text()).toContain('Photo will load when @alice is online');

    const friends = useFriendsStore();
    friends.state = { ...friends.state, friends: [{ handle: 'alice', presence: 'online' } as (typeof friends.state.friends)[number]] };
    await flushPromises();
    expect(view.text()).not.toContain('will load when');
  });
});
