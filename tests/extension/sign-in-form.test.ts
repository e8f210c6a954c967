// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import SignInForm from '@/components/SignInForm.vue';
import { checkSignIn, problemOfError } from '@/components/sign-in-problems';
import { PeerwallError } from '@/platform/errors';
import type { HostState } from '@/platform/messages';
import { settingsItem } from '@/platform/storage-items';
import { useSessionStore } from '@/stores/session';
import { flush } from './support/fake-time';

const GOOD = { handle: 'alice', password: 'correct horse battery', brokerUrl: 'http://localhost:9000' };
const STATE: HostState = { handle: 'alice', connection: 'online', brokerUrl: GOOD.brokerUrl, notice: null };

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/** Plays the peer host: records each request's type and answers account actions with `answer`. */
function hostAnswers(answer: Answer = { ok: true, value: STATE }): string[] {
  const seen: string[] = [];
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { type } = message as { type: string };
    seen.push(type);
    if (type === 'host:sign-in' || type === 'host:create-account') return Promise.resolve(answer);
    return Promise.resolve(undefined);
  });
  return seen;
}

function refusal(code: string, message: string): Answer {
  return { ok: false, error: { code, message } };
}

let wrapper: VueWrapper | undefined;

async function mountForm(options: { signedInBefore?: boolean } = {}): Promise<VueWrapper> {
  if (options.signedInBefore) await settingsItem.setValue({ ...(await settingsItem.getValue()), brokerUrl: 'https://broker.example.com' });
  const pinia = createPinia();
  setActivePinia(pinia);
  await useSessionStore().load();
  wrapper = mount(SignInForm, { global: { plugins: [pinia] }, attachTo: document.body });
  return wrapper;
}

async function fill(form: VueWrapper, values: Partial<typeof GOOD>): Promise<void> {
  if (values.handle !== undefined) await form.get('#pw-handle').setValue(values.handle);
  if (values.password !== undefined) await form.get('#pw-password').setValue(values.password);
  if (values.brokerUrl !== undefined) await form.get('#pw-broker-url').setValue(values.brokerUrl);
}

/** Presses Enter in a field, as a person does: the form submits through its default (first submit) button. */
async function pressEnter(form: VueWrapper): Promise<void> {
  await form.get('form').trigger('submit');
  await flush();
}

function buttons(form: VueWrapper): { text: string; type: string | undefined; primary: boolean }[] {
  return form.findAll('button').map((button) => ({
    text: button.text(),
    type: button.attributes('type'),
    primary: button.classes().includes('pw-primary'),
  }));
}

function invalidFields(form: VueWrapper): string[] {
  return form.findAll('[aria-invalid="true"]').map((field) => field.attributes('id') ?? '?');
}

describe('sign-in form', () => {
  beforeEach(() => fakeBrowser.reset());
  afterEach(() => {
    wrapper?.unmount();
    wrapper = undefined;
  });

  it('makes Create account the primary button in a browser that never signed in, and Enter creates the account', async () => {
    const seen = hostAnswers();
    const form = await mountForm();

    await fill(form, GOOD);
    await pressEnter(form);

    expect(buttons(form)).toEqual([
      { text: 'Create account', type: 'submit', primary: true },
      { text: 'Sign in', type: 'button', primary: false },
    ]);
    expect(form.get('#pw-password').attributes('autocomplete')).toBe('new-password');
    expect(seen).toContain('host:create-account');
    expect(seen).not.toContain('host:sign-in');
  });

  it('makes Sign in primary once this browser has signed in, with Create account one click away', async () => {
    const seen = hostAnswers();
    const form = await mountForm({ signedInBefore: true });

    await fill(form, GOOD);
    await pressEnter(form);

    expect(buttons(form)).toEqual([
      { text: 'Sign in', type: 'submit', primary: true },
      { text: 'Create account', type: 'button', primary: false },
    ]);
    expect(form.get('#pw-password').attributes('autocomplete')).toBe('current-password');
    expect(seen).toContain('host:sign-in');

    await fill(form, { password: GOOD.password }); // a sign-in that worked empties the password
    await form.get('button[type="button"]').trigger('click');
    await flush();
    expect(seen).toContain('host:create-account');
  });

  it('keeps the Broker URL under a folded Advanced section, prefilled with the default', async () => {
    const form = await mountForm();

    const details = form.get('details');
    expect(details.element.open).toBe(false);
    expect(details.get('summary').text()).toBe('Advanced');
    expect(details.get('label[for="pw-broker-url"]').text()).toBe('Broker URL');
    expect((details.get('#pw-broker-url').element as HTMLInputElement).value).toBe('http://localhost:9000');
  });

  it('says which URL will be used when it differs from what the person typed', async () => {
    const form = await mountForm();

    await fill(form, { brokerUrl: 'localhost:9000' });

    expect(form.get('#pw-broker-url-note').text()).toBe('Peerwall will use http://localhost:9000');
    expect(form.get('#pw-broker-url').attributes('aria-describedby')).toBe('pw-broker-url-hint pw-broker-url-note');

    await fill(form, { brokerUrl: 'http://localhost:9000' });
    expect(form.find('#pw-broker-url-note').exists()).toBe(false);
  });

  it('puts each problem under its own field, marks the field invalid and focuses the first', async () => {
    const seen = hostAnswers();
    const form = await mountForm();

    await fill(form, { handle: 'no spaces', password: 'short', brokerUrl: GOOD.brokerUrl });
    await pressEnter(form);

    expect(invalidFields(form)).toEqual(['pw-handle', 'pw-password']);
    expect(form.get('#pw-handle').attributes('aria-describedby')).toBe('pw-handle-hint pw-handle-error');
    expect(form.get('#pw-password').attributes('aria-describedby')).toBe('pw-password-hint pw-password-error');
    expect(form.get('#pw-broker-url').attributes('aria-describedby')).toBe('pw-broker-url-hint');
    // Each error sits in its field's own group, right under its hint.
    expect(form.get('#pw-handle-error').element.parentElement).toBe(form.get('#pw-handle').element.parentElement);
    expect(form.get('#pw-password-error').text()).toBe('Choose a password of at least 10 characters.');
    expect(form.find('#pw-form-error').exists()).toBe(false);
    expect(document.activeElement?.id).toBe('pw-handle');
    expect(seen).not.toContain('host:create-account');
  });

  it.each([
    ['create', refusal('handle_taken', 'That handle is taken. Choose another one.'), 'pw-handle', /taken\. If it is yours, choose Sign in/],
    ['sign-in', refusal('invalid_credentials', 'The handle or the password is not correct.'), 'pw-password', /not correct/],
    ['create', refusal('invalid_password', 'Use at least 10 characters.'), 'pw-password', /at least 10/],
    ['create', refusal('broker_unreachable', 'Could not reach the broker at http://localhost:9000.'), 'pw-broker-url', /Could not reach/],
    ['sign-in', refusal('broker_bad_response', 'The broker sent an answer Peerwall does not understand.'), 'pw-broker-url', /does not understand/],
  ] as const)('shows a %s refused with %j under its field (%s) and focuses it', async (action, answer, fieldId, message) => {
    hostAnswers(answer);
    const form = await mountForm();

    await fill(form, GOOD);
    // In a new browser Create account is the form's submit button and Sign in the other one.
    if (action === 'create') await pressEnter(form);
    else await form.get('button[type="button"]').trigger('click');
    await flush();

    expect(invalidFields(form)).toEqual([fieldId]);
    expect(form.get(`#${fieldId}-error`).text()).toMatch(message);
    expect(form.get(`#${fieldId}`).attributes('aria-describedby')).toContain(`${fieldId}-error`);
    expect(form.find('#pw-form-error').exists()).toBe(false);
    expect(document.activeElement?.id).toBe(fieldId);
  });

  it('opens Advanced when the problem is the broker, so its field and error can be seen', async () => {
    hostAnswers(refusal('broker_unreachable', 'Could not reach the broker at http://localhost:9000.'));
    const form = await mountForm();

    await fill(form, GOOD);
    await pressEnter(form);

    expect(form.get('details').element.open).toBe(true);
    expect(form.get('details').find('#pw-broker-url-error').exists()).toBe(true);
  });

  it('opens Advanced for a Broker URL it refuses before asking anyone', async () => {
    const seen = hostAnswers();
    const form = await mountForm();

    await fill(form, { ...GOOD, brokerUrl: 'http://broker.example.com' });
    await pressEnter(form);

    expect(form.get('details').element.open).toBe(true);
    expect(invalidFields(form)).toEqual(['pw-broker-url']);
    expect(form.get('#pw-broker-url-error').text()).toMatch(/must use https/);
    expect(seen).not.toContain('host:create-account');
  });

  it('shows a problem that is no field’s (a busy broker) as an alert for the whole form', async () => {
    hostAnswers(refusal('busy', 'The broker is busy right now. Try again in a few seconds.'));
    const form = await mountForm();

    await fill(form, GOOD);
    await pressEnter(form);

    expect(invalidFields(form)).toEqual([]);
    expect(form.get('#pw-form-error').attributes('role')).toBe('alert');
    expect(form.get('#pw-form-error').text()).toBe('The broker is busy right now. Try again in a few seconds.');
    expect(form.get('details').element.open).toBe(false);
  });

  it('clears a field’s error once the person changes that field', async () => {
    hostAnswers();
    const form = await mountForm();

    await fill(form, { handle: '', password: '' });
    await pressEnter(form);
    expect(invalidFields(form)).toEqual(['pw-handle', 'pw-password']);

    await fill(form, { handle: 'alice' });

    expect(invalidFields(form)).toEqual(['pw-password']);
    expect(form.find('#pw-handle-error').exists()).toBe(false);
    expect(form.get('#pw-handle').attributes('aria-describedby')).toBe('pw-handle-hint');
  });
});

describe('sign-in problems', () => {
  it.each([
    ['create', { ...GOOD }, {}],
    ['sign-in', { ...GOOD, password: 'short' }, {}],
    ['create', { ...GOOD, password: 'short' }, { password: 'Choose a password of at least 10 characters.' }],
    ['sign-in', { ...GOOD, password: '' }, { password: 'Enter your password.' }],
    ['create', { ...GOOD, brokerUrl: '' }, { brokerUrl: expect.stringMatching(/Enter the broker's address/) }],
    ['create', { ...GOOD, handle: '@' }, { handle: expect.stringMatching(/.+/) }],
  ] as const)('checks a %s of %j before asking the broker', (action, values, expected) => {
    expect(checkSignIn(action, values)).toEqual(expected);
  });

  it('keeps a problem it cannot place for the whole form, in words for people', () => {
    expect(problemOfError('create', new Error('boom'))).toEqual({ form: 'Something went wrong. Try again in a moment.' });
    expect(problemOfError('sign-in', new PeerwallError('no_answer', 'No answer.'))).toEqual({ form: 'No answer.' });
    expect(problemOfError('sign-in', new PeerwallError('handle_taken', 'That handle is taken.'))).toEqual({ handle: 'That handle is taken.' });
  });
});
