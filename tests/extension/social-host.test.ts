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
