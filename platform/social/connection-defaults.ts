import { DEFAULT_LINK_LIMITS } from './link-transport';
import type { ConnectionOptions } from './sync-connections';

/** How the peer host dials, waits, retries and closes sync connections (README: Friends, presence, sync). */
export const CONNECTION_DEFAULTS: ConnectionOptions = {
  // An ANSWER comes back through the broker in milliseconds; ICE over a TURN relay takes a few seconds.
  answerTimeoutMs: 3_000,
  dialTimeoutMs: 15_000,
  iceStartMs: 5_000,
  redialMs: [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000],
  idleMs: 5 * 60_000,
  penaltyMs: 10 * 60_000,
  maxDials: 4,
  answerDelayMs: 3_000,
  linkLimits: DEFAULT_LINK_LIMITS,
};
