import type { PeerHostDeps } from '@/platform/peer-host/peer-host';
import type { createFakeBroker } from './fake-broker';
import type { createFakeTime } from './fake-time';

/**
 * Peer host deps on a fake clock and broker: no stored session, a fixed random
 * number and no state listener, unless `overrides` says otherwise.
 */
export function hostDeps(
  time: ReturnType<typeof createFakeTime>,
  broker: ReturnType<typeof createFakeBroker>,
  overrides: Partial<PeerHostDeps> & Pick<PeerHostDeps, 'createPeer'>,
): PeerHostDeps {
  return {
    fetch: broker.fetch,
    sessions: { load: async () => null, save: async () => undefined },
    now: time.now,
    random: () => 0.5,
    timers: time.timers,
    onStateChange: () => undefined,
    ...overrides,
  };
}
