import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { toHex } from '@/core/bytes';
import { openContentDb } from '@/platform/content-db';
import { createSocialHost } from '@/platform/social/social-host';
import type { PeerAccess } from '@/platform/ports';
import { createFakeTime } from './support/fake-time';

const access: PeerAccess = {
  isOnline: () => false,
  sendToBroker: () => undefined,
  connect: () => {
    throw new Error('offline');
  },
  allowlistChanged: () => undefined,
  lookupHandle: async () => undefined,
};

describe('social host', () => {
  it('makes the identity key on first sign-in and reuses it on the next', async () => {
    const name = `host-${Math.random()}`;
    const time = createFakeTime();
    let draws = 0;
    const social = createSocialHost({
      openDb: () => openContentDb(name),
      now: time.now,
      randomBytes: (n) => new Uint8Array(n).fill(++draws),
      timers: time.timers,
      onChange: () => undefined,
      notify: () => undefined,
    });

    await social.begin('alice', access);
    const db = await openContentDb(name);
    const first = await db.get('identity', 'alice');
    social.end();
    await social.begin('alice', access);
    const second = await db.get('identity', 'alice');

    expect(first?.publicKey).toHaveLength(32);
    expect(toHex(second!.publicKey)).toBe(toHex(first!.publicKey));
    expect(await db.count('identity')).toBe(1);
    expect((await social.current().state()).friends).toEqual([]);
    db.close();
  });

  it('offers Recover from friends only when a sign-in made the key: not after sign-up, nor with the key already here', async () => {
    const time = createFakeTime();
    const host = (name: string) =>
      createSocialHost({
        openDb: () => openContentDb(name),
        now: time.now,
        randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
        timers: time.timers,
        onChange: () => undefined,
        notify: () => undefined,
      });
    const offered = async (social: ReturnType<typeof host>) => (await social.current().state()).mayRecoverFromFriends === true;

    const signedUp = host(`host-${Math.random()}`);
    await signedUp.begin('dora', access, 'sign-up');
    expect(await offered(signedUp)).toBe(false);
    signedUp.end();
    await signedUp.begin('dora', access, 'sign-in'); // the key is here already
    expect(await offered(signedUp)).toBe(false);

    const lost = host(`host-${Math.random()}`);
    await lost.begin('carol', access, 'sign-in');
    expect(await offered(lost)).toBe(true);
    lost.end();
    await lost.begin('carol', access, 'resumed'); // still nothing asked or written
    expect(await offered(lost)).toBe(true);
  });

  it('has no account to act for after the session ends', async () => {
    const time = createFakeTime();
    const social = createSocialHost({
      openDb: () => openContentDb(`host-${Math.random()}`),
      now: time.now,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      timers: time.timers,
      onChange: () => undefined,
      notify: () => undefined,
    });
    await social.begin('bob', access);

    social.end();

    expect(() => social.current()).toThrow(/Sign in first/);
    expect(social.allowlist()).toEqual({ handles: [], blocked: [] });
  });
});
