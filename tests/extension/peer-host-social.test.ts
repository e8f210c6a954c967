import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createPeerHost } from '@/platform/peer-host/peer-host';
import type { ServerFrame } from '@/core/signalling';
import type { DataLink, PeerAccess, SessionStart, SocialHooks } from '@/platform/ports';
import type { Session } from '@/platform/session';
import { createFakeBroker } from './support/fake-broker';
import { FakeLink, createPeerFactory } from './support/fake-peer';
import { createFakeTime, flush } from './support/fake-time';
import { hostDeps } from './support/host-deps';

const PASSWORD = 'correct horse battery';
const BROKER = 'https://broker.example:8443';

/** Records what the peer host tells the social layer. */
function recordingSocial(allow = { handles: ['bob', 'carol'], blocked: ['mallory'] }) {
  const calls: string[] = [];
  const incoming: DataLink[] = [];
  const messages: ServerFrame[] = [];
  const starts: (SessionStart | undefined)[] = [];
  let access: PeerAccess | null = null;
  const hooks: SocialHooks = {
    begin: async (handle, given, start) => {
      calls.push(`begin ${handle}`);
      starts.push(start);
      access = given;
    },
    end: () => void calls.push('end'),
    allowlist: () => allow,
    online: () => void calls.push('online'),
    offline: () => void calls.push('offline'),
    networkChanged: () => void calls.push('network changed'),
    serverFrame: (frame) => void messages.push(frame),
    incoming: (link) => void incoming.push(link),
    farewell: async () => void calls.push('farewell'),
    erase: async (handle) => void calls.push(`erase ${handle}`),
  };
  return { hooks, calls, incoming, messages, starts, access: () => access! };
}

async function setup(allow?: { handles: string[]; blocked: string[] }) {
  const time = createFakeTime();
  const broker = createFakeBroker({ now: time.now });
  broker.accounts.set('alice', PASSWORD);
  broker.accounts.set('bob', 'x');
  const factory = createPeerFactory();
  let stored: Session | null = null;
  const social = recordingSocial(allow);
  const host = createPeerHost(
    hostDeps(time, broker, {
      createPeer: factory.create,
      sessions: { load: async () => stored, save: async (s) => void (stored = s) },
      social: social.hooks,
    }),
  );
  await host.start();
  await host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER });
  await flush();
  factory.last().open();
  return { host, broker, factory, social, time, stored: () => stored };
}

describe('peer host with friends', () => {
  beforeEach(() => fakeBrowser.reset());

  it('opens the account’s friends on sign-in and tells the broker whom they allow and block', async () => {
    const t = await setup();

    expect(t.social.calls.indexOf('begin alice')).toBeGreaterThanOrEqual(0);
    expect(t.social.calls.indexOf('begin alice')).toBeLessThan(t.social.calls.indexOf('online'));
    const allow = t.factory.last().toBroker.filter((m) => m.type === 'PW_ALLOW');
    expect(allow.at(-1)?.payload).toEqual({ handles: ['bob', 'carol'], blocked: ['mallory'] });
    expect(t.social.calls).toContain('online');
  });

  it('tells the friends layer how each session began: a sign-in, a new account, or the stored session at start', async () => {
    const t = await setup(); // alice signs in to her existing account
    await t.host.signOut();
    await t.host.createAccount({ handle: 'dora', password: PASSWORD, brokerUrl: BROKER });
    const again = createPeerHost(
      hostDeps(t.time, t.broker, {
        createPeer: t.factory.create,
        sessions: { load: async () => t.stored(), save: async () => undefined },
        social: t.social.hooks,
      }),
    );
    await again.start();

    // Only the first may offer Recover from friends (platform/social/identity-store.ts).
    expect(t.social.starts).toEqual(['sign-in', 'sign-up', 'resumed']);
  });

  it('tells the friends layer when the device’s network comes back, and nothing when it goes', async () => {
    const t = await setup();
    t.host.networkChanged(false);
    expect(t.social.calls).not.toContain('network changed');
    t.host.networkChanged(true);
    expect(t.social.calls.filter((call) => call === 'network changed')).toHaveLength(1);
  });

  it('passes well-formed Peerwall broker frames to the friends layer and drops the rest', async () => {
    const t = await setup();
    const relay = { type: 'PW_RELAY', src: 'bob', payload: { id: '1', body: {} } };
    const presence = { type: 'PW_PRESENCE', payload: { online: ['bob'], offline: [] } };

    for (const frame of [
      relay,
      { type: 'PW_RELAY', src: 'Not A Handle', payload: { id: '1', body: {} } },
      { type: 'PW_RELAY_STATUS', payload: { id: '1', dst: 'bob', status: 'lost' } },
      { type: 'PW_PRESENCE', payload: { online: 'bob' } },
      { type: 'OFFER', src: 'bob', payload: {} },
      'not a frame',
      presence,
    ]) {
      t.factory.last().emit('server-message', frame);
    }

    expect(t.social.messages).toEqual([relay, presence]);
  });

  it('hands sync connections to the friends layer and closes every other kind', async () => {
    const t = await setup();
    const sync = Object.assign(new FakeLink('bob'), { label: 'pw-sync' });
    const other = new FakeLink('carol');

    t.factory.last().emit('connection', sync);
    t.factory.last().emit('connection', other);

    expect(t.social.incoming).toEqual([sync]);
    expect(other.closed).toBe(true);
  });

  it('lets the friends layer dial binary sync connections and look up handles while online', async () => {
    const t = await setup();
    const access = t.social.access();

    expect(access.isOnline()).toBe(true);
    access.connect('bob');
    await expect(access.lookupHandle('bob')).resolves.toBeUndefined();
    await expect(access.lookupHandle('zed')).rejects.toMatchObject({ code: 'unknown_handle', message: 'Nobody has the handle @zed.' });
    t.broker.retired.add('gone');
    await expect(access.lookupHandle('gone')).rejects.toMatchObject({ code: 'handle_retired' });
    access.allowlistChanged();

    expect(t.factory.last().links).toHaveLength(1);
    expect(t.factory.last().toBroker.filter((m) => m.type === 'PW_ALLOW')).toHaveLength(2);
    t.factory.last().lose();
    expect(t.social.calls).toContain('offline');
    expect(() => access.connect('bob')).toThrow(/offline/);
  });

  it('deletes the account, then says goodbye and signs out; a wrong password changes nothing', async () => {
    const t = await setup();

    await expect(t.host.deleteAccount('wrong')).rejects.toMatchObject({ code: 'wrong_password' });
    expect(t.host.getState().handle).toBe('alice');
    expect(t.social.calls).not.toContain('farewell');

    const state = await t.host.deleteAccount(PASSWORD);

    expect(t.social.calls.filter((c) => c === 'farewell')).toHaveLength(1);
    expect(t.broker.retired.has('alice')).toBe(true);
    expect(state).toMatchObject({ handle: null, notice: expect.stringContaining('deleted') });
    expect(t.stored()).toBeNull();
    expect(t.social.calls.at(-1)).toBe('end');
  });

  it('says goodbye while still online, before the broker deletes the account', async () => {
    const t = await setup();
    let seenAtFarewell: { retired: boolean; online: boolean } | null = null;
    t.social.hooks.farewell = async () => {
      seenAtFarewell = { retired: t.broker.retired.has('alice'), online: t.social.access().isOnline() };
    };

    await t.host.deleteAccount(PASSWORD);

    expect(seenAtFarewell).toEqual({ retired: false, online: true });
    expect(t.broker.retired.has('alice')).toBe(true);
  });

  it('writes no goodbye and stays online when the broker refuses the deletion', async () => {
    const t = await setup();
    t.broker.state.reachable = false;

    await expect(t.host.deleteAccount(PASSWORD)).rejects.toMatchObject({ code: 'broker_unreachable' });

    expect(t.social.calls).not.toContain('farewell');
    expect(t.host.getState().handle).toBe('alice');
  });

  it('still signs in when the friends storage cannot be opened, and says so', async () => {
    const time = createFakeTime();
    const broker = createFakeBroker({ now: time.now });
    broker.accounts.set('alice', PASSWORD);
    const factory = createPeerFactory();
    const social = recordingSocial();
    social.hooks.begin = async () => {
      throw new Error('disk full');
    };
    const quiet = console.error;
    console.error = () => undefined;
    const host = createPeerHost(hostDeps(time, broker, { createPeer: factory.create, social: social.hooks }));
    await host.start();

    await host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER });
    await flush();
    factory.last().open();
    console.error = quiet;

    expect(host.getState()).toMatchObject({ handle: 'alice', connection: 'online', notice: expect.stringContaining('could not open its storage') });
  });

  it('keeps each list of the allowlist within the broker’s 5000 handles', async () => {
    const many = Array.from({ length: 6000 }, (_, i) => `c${i}`);
    const t = await setup({ handles: many, blocked: many });

    const last = t.factory.last().toBroker.filter((m) => m.type === 'PW_ALLOW').at(-1)?.payload as { handles: string[]; blocked: string[] };
    expect(last.handles).toHaveLength(5000);
    expect(last.blocked).toHaveLength(5000);
  });
});
