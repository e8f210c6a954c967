// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import PostComposer from '@/components/social/PostComposer.vue';
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
