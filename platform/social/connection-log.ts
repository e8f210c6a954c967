import type { CatchUpFigures } from './catch-up-times';

/** What one entry of a friend's connection log is about. */
export type ConnectionEventKind =
  | 'presence'
  | 'dial'
  | 'incoming'
  | 'signaling'
  | 'ice'
  | 'dtls'
  | 'open'
  | 'ready'
  | 'closed'
  | 'refused'
  | 'failed'
  | 'retry'
  | 'pause'
  | 'sync';

export interface ConnectionEvent {
  at: number;
  kind: ConnectionEventKind;
  text: string;
  /** A `sync` event's figures: what a catch-up on one wall took. */
  catchUp?: CatchUpFigures;
}

/** Entries kept per friend: enough for a bug report about the last few attempts. */
export const CONNECTION_LOG_MAX = 50;

/**
 * The last events of each friend's connections (presence, dials, WebRTC states, handshake,
 * close codes, what a long catch-up took), for the "Connection details" a person can copy into
 * a bug report. It holds states, sentences and timings only: never tokens, SDP or ICE
 * candidates (nobody's addresses).
 */
export function createConnectionLog(now: () => number) {
  const logs = new Map<string, ConnectionEvent[]>();
  return {
    record(handle: string, kind: ConnectionEventKind, text: string, catchUp?: CatchUpFigures): void {
      let log = logs.get(handle);
      if (!log) logs.set(handle, (log = []));
      log.push({ at: now(), kind, text, ...(catchUp ? { catchUp } : {}) });
      if (log.length > CONNECTION_LOG_MAX) log.splice(0, log.length - CONNECTION_LOG_MAX);
    },
    events: (handle: string): ConnectionEvent[] => [...(logs.get(handle) ?? [])],
    forget: (handle: string) => void logs.delete(handle),
  };
}

export type ConnectionLog = ReturnType<typeof createConnectionLog>;
