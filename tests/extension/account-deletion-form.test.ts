// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import AccountDeletion from '@/components/social/AccountDeletion.vue';
import { useSessionStore } from '@/stores/session';

const PASSWORD = 'correct horse battery';

describe('the Delete account form', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  it.each([
    [false, true],
    [true, false],
  ])('asks to erase this browser’s data by default (unticked: %s → erase %s)', async (untick, erase) => {
    setActivePinia(createPinia());
    useSessionStore().handle = 'alice';
    const form = mount(AccountDeletion, { global: { plugins: [createPinia()] }, attachTo: document.body });
    const send = vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue({ ok: true, value: { handle: null, connection: 'offline', brokerUrl: null, notice: null } });
    await form.get('button').trigger('click');
    const box = form.get<HTMLInputElement>('input[type="checkbox"]');

    expect(box.element.checked).toBe(true);
    expect(box.element.closest('label')?.textContent?.trim()).toBe('Erase this browser’s Peerwall data');
    if (untick) await box.setValue(false);
    await form.get('#pw-delete-password').setValue(PASSWORD);
    await form.get('form').trigger('submit');
    await flushPromises();

    expect(send).toHaveBeenCalledWith({ type: 'host:delete-account', payload: { password: PASSWORD, erase } });
  });
});
