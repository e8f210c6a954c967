// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import PostComposer from '@/components/social/PostComposer.vue';
import { SURFACE } from '@/components/surface';
import { LIMITS } from '@/core/limits';
import { useFeedStore } from '@/stores/feed';
import { useSessionStore } from '@/stores/session';

function composer() {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().handle = 'alice';
  return mount(PostComposer, { global: { plugins: [pinia] }, attachTo: document.body });
}

describe('post composer', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  it('offers Post only once there is something to post', async () => {
    const form = composer();
    const post = form.get('button[type="submit"]');

    expect(post.attributes('disabled')).toBeDefined();
    await form.get('textarea').setValue('   ');
    expect(post.attributes('disabled')).toBeDefined();
    await form.get('textarea').setValue('Hello');
    expect(post.attributes('disabled')).toBeUndefined();
  });

  it('marks a post that is too long invalid and describes why, keeping the text', async () => {
    const form = composer();
    const box = form.get('textarea');

    await box.setValue('x'.repeat(LIMITS.postChars + 1));

    expect(box.attributes('aria-invalid')).toBe('true');
    const described = box.attributes('aria-describedby')?.split(' ') ?? [];
    expect(described).toContain('pw-composer-count');
    expect(document.getElementById('pw-composer-count')?.textContent).toContain(`${LIMITS.postChars + 1} / ${LIMITS.postChars}`);
    expect(form.get('button[type="submit"]').attributes('disabled')).toBeDefined();
  });

  it('puts a refusal next to the box, invalid and described, and keeps the text to try again', async () => {
    const form = composer();
    useFeedStore().post = async () => 'The post could not be saved. Try again.';
    const box = form.get('textarea');

    await box.setValue('Keep me');
    await box.trigger('keydown', { key: 'Enter', ctrlKey: true });
    await flushPromises();

    expect(document.getElementById('pw-composer-error')?.textContent).toBe('The post could not be saved. Try again.');
    expect(box.attributes('aria-invalid')).toBe('true');
    expect(box.attributes('aria-describedby')).toBe('pw-composer-error');
    expect((box.element as HTMLTextAreaElement).value).toBe('Keep me');
  });
});

/** Files as the file input hands them over (the browser guesses `type` from the name). */
const jpeg = (name: string, size = 1000) => new File([new Uint8Array(size)], name, { type: 'image/jpeg' });

async function pick(form: ReturnType<typeof composer>, files: File[]): Promise<void> {
  const input = form.get('input[type="file"]');
  Object.defineProperty(input.element, 'files', { value: files, configurable: true });
  await input.trigger('change');
}

describe('post composer photos', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  it('offers Add photos for JPEG, PNG, GIF and WebP, and a description and a remove control per photo', async () => {
    const form = composer();
    const input = form.get('input[type="file"]');
    expect(input.element.closest('label')?.textContent).toContain('Add photos');
    expect(input.attributes('accept')).toBe('image/png,image/jpeg,image/gif,image/webp');

    await pick(form, [jpeg('kite.jpg'), jpeg('hill.jpg')]);

    expect(form.findAll('label').filter((l) => l.text() === 'Describe this photo')).toHaveLength(2);
    expect(form.find('button[aria-label="Remove photo 2"]').exists()).toBe(true);
    await form.get('button[aria-label="Remove photo 1"]').trigger('click');
    expect(form.findAll('button[aria-label^="Remove photo"]')).toHaveLength(1);
  });

  it('posts photos without text, each with what was written to describe it', async () => {
    const form = composer();
    const sent: { text: string; photos: { file: Blob; alt: string }[] }[] = [];
    useFeedStore().post = async (text, photos = []) => (sent.push({ text, photos: [...photos] }), null);
    const post = form.get('button[type="submit"]');

    await pick(form, [jpeg('kite.jpg')]);
    expect(post.attributes('disabled')).toBeUndefined();
    await form.get('input[type="text"]').setValue('A red kite');
    await form.get('form').trigger('submit');
    await flushPromises();

    expect(sent).toEqual([{ text: '', photos: [{ file: expect.any(File), alt: 'A red kite' }] }]);
    expect(sent[0]!.photos[0]!.file).toMatchObject({ name: 'kite.jpg' });
    expect(form.findAll('input[type="text"]')).toHaveLength(0);
  });

  it.each([
    ['more than four photos', () => [1, 2, 3, 4, 5].map((n) => jpeg(`${n}.jpg`)), 'A post can have at most 4 photos.', 4],
    ['a photo larger than 20 MB', () => [jpeg('huge.jpg', 20 * 1024 * 1024 + 1)], 'huge.jpg is larger than 20 MB. Choose a smaller photo.', 0],
    ['a file that is not an image', () => [new File(['%PDF'], 'notes.pdf', { type: 'application/pdf' })], 'notes.pdf is not a photo Peerwall can post. Choose a JPEG, PNG, GIF or WebP image.', 0],
  ])('says so when picking %s, keeping what fits', async (_what, files, sentence, kept) => {
    const form = composer();

    await pick(form, files());

    expect(document.getElementById('pw-composer-error')?.textContent).toBe(sentence);
    expect(form.findAll('button[aria-label^="Remove photo"]')).toHaveLength(kept);
  });

  it('offers Add photos on a friend’s wall too, and sends the photos with the post', async () => {
    const form = composer();
    const feed = useFeedStore();
    feed.wall = 'bob';
    const sent: { wall: string | null; alts: string[] }[] = [];
    feed.post = async (_text, photos = []) => (sent.push({ wall: feed.wall, alts: photos.map((p) => p.alt) }), null);
    await flushPromises();

    expect(form.get('label[for="pw-composer"]').text()).toBe("Write on @bob's wall");
    await pick(form, [jpeg('kite.jpg')]);
    await form.get('input[type="text"]').setValue('For you');
    await form.get('form').trigger('submit');
    await flushPromises();

    expect(sent).toEqual([{ wall: 'bob', alts: ['For you'] }]);
  });
});

describe('post composer photos in Firefox’s popup', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
    vi.stubEnv('FIREFOX', true as unknown as string); // WXT defines it as a boolean
  });
  afterEach(() => vi.unstubAllEnvs());

  it('says why photos are added in the side panel and opens the sidebar from a button (Mozilla bug 1292701)', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    useSessionStore().handle = 'alice';
    const sidebar = { open: vi.fn(async () => undefined) };
    Object.assign(fakeBrowser, { sidebarAction: sidebar });
    vi.spyOn(fakeBrowser.windows, 'getCurrent').mockResolvedValue({ id: 7, focused: true, incognito: false, alwaysOnTop: false });
    const close = vi.spyOn(window, 'close').mockImplementation(() => undefined);
    const form = mount(PostComposer, { global: { plugins: [pinia], provide: { [SURFACE as symbol]: 'popup' } }, attachTo: document.body });
    await flushPromises();

    expect(form.find('input[type="file"]').exists()).toBe(false);
    expect(form.text()).toContain('Firefox closes this popup when a file picker opens');
    await form.get('button.side-panel-button').trigger('click');
    await flushPromises();

    expect(form.get('button.side-panel-button').text()).toBe('Add photos in the side panel');
    expect(sidebar.open).toHaveBeenCalledOnce();
    expect(close).toHaveBeenCalled();
  });
});
