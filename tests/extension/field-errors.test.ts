// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import AccountDeletion from '@/components/social/AccountDeletion.vue';
import CommentForm from '@/components/social/CommentForm.vue';
import FriendAddForm from '@/components/social/FriendAddForm.vue';
import ItemEditor from '@/components/social/ItemEditor.vue';
import ProfileForm from '@/components/social/ProfileForm.vue';
import { LIMITS } from '@/core/limits';
import { PeerwallError, toErrorInfo } from '@/platform/errors';
import { useFeedStore } from '@/stores/feed';
import { useFriendsStore } from '@/stores/friends';
import { useSessionStore } from '@/stores/session';

const POST = { wall: 'alice', id: 'ab'.repeat(32) };

function mountSignedIn(component: object, props: Record<string, unknown> = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().handle = 'alice';
  return mount(component, { props, global: { plugins: [pinia] }, attachTo: document.body });
}

/** The text of the elements a field's aria-describedby names. */
const description = (field: { attributes(name: string): string | undefined }) =>
  (field.attributes('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent?.trim());

describe('errors next to their fields', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  it('marks Friend’s handle invalid with the refusal beside it, and clears it once the person types', async () => {
    const form = mountSignedIn(FriendAddForm);
    useFriendsStore().addFriend = async () => 'There is no @zed on this broker.';
    const field = form.get('#pw-friend-handle');

    expect(field.attributes('aria-invalid')).toBeUndefined();
    await field.setValue('zed');
    await form.get('form').trigger('submit');
    await flushPromises();

    expect(field.attributes('aria-invalid')).toBe('true');
    expect(description(field)).toEqual(['There is no @zed on this broker.']);
    await field.setValue('zeb');
    expect(field.attributes('aria-invalid')).toBeUndefined();
    expect(field.attributes('aria-describedby')).toBeUndefined();
  });

  it('describes a comment that is too long by its count, and a refused one by the reason', async () => {
    const form = mountSignedIn(CommentForm, { post: POST });
    const box = form.get('textarea');

    await box.setValue('x'.repeat(LIMITS.commentChars + 1));
    expect(box.attributes('aria-invalid')).toBe('true');
    expect(description(box)).toEqual([`${LIMITS.commentChars + 1} / ${LIMITS.commentChars} characters`]);

    useFeedStore().comment = async () => 'The comment could not be saved. Try again.';
    await box.setValue('Nice');
    await form.get('form').trigger('submit');
    await flushPromises();
    expect(box.attributes('aria-invalid')).toBe('true');
    expect(description(box)).toEqual(['The comment could not be saved. Try again.']);
    expect((box.element as HTMLTextAreaElement).value).toBe('Nice');
  });

  it('describes a refused edit next to the box being edited, keeping the draft', async () => {
    const form = mountSignedIn(ItemEditor, { kind: 'comment', wall: 'alice', target: POST.id, text: 'old' });
    useFeedStore().edit = async () => 'That did not work. Try again.';
    const box = form.get('textarea');

    await box.setValue('new');
    await form.get('form').trigger('submit');
    await flushPromises();

    expect(box.attributes('aria-invalid')).toBe('true');
    expect(description(box)).toEqual(['That did not work. Try again.']);
    expect((box.element as HTMLTextAreaElement).value).toBe('new');
  });

  it('describes a display name that is too long by its count', async () => {
    const form = mountSignedIn(ProfileForm);
    const name = form.get('#pw-profile-name');

    await name.setValue('n'.repeat(LIMITS.displayNameChars + 1));

    expect(name.attributes('aria-invalid')).toBe('true');
    expect(description(name)).toEqual([`${LIMITS.displayNameChars + 1} / ${LIMITS.displayNameChars} characters`]);
    expect(form.get('button[type="submit"]').attributes('disabled')).toBeDefined();
  });

  it('marks the password invalid when deleting the account is refused', async () => {
    const form = mountSignedIn(AccountDeletion);
    vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue({
      ok: false,
      error: toErrorInfo(new PeerwallError('wrong_password', 'That password is not right.')),
    });
    await form.get('button').trigger('click');
    const password = form.get('#pw-delete-password');

    await password.setValue('not it');
    await form.get('form').trigger('submit');
    await flushPromises();

    expect(password.attributes('aria-invalid')).toBe('true');
    expect(description(password)).toEqual(['That password is not right.']);
  });
});
