// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import WelcomePage from '@/components/WelcomePage.vue';
import { pinIconHint } from '@/components/pin-icon-hint';
import type { HostState } from '@/platform/messages';
import { saveSession } from '@/platform/storage-items';
import { flush } from './support/fake-time';

const SESSION = {
  handle: 'alice',
  token: 'secret-token',
  expiresAt: 2_000_000_000_000,
  obtainedAt: 1_900_000_000_000,
  brokerUrl: 'http://localhost:9000',
  displaced: false,
};
const STATE: HostState = { handle: 'alice', connection: 'online', brokerUrl: SESSION.brokerUrl, notice: null };
const GET_STARTED = 'Create an account or sign in to get started.';

/** Plays background + peer host for the page. */
function answerAs(values: Record<string, unknown>): void {
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { type } = message as { type: string };
    return Promise.resolve(type in values ? { ok: true, value: values[type] } : undefined);
  });
}

let wrapper: VueWrapper | undefined;

async function openWelcomePage(): Promise<VueWrapper> {
  answerAs({ 'bg:ensure-host': { created: false }, 'host:get-state': STATE });
  wrapper = mount(WelcomePage, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await flush();
  return wrapper;
}

describe('welcome page', () => {
  beforeEach(() => fakeBrowser.reset());
  afterEach(() => {
    wrapper?.unmount();
    wrapper = undefined;
  });

  it('invites a signed-out person to create an account or sign in', async () => {
    const page = await openWelcomePage();

    expect(page.text()).toContain(GET_STARTED);
    expect(page.find('form.sign-in-form').exists()).toBe(true);
    expect(page.text()).not.toContain('Add your first friend');
  });

  it('after sign-in drops the invitation and offers the next step: a first friend and pinning the icon', async () => {
    await saveSession(SESSION);
    const page = await openWelcomePage();

    expect(page.text()).not.toContain(GET_STARTED);
    expect(page.text()).toContain('You are all set.');
    expect(page.get('h2#welcome-first-friend').text()).toBe('Add your first friend');
    const step = page.get('section[aria-labelledby="welcome-first-friend"]');
    expect(step.get('label[for="pw-friend-handle"]').text()).toBe("Friend's handle");
    expect(step.get('button[type="submit"]').text()).toBe('Add friend');
    expect(page.text()).toContain(pinIconHint('chrome'));
  });

  it('says how to pin the icon in each browser’s own words', () => {
    expect(pinIconHint('chrome')).toMatch(/Extensions menu \(the puzzle piece\).*the pin beside Peerwall/);
    expect(pinIconHint('firefox')).toMatch(/Extensions button.*Pin to Toolbar/);
  });
});
