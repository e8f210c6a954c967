import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { PeerwallError } from '@/platform/errors';
import { createMessageListener, routeMessage, type Handlers, type SenderLike } from '@/platform/message-router';
import { reactive } from 'vue';
import { sendRequestWith } from '@/platform/message-client';
import { MESSAGES, parsePayload, type MessageType } from '@/platform/messages';
import { hostHandlers } from '@/platform/host-handlers';
import { createPeerHost } from '@/platform/peer-host/peer-host';
import { createSocialHost } from '@/platform/social/social-host';
import { createFakeBroker } from './support/fake-broker';
import { createPeerFactory } from './support/fake-peer';
import { createFakeTime } from './support/fake-time';
import { hostDeps } from './support/host-deps';

const ORIGIN = () => fakeBrowser.runtime.getURL('/');
const ownPage = (): SenderLike => ({ id: fakeBrowser.runtime.id, url: `${ORIGIN()}popup.html` });

function bgHandlers(overrides: Partial<Handlers<'bg'>> = {}): Handlers<'bg'> {
  return {
    'bg:ensure-host': async () => ({ created: true }),
    'bg:session-get': async () => null,
    'bg:session-set': async () => null,
    'bg:notify': async () => null,
    'bg:mark-seen': async () => null,
    'bg:erase-stored': async () => null,
    'bg:unseen': async () => ({ count: 0, focusPostId: null, focusWall: null, lookedAt: {} }),
    ...overrides,
  };
}

function options(handlers: Handlers<'bg'> = bgHandlers()) {
  return { receiver: 'bg' as const, handlers, extensionId: fakeBrowser.runtime.id, extensionOrigin: ORIGIN() };
}

/** A runtime.sendMessage that delivers to one listener with the given sender, like the browser does. */
function transport(listener: ReturnType<typeof createMessageListener>, sender: SenderLike) {
  return (message: unknown) =>
    new Promise<unknown>((resolve) => {
      if (!listener(structuredClone(message), sender, resolve)) resolve(undefined);
    });
}

describe('message protocol', () => {
  beforeEach(() => {
    vi.restoreAllMocks();
    fakeBrowser.reset();
  });

  it('answers a request from our own extension page with its value', async () => {
    const response = await routeMessage({ type: 'bg:ensure-host' }, ownPage(), options());
    expect(response).toEqual({ ok: true, value: { created: true } });
  });

  it.each([
    ['another extension', { id: 'someone-else', url: 'chrome-extension://someone-else/page.html' }],
    // Only the id check refuses this one: the url is our own page's.
    ['another extension claiming our page’s url', { id: 'someone-else', url: 'own-page' }],
    ['a content script in a web page', { id: 'placeholder', url: 'https://evil.example/' }],
    ['a sender without a url', { id: 'placeholder' }],
  ])('refuses %s with forbidden_sender and never runs the handler', async (_name, sender: SenderLike) => {
    const handler = vi.fn(async () => ({ created: true }));
    const from = {
      ...sender,
      id: sender.id === 'placeholder' ? fakeBrowser.runtime.id : sender.id,
      ...(sender.url === 'own-page' ? { url: ownPage().url } : {}),
    };

    const response = await routeMessage({ type: 'bg:ensure-host' }, from, options(bgHandlers({ 'bg:ensure-host': handler })));

    expect(response).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it.each([null, 'bg:ensure-host', { type: 'host:get-state' }, { type: 'ui:host-state' }, { type: 7 }, {}])(
    'leaves %o to other receivers',
    (message) => {
      expect(routeMessage(message, ownPage(), options())).toBeNull();
    },
  );

  it('answers an unknown message for this receiver with unknown_message', async () => {
    const response = await routeMessage({ type: 'bg:launch-rockets' }, ownPage(), options());
    expect(response).toMatchObject({ ok: false, error: { code: 'unknown_message', message: expect.stringContaining('bg:launch-rockets') } });
  });

  it.each([
    { type: 'bg:session-set', payload: { session: { handle: 'alice' } } },
    { type: 'bg:session-set' },
    { type: 'bg:ensure-host', payload: { unexpected: true } },
  ])('answers a malformed payload with invalid_payload and never runs the handler (%o)', async (message) => {
    const set = vi.fn(async () => null);
    const ensure = vi.fn(async () => ({ created: false }));
    const response = await routeMessage(message, ownPage(), options(bgHandlers({ 'bg:session-set': set, 'bg:ensure-host': ensure })));

    expect(response).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(set).not.toHaveBeenCalled();
    expect(ensure).not.toHaveBeenCalled();
  });

  it('turns a thrown PeerwallError into its code and sentence', async () => {
    const handlers = bgHandlers({
      'bg:ensure-host': async () => {
        throw new PeerwallError('host_unavailable', 'Peerwall could not start its peer.');
      },
    });
    const response = await routeMessage({ type: 'bg:ensure-host' }, ownPage(), options(handlers));
    expect(response).toEqual({ ok: false, error: { code: 'host_unavailable', message: 'Peerwall could not start its peer.' } });
  });

  it('hides internal errors behind a sentence for people', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const handlers = bgHandlers({
      'bg:ensure-host': async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const response = await routeMessage({ type: 'bg:ensure-host' }, ownPage(), options(handlers));
    expect(response).toMatchObject({ ok: false, error: { code: 'internal_error' } });
    expect(JSON.stringify(response)).not.toContain('undefined');
  });

  it('answers through sendResponse and tells the browser to wait, but only for its own messages', async () => {
    const listener = createMessageListener(options());
    const sendResponse = vi.fn();

    expect(listener({ type: 'bg:ensure-host' }, ownPage(), sendResponse)).toBe(true);
    expect(listener({ type: 'host:get-state' }, ownPage(), sendResponse)).toBe(false);
    await vi.waitFor(() => expect(sendResponse).toHaveBeenCalledWith({ ok: true, value: { created: true } }));
    expect(sendResponse).toHaveBeenCalledTimes(1);
  });

  it('sends a payload built from a page’s reactive state as plain data, which Firefox can clone', async () => {
    const sent: unknown[] = [];
    // Firefox structured-clones each message; a Vue proxy cannot be cloned.
    const send = async (message: unknown) => (sent.push(structuredClone(message)), { ok: true, value: [] });
    const expanded = reactive(['a'.repeat(64)]);

    await sendRequestWith(send, 'host:feed', { limit: 50, wall: null, expanded });

    expect(sent).toEqual([{ type: 'host:feed', payload: { limit: 50, wall: null, expanded: ['a'.repeat(64)] } }]);
  });

  it('carries host requests end to end: values resolve, errors reject with their code', async () => {
    const time = createFakeTime();
    const broker = createFakeBroker({ now: time.now });
    broker.accounts.set('alice', 'correct horse battery');
    const host = createPeerHost(hostDeps(time, broker, { createPeer: createPeerFactory().create }));
    const listener = createMessageListener({
      receiver: 'host',
      handlers: hostHandlers(host, host.start()),
      extensionId: fakeBrowser.runtime.id,
      extensionOrigin: ORIGIN(),
    });
    const send = transport(listener, ownPage());

    await expect(sendRequestWith(send, 'host:get-state')).resolves.toMatchObject({ handle: null, connection: 'offline' });
    await expect(sendRequestWith(send, 'host:delete-account', { password: 'x' })).rejects.toMatchObject({ code: 'signed_out' });
    await expect(
      sendRequestWith(send, 'host:sign-in', { handle: 'alice', password: 'correct horse battery', brokerUrl: 'http://localhost:9000' }),
    ).resolves.toMatchObject({ handle: 'alice', connection: 'connecting' });
    const wrong = await sendRequestWith(send, 'host:delete-account', { password: 'wrong' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(PeerwallError);
    expect(wrong).toMatchObject({ code: 'wrong_password' });
  });

  it('reports a missing receiver as no_answer', async () => {
    const nobody = async () => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    };
    await expect(sendRequestWith(nobody, 'bg:ensure-host')).rejects.toMatchObject({ code: 'no_answer' });
    await expect(sendRequestWith(async () => undefined, 'bg:ensure-host')).rejects.toMatchObject({ code: 'no_answer' });
  });

  it('bounds handle lengths', () => {
    expect(() => parsePayload('host:add-friend', { handle: 'x'.repeat(65) })).toThrow(PeerwallError);
    expect(() => parsePayload('host:unfriend', { handle: 5 })).toThrow(PeerwallError);
    expect(parsePayload('host:block', { handle: 'bob' })).toEqual({ handle: 'bob' });
  });

  it('names what a bad payload lacks, and drops fields the schema does not name', () => {
    expect(() => parsePayload('host:feed', { limit: 0, wall: null })).toThrow('The host:feed message needs a limit of 1–500 posts, a wall or null, and at most 20 expanded post ids.');
    expect(() => parsePayload('host:post', { text: 5 })).toThrow('The host:post message needs the post text (at most 10000 characters) and at most 4 photos.');
    expect(parsePayload('host:add-friend', { handle: 'bob', extra: 'x'.repeat(10_000) })).toEqual({ handle: 'bob' });
  });

  it('takes null as no payload, and refuses a payload where none belongs', () => {
    expect(parsePayload('host:get-state', null)).toBeUndefined();
    expect(parsePayload('host:get-state', undefined)).toBeUndefined();
    expect(() => parsePayload('host:get-state', { handle: 'bob' })).toThrow(PeerwallError);
  });

  it('refuses a session to store unless its Broker URL is in canonical form', () => {
    const session = { handle: 'alice', token: 't', expiresAt: 2, obtainedAt: 1, brokerUrl: 'http://localhost:9000', displaced: false };
    expect(parsePayload('bg:session-set', { session })).toEqual({ session });
    expect(parsePayload('bg:session-set', { session: null })).toEqual({ session: null });
    expect(() => parsePayload('bg:session-set', { session: { ...session, brokerUrl: 'localhost:9000' } })).toThrow(PeerwallError);
    expect(() => parsePayload('bg:session-set', { session: { ...session, handle: 'Alice' } })).toThrow(PeerwallError);
  });

  it('checks every message it declares with a schema', () => {
    for (const type of Object.keys(MESSAGES) as MessageType[]) {
      expect(() => parsePayload(type, 'not a payload'), type).toThrow(PeerwallError);
    }
  });

  it.each([
    ['ui:social-changed', { friends: true, feed: false }],
    ['ui:social-changed', { friends: true, feed: false, posts: [{ id: 'x' }] }],
    ['ui:host-state', { handle: null, connection: 'sleeping', brokerUrl: null, notice: null }],
  ] as const)('refuses a malformed broadcast %s %j', (type, payload) => {
    expect(() => parsePayload(type, payload)).toThrow(PeerwallError);
  });

  it.each([
    ['host:post', { text: 5 }],
    ['host:post', { text: 'x'.repeat(20_001) }],
    ['host:feed', { limit: 0, wall: null }],
    ['host:feed', { limit: 501, wall: null }],
    ['host:feed', { limit: 10 }],
    ['host:answer-request', { handle: 'bob', accept: 'yes' }],
    ['host:add-friend', {}],
    ['host:delete-account', { password: null }],
    ['host:comment', { wall: 'alice', target: 'not-an-id', text: 'hi' }],
    ['host:comment', { wall: 'alice', target: 'a'.repeat(64), text: 'x'.repeat(4_001) }],
    ['host:like', { wall: 'alice', target: 'A'.repeat(64), liked: true }],
    ['host:like', { wall: 'alice', target: 'a'.repeat(64) }],
    ['host:edit', { wall: 'alice', target: 'a'.repeat(64), text: 'x'.repeat(20_001) }],
    ['host:delete', { wall: 5, target: 'a'.repeat(64) }],
    ['host:set-profile', { displayName: 'n'.repeat(129), about: '' }],
    ['host:set-profile', { displayName: 'Al' }],
    ['host:set-profile', { displayName: 'Al', about: '', picture: { full: 'A'.repeat(64), thumbnail: 'a'.repeat(64), alt: '' } }],
    ['host:set-profile', { displayName: 'Al', about: '', picture: 'remove' }],
    ['host:dismiss-rejection', { id: 'a'.repeat(63) }],
    ['bg:notify', { kind: 'spam', title: 't', message: 'm', postId: null }],
    ['bg:notify', { kind: 'post', title: 't', message: 'm'.repeat(1001), postId: null }],
    ['bg:notify', { kind: 'post', title: 't', message: 'm', postId: null, count: 0 }],
    ['bg:notify', { kind: 'post', title: 't', message: 'm', postId: null, count: 2.5 }],
  ] as const)('refuses a malformed %s payload %j', (type, payload) => {
    expect(() => parsePayload(type, payload)).toThrow(PeerwallError);
  });

  it('accepts well-formed friends and posts payloads', () => {
    expect(parsePayload('host:post', { text: 'hi' })).toEqual({ text: 'hi' });
    expect(parsePayload('host:feed', { limit: 50, wall: 'bob' })).toEqual({ limit: 50, wall: 'bob' });
    expect(parsePayload('host:answer-request', { handle: 'bob', accept: false })).toEqual({ handle: 'bob', accept: false });
    expect(parsePayload('host:like', { wall: 'alice', target: 'a'.repeat(64), liked: false, extra: 1 })).toEqual({ wall: 'alice', target: 'a'.repeat(64), liked: false });
    expect(parsePayload('host:set-profile', { displayName: 'Alice', about: '' })).toEqual({ displayName: 'Alice', about: '' });
    expect(parsePayload('host:set-profile', { displayName: 'Alice', about: '', picture: null })).toEqual({ displayName: 'Alice', about: '', picture: null });
    const picture = { full: 'a'.repeat(64), thumbnail: 'b'.repeat(64), alt: '' };
    expect(parsePayload('host:set-profile', { displayName: 'Alice', about: '', picture })).toEqual({ displayName: 'Alice', about: '', picture });
    expect(parsePayload('bg:notify', { kind: 'request', title: 't', message: 'm', postId: null })).toEqual({
      kind: 'request',
      title: 't',
      message: 'm',
      postId: null,
    });
    expect(parsePayload('bg:notify', { kind: 'post', title: 't', message: 'm', postId: null, count: 7 })).toMatchObject({ count: 7 });
  });

  it('answers friends requests with signed_out until someone signs in', async () => {
    const time = createFakeTime();
    const broker = createFakeBroker({ now: time.now });
    const host = createPeerHost(hostDeps(time, broker, { createPeer: createPeerFactory().create }));
    const social = createSocialHost({
      now: time.now,
      randomBytes: (n) => new Uint8Array(n),
      timers: time.timers,
      onChange: () => undefined,
      notify: () => undefined,
    });
    const listener = createMessageListener({
      receiver: 'host',
      handlers: hostHandlers(host, Promise.resolve(), social),
      extensionId: fakeBrowser.runtime.id,
      extensionOrigin: ORIGIN(),
    });

    const send = transport(listener, ownPage());

    await expect(sendRequestWith(send, 'host:social-state')).rejects.toMatchObject({ code: 'signed_out' });
    await expect(sendRequestWith(send, 'host:post', { text: 'hi' })).rejects.toMatchObject({ code: 'signed_out' });
  });
});
