import type { ExtensionPage } from '../../e2e/support/extension-page';
import { request } from '../../e2e/support/flows';

/** One line of a peer host's per-friend connection log (`host:connection-log`). */
export interface ConnectionEvent {
  at: number;
  /** `dial`, `incoming`, `presence`, `ready`, `closed`, `failed`, `retry`, … (platform/social/connection-log.ts) */
  kind: string;
  text: string;
}

/**
 * `host:connection-log` `{ handle }` → the events, oldest first: what one peer host did about one friend.
 * Undefined when the peer host cannot answer (e.g. while it restarts), so the soak reports "n/a" for it.
 */
export async function connectionLog(page: ExtensionPage, handle: string): Promise<ConnectionEvent[] | undefined> {
  try {
    const value = await request(page, 'host:connection-log', { handle });
    return Array.isArray(value) ? (value as ConnectionEvent[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The events of `log` from `from` to `to` (inclusive). */
export function eventsBetween(log: readonly ConnectionEvent[], from: number, to: number): ConnectionEvent[] {
  return log.filter((event) => event.at >= from && event.at <= to);
}

/** A connection needed a retry: more than one dial in the window, or any failed attempt or scheduled retry. */
export function neededRetry(events: readonly ConnectionEvent[]): boolean {
  const dials = events.filter((event) => event.kind === 'dial').length;
  return dials > 1 || events.some((event) => event.kind === 'retry' || event.kind === 'failed');
}
