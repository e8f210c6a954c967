import { createMemoryRelayStore, createWallPulls } from '../core/relay';
import { createSignatureCache } from '../core/signatureCache';
import type { RelayDeps } from '../core/syncRelay';
import type { SyncSession } from '../core/syncSession';

/**
 * The one place where direct-only and relay differ. Direct: protocol version 1, a friend serves
 * only its own wall and the asker's. Relay (issue #9, docs/protocol.md §7.5): version 2, friends
 * carry each other's walls, all inside the sync session.
 */
export type Mode = 'direct' | 'relay';
export const MODES: readonly Mode[] = ['direct', 'relay'];

/**
 * Per user and shared by all that user's sessions, as the extension's social service builds them: a
 * pass store, a pull registry on the simulation clock, and the passes already verified. None for
 * direct-only.
 */
export const createRelayDeps = (mode: Mode, now: () => number): RelayDeps | undefined =>
  mode === 'relay' ? { store: createMemoryRelayStore(), pulls: createWallPulls(now), verified: createSignatureCache() } : undefined;

/**
 * A user's session stored news of a wall that is not the user's own: in relay mode its other
 * sessions pass it on at once, as a relay does; direct-only has nothing to pass on.
 */
export const passWallOn = (mode: Mode, session: SyncSession, wall: string): Promise<void> | null =>
  mode === 'relay' ? session.announceWall(wall) : null;
