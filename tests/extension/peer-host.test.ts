import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { HANDLE_RULE } from '@/core/handle';
import type { HostState } from '@/platform/messages';
import { createPeerHost } from '@/platform/peer-host/peer-host';
import type { SocialHooks } from '@/platform/ports';
import type { Session } from '@/platform/session';
import { createFakeBroker } from './support/fake-broker';
import { FakeLink, createPeerFactory } from './support/fake-peer';
import { createFakeTime, flush } from './support/fake-time';
import { hostDeps } from './support/host-deps';

const PASSWORD = 'correct horse battery';
const BROKER = 'https://broker.example:8443/pw';
const DAY = 24 * 60 * 60_000;

type World = { time: ReturnType<typeof createFakeTime>; broker: ReturnType<typeof createFakeBroker> };

/** A peer host with fakes; `world` reuses the clock and broker of an earlier host (a restart). */
/** The social layer's part the connection logic sees: an allowlist, nothing else. */
function allowing(handles: string[]): SocialHooks {
  return {
    begin: async () => undefined,
    end: () => undefined,
    allowlist: () => ({ handles, blocked: [] }),
    online: () => undefined,
    offline: () => undefined,
    networkChanged: () => undefined,
    serverFrame: () => undefined,
    incoming: (link) => link.close(),
    farewell: async () => undefined,
    erase: async () => undefined,
  };
}

async function setup(options: { session?: Session | null; reachable?: boolean; world?: World; allow?: string[] } = {}) {
  const time = options.world?.time ?? createFakeTime();
  const broker = options.world?.broker ?? createFakeBroker({ now: time.now });
  broker.accounts.set('alice', PASSWORD);
  broker.state.reachable = options.reachable ?? true;
  const factory = createPeerFactory();
  let stored: Session | null = options.session ?? null;
  const states: HostState[] = [];
  const host = createPeerHost(
    hostDeps(time, broker, {
      createPeer: factory.create,
      sessions: { load: async () => stored, save: async (session) => void (stored = session) },
      onStateChange: (state) => states.push(state),
      ...(options.allow ? { social: allowing(options.allow) } : {}),
    }),
  );
  await host.start();
  await flush();
  return { host, time, broker, factory, states, stored: () => stored };
}

async function signedIn(options: { allow?: string[] } = {}) {
  const t = await setup(options);
  await t.host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER });
  await flush();
  t.factory.last().open();
  return t;
}

const allowlists = (toBroker: { type: string; payload?: unknown }[]) =>
  toBroker.filter((m) => m.type === 'PW_ALLOW').map((m) => m.payload);

describe('peer host', () => {
  beforeEach(() => fakeBrowser.reset());

  describe('signing in and connecting', () => {
    it('makes a Peer from the Broker URL, the session token and the broker ICE servers', async () => {
      const t = await setup();
      const state = await t.host.signIn({ handle: '@Alice ', password: PASSWORD, brokerUrl: `${BROKER}/` });
      await flush();

      expect(state).toMatchObject({ handle: 'alice', connection: 'connecting', brokerUrl: BROKER });
      expect(t.factory.peers).toHaveLength(1);
      expect(t.factory.last().id).toBe('alice');
      expect(t.factory.last().config).toEqual({
        host: 'broker.example',
        port: 8443,
        secure: true,
        path: '/pw/',
        key: 'peerjs',
        token: t.stored()?.token,
        iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
      });
      expect(t.broker.calls.find((c) => c.path === '/pw/api/ice-servers')?.token).toBe(t.stored()?.token);
    });

    it('is online once the broker opens the socket and sends the allowlist', async () => {
      const t = await setup({ allow: ['bob'] });
      await t.host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER });
      await flush();
      t.factory.last().open();

      expect(t.host.getState()).toMatchObject({ connection: 'online', notice: null });
      expect(allowlists(t.factory.last().toBroker)).toEqual([{ handles: ['bob'], blocked: [] }]);
      expect(t.states.map((s) => s.connection)).toContain('online');
    });

    it('stores the session so a restarted host connects by itself', async () => {
      const first = await signedIn();
      const restarted = await setup({ session: first.stored(), world: first });

      expect(restarted.factory.peers).toHaveLength(1);
      expect(restarted.factory.last().config.token).toBe(first.stored()?.token);
    });

    it.each([
      [{ handle: 'bad handle!', password: PASSWORD, brokerUrl: BROKER }, 'invalid_handle', HANDLE_RULE],
      [{ handle: 'alice', password: '', brokerUrl: BROKER }, 'invalid_password', 'Enter your password.'],
      [{ handle: 'alice', password: PASSWORD, brokerUrl: 'http://broker.example' }, 'invalid_broker_url', /must use https/],
      [{ handle: 'alice', password: 'wrong password', brokerUrl: BROKER }, 'invalid_credentials', 'The handle or password is wrong.'],
    ])('refuses %o with %s and says why', async (credentials, code, message) => {
      const t = await setup();
      const attempt = t.host.signIn(credentials);

      await expect(attempt).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
      expect(t.stored()).toBeNull();
      expect(t.factory.peers).toHaveLength(0);
    });

    it('says so when the broker cannot be reached', async () => {
      const t = await setup({ reachable: false });

      await expect(t.host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER })).rejects.toMatchObject({
        code: 'broker_unreachable',
        message: expect.stringContaining('Could not reach the broker at https://broker.example:8443/pw'),
      });
    });

    it('creates an account and signs in with it', async () => {
      const t = await setup();
      const state = await t.host.createAccount({ handle: 'Carol', password: PASSWORD, brokerUrl: BROKER });

      expect(state.handle).toBe('carol');
      expect(t.broker.accounts.get('carol')).toBe(PASSWORD);
      expect(t.stored()?.handle).toBe('carol');
    });

    it("shows the broker's sentence when the handle is taken", async () => {
      const t = await setup();

      await expect(
        t.host.createAccount({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER }),
      ).rejects.toMatchObject({ code: 'handle_taken', message: 'That handle is taken. Choose another one.' });
    });

    it('signs out: the peer is destroyed, the session removed and nothing retries', async () => {
      const t = await signedIn();
      const peer = t.factory.last();
      const state = await t.host.signOut();
      await t.time.advance(10 * 60_000);

      expect(state).toMatchObject({ handle: null, connection: 'offline', notice: null });
      expect(peer.destroyed).toBe(true);
      expect(t.stored()).toBeNull();
      expect(t.factory.peers).toHaveLength(1);
      expect(peer.reconnects).toBe(0);
    });
  });

  describe('reconnecting', () => {
    it('waits with growing backoff between attempts and starts over after a success', async () => {
      const t = await signedIn();
      const peer = t.factory.last();

      peer.lose();
      expect(t.host.getState().connection).toBe('offline');
      await t.time.advance(749);
      expect(peer.reconnects).toBe(0);
      await t.time.advance(1);
      expect(peer.reconnects).toBe(1);
      expect(t.host.getState().connection).toBe('connecting');

      peer.lose();
      await t.time.advance(1499);
      expect(peer.reconnects).toBe(1);
      await t.time.advance(1);
      expect(peer.reconnects).toBe(2);

      peer.open();
      expect(t.host.getState().connection).toBe('online');
      peer.lose();
      await t.time.advance(750);
      expect(peer.reconnects).toBe(3);
    });

    it('keeps the same Peer (and its data connections) when a reconnect works', async () => {
      const t = await signedIn({ allow: ['bob'] });
      const peer = t.factory.last();

      peer.lose();
      await t.time.advance(750);
      peer.open();

      expect(t.factory.peers).toHaveLength(1);
      expect(peer.destroyed).toBe(false);
      expect(t.host.getState().connection).toBe('online');
    });

    it('sends the allowlist again on every reconnect', async () => {
      const t = await signedIn({ allow: ['bob', 'carol'] });
      const peer = t.factory.last();

      peer.lose();
      await t.time.advance(750);
      peer.open();

      expect(allowlists(peer.toBroker)).toEqual([
        { handles: ['bob', 'carol'], blocked: [] },
        { handles: ['bob', 'carol'], blocked: [] },
      ]);
    });

    it('abandons a reconnect that never opens and makes a new Peer (peerjs #1289)', async () => {
      const t = await signedIn();
      const first = t.factory.last();

      first.lose();
      await t.time.advance(750);
      expect(first.reconnects).toBe(1);
      await t.time.advance(20_000);
      expect(first.destroyed).toBe(true);
      expect(t.host.getState().connection).toBe('offline');

      await t.time.advance(1_500);
      expect(t.factory.peers).toHaveLength(2);
      t.factory.last().open();
      expect(t.host.getState().connection).toBe('online');
    });

    it('makes a new Peer when a first connection never opens', async () => {
      const t = await setup();
      await t.host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER });
      await flush();

      await t.time.advance(20_000 + 750);

      expect(t.factory.peers).toHaveLength(2);
      expect(t.factory.peers[0]?.destroyed).toBe(true);
    });

    it('retries while the broker is unreachable and connects once it is back', async () => {
      const first = await signedIn();
      const t = await setup({ session: first.stored(), world: first, reachable: false });

      expect(t.host.getState()).toMatchObject({ connection: 'offline', notice: expect.stringContaining('Cannot reach') });
      expect(t.factory.peers).toHaveLength(0);
      await t.time.advance(750);
      expect(t.factory.peers).toHaveLength(0);
      t.broker.state.reachable = true;
      await t.time.advance(1_500);
      expect(t.factory.peers).toHaveLength(1);
    });

    it('tries again at once when the network comes back', async () => {
      const t = await signedIn();
      const peer = t.factory.last();
      peer.lose();
      peer.lose();

      t.host.networkChanged(true);
      await flush();

      expect(peer.reconnects).toBe(1);
      expect(t.host.getState().connection).toBe('connecting');
    });

    it.each(['server_full: The broker is full.', 'rate_limited: Slow down.'])(
      'retries after a passing refusal (%s)',
      async (message) => {
        const t = await signedIn();
        t.factory.last().fail({ type: 'server-error', message });

        expect(t.host.getState().connection).toBe('offline');
        await t.time.advance(750);
        expect(t.host.getState().connection).toBe('connecting');
      },
    );
  });

  describe('signed in elsewhere', () => {
    it('stays offline, says so and never fights for the handle', async () => {
      const t = await signedIn();
      const peer = t.factory.last();

      peer.fail({ type: 'server-error', message: 'signed_in_elsewhere: A newer sign-in replaced this one.' });
      peer.emit('disconnected');
      await flush();
      await t.time.advance(60 * 60_000);

      expect(t.host.getState()).toMatchObject({
        handle: 'alice',
        connection: 'signed_in_elsewhere',
        notice: expect.stringContaining('another device'),
      });
      expect(peer.destroyed).toBe(true);
      expect(peer.reconnects).toBe(0);
      expect(t.factory.peers).toHaveLength(1);
      expect(t.stored()?.displaced).toBe(true);
    });

    it('stays signed in elsewhere after a restart', async () => {
      const first = await signedIn();
      first.factory.last().fail({ type: 'server-error', message: 'signed_in_elsewhere: replaced' });
      await flush();

      const t = await setup({ session: first.stored(), world: first });
      await t.time.advance(60 * 60_000);

      expect(t.host.getState().connection).toBe('signed_in_elsewhere');
      expect(t.factory.peers).toHaveLength(0);
    });

    it('connects again when the person signs in again here', async () => {
      const t = await signedIn();
      t.factory.last().fail({ type: 'server-error', message: 'signed_in_elsewhere: replaced' });
      await flush();

      await t.host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER });
      await flush();

      expect(t.factory.peers).toHaveLength(2);
      expect(t.stored()?.displaced).toBe(false);
    });
  });

  describe('token refresh', () => {
    it('refreshes the token a week before expiry and reconnects with a new Peer', async () => {
      const t = await signedIn({ allow: ['bob'] });
      const first = t.factory.last();
      const oldToken = first.config.token;

      await t.time.advance(23 * DAY - 60_000);
      expect(t.factory.peers).toHaveLength(1);
      await t.time.advance(60_000);

      expect(t.broker.calls.filter((c) => c.path === '/pw/api/sessions/refresh')).toHaveLength(1);
      expect(t.stored()?.token).not.toBe(oldToken);
      expect(t.factory.peers).toHaveLength(2);
      expect(t.factory.last().config.token).toBe(t.stored()?.token);
      expect(first.destroyed).toBe(true);
      t.factory.last().open();
      expect(allowlists(t.factory.last().toBroker)).toEqual([{ handles: ['bob'], blocked: [] }]);
    });

    it('keeps the old token and tries again later when the broker is unreachable at refresh time', async () => {
      const t = await signedIn();
      t.broker.state.reachable = false;

      await t.time.advance(23 * DAY);
      expect(t.factory.peers).toHaveLength(1);
      expect(t.host.getState().connection).toBe('online');

      t.broker.state.reachable = true;
      await t.time.advance(5 * 60_000);
      expect(t.factory.peers).toHaveLength(2);
    });

    it('refreshes and reconnects when the broker says the token expired', async () => {
      const t = await signedIn();
      const oldToken = t.factory.last().config.token;

      t.factory.last().fail({ type: 'server-error', message: 'auth_expired: Your session expired.' });
      await flush();

      expect(t.factory.peers).toHaveLength(2);
      expect(t.factory.last().config.token).not.toBe(oldToken);
    });

    it('signs out with a notice when the expired token cannot be refreshed', async () => {
      const t = await signedIn();
      t.broker.state.revoked = true;

      t.factory.last().fail({ type: 'server-error', message: 'auth_expired: Your session expired.' });
      await flush();

      expect(t.host.getState()).toMatchObject({ handle: null, connection: 'offline', notice: 'Your session has expired. Sign in again.' });
      expect(t.stored()).toBeNull();
    });

    it.each(['auth_revoked: Password changed.', 'auth_invalid: Bad token.', 'id_mismatch: Not yours.'])(
      'signs out with a notice when the broker refuses the session (%s)',
      async (message) => {
        const t = await signedIn();

        t.factory.last().fail({ type: 'server-error', message });
        await flush();
        await t.time.advance(60 * 60_000);

        expect(t.host.getState()).toMatchObject({ handle: null, notice: expect.stringContaining('Sign in again') });
        expect(t.factory.peers).toHaveLength(1);
        expect(t.stored()).toBeNull();
      },
    );
  });

  describe('data connections', () => {
    it('closes incoming connections when no social layer takes them, and every one that is not a sync connection', async () => {
      const t = await signedIn();
      const probe = new FakeLink('bob');
      const sync = Object.assign(new FakeLink('bob'), { label: 'pw-sync' });

      t.factory.last().emit('connection', probe);
      t.factory.last().emit('connection', sync);

      expect(probe.closed).toBe(true);
      expect(sync.closed).toBe(true);
    });
  });
});
