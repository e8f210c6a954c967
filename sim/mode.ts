import type { SyncSession, SyncSessionDeps } from '../core/syncSession';

/**
 * The one place where direct-only and relay differ. Direct: protocol version 1, a friend serves
 * only its own wall and the asker's. Relay (issue #9): version 2, friends carry each other's walls.
 */
export type Mode = 'direct' | 'relay';
export const MODES: readonly Mode[] = ['direct', 'relay'];

/** What one user's sessions share in a mode (relay: one store and one pulls object per user). */
export type ModeParts = { sessionDeps: Partial<SyncSessionDeps> };

export function createModeParts(mode: Mode): ModeParts {
  if (mode === 'direct') return { sessionDeps: {} };
  // TODO(#9): when core/relay.ts lands, return
  //   { sessionDeps: { relay: { store: createMemoryRelayStore(), pulls: createWallPulls() } } }.
  throw new Error('relay not available yet: core/relay.ts has not landed on this branch (issue #9).');
}

/**
 * A user's session stored news of a wall that is not the user's own: in relay mode its other
 * sessions pass it on at once, as a relay does; direct-only has nothing to pass on.
 */
export function passWallOn(mode: Mode, session: SyncSession, wall: string): Promise<void> | null {
  if (mode === 'direct') return null;
  // TODO(#9): return session.announceWall(wall) once SyncSession has it.
  void session;
  void wall;
  return null;
}
