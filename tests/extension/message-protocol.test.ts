import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { PeerwallError } from '@/platform/errors';
import { createMessageListener, routeMessage, type Handlers, type SenderLike } from '@/platform/message-router';
import { sendRequestWith } from '@/platform/message-client';
import { payloadParsers } from '@/platform/messages';
import { hostHandlers } from '@/platform/peer-host/host-handlers';
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
    'bg:unseen': async () => ({ count: 0, focusPostId: null }),
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
    ['a content script in a web page', { id: 'placeholder', url: 'https://evil.example/' }],
    ['a sender without a url', { id: 'placeholder' }],
  ])('refuses %s with forbidden_sender and never runs the handler', async (_name, sender) => {
    const handler = vi.fn(async () => ({ created: true }));
    const from = { ...sender, id: sender.id === 'placeholder' ? fakeBrowser.runtime.id : sender.id };

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
    await expect(sendRequestWith(send, 'host:set-contacts', { handles: ['bob'] })).rejects.toMatchObject({ code: 'signed_out' });
    await sendRequestWith(send, 'host:sign-in', { handle: 'alice', password: 'correct horse battery', brokerUrl: 'http://localhost:9000' });
    await expect(sendRequestWith(send, 'host:set-contacts', { handles: ['bob'] })).resolves.toEqual({ count: 1 });
    const wrong = await sendRequestWith(send, 'host:probe-peer', { handle: 'zed' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(PeerwallError);
    expect(wrong).toMatchObject({ code: 'not_a_contact' });
  });

  it('reports a missing receiver as no_answer', async () => {
    const nobody = async () => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    };
    await expect(sendRequestWith(nobody, 'bg:ensure-host')).rejects.toMatchObject({ code: 'no_answer' });
    await expect(sendRequestWith(async () => undefined, 'bg:ensure-host')).rejects.toMatchObject({ code: 'no_answer' });
  });

  it('bounds contact lists and handle lengths', () => {
    expect(() => payloadParsers['host:set-contacts']({ handles: Array(5001).fill('bob') })).toThrow(PeerwallError);
    expect(() => payloadParsers['host:set-contacts']({ handles: ['x'.repeat(65)] })).toThrow(PeerwallError);
    expect(() => payloadParsers['host:probe-peer']({ handle: 5 })).toThrow(PeerwallError);
    expect(payloadParsers['host:set-contacts']({ handles: ['bob'] })).toEqual({ handles: ['bob'] });
  });

  it.each([
    ['host:post', { text: 5 }],
    ['host:post', { text: 'x'.repeat(50_001) }],
    ['host:feed', { limit: 0, wall: null }],
    ['host:feed', { limit: 501, wall: null }],
    ['host:feed', { limit: 10 }],
    ['host:answer-request', { handle: 'bob', accept: 'yes' }],
    ['host:add-friend', {}],
    ['host:delete-account', { password: null }],
    ['bg:notify', { kind: 'spam', title: 't', message: 'm', postId: null }],
    ['bg:notify', { kind: 'post', title: 't', message: 'm'.repeat(1001), postId: null }],
    ['bg:notify', { kind: 'post', title: 't', message: 'm', postId: null, count: 0 }],
    ['bg:notify', { kind: 'post', title: 't', message: 'm', postId: null, count: 2.5 }],
  ] as const)('refuses a malformed %s payload %j', (type, payload) => {
    expect(() => payloadParsers[type](payload)).toThrow(PeerwallError);
  });

  it('accepts well-formed friends and posts payloads', () => {
    expect(payloadParsers['host:post']({ text: 'hi' })).toEqual({ text: 'hi' });
    expect(payloadParsers['host:feed']({ limit: 50, wall: 'bob' })).toEqual({ limit: 50, wall: 'bob' });
    expect(payloadParsers['host:answer-request']({ handle: 'bob', accept: false })).toEqual({ handle: 'bob', accept: false });
    expect(payloadParsers['bg:notify']({ kind: 'request', title: 't', message: 'm', postId: null })).toEqual({
      kind: 'request',
      title: 't',
      message: 'm',
      postId: null,
    });
    expect(payloadParsers['bg:notify']({ kind: 'post', title: 't', message: 'm', postId: null, count: 7 })).toMatchObject({ count: 7 });
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
