import type { ConnectionState, HostState } from '../messages';

/**
 * What the peer host shows about itself: the connection state, the notice about its last
 * problem and the signed-in handle. Pages get a `ui:host-state` only when it really changed.
 */
export function createHostStatus(onStateChange: (state: HostState) => void, session: () => { handle: string; brokerUrl: string } | null) {
  let connection: ConnectionState = 'offline';
  let notice: string | null = null;
  /** Why friends and posts are unavailable this session (their storage failed to open), or null. */
  let socialProblem: string | null = null;
  let lastEmitted = '';

  const get = (): HostState => {
    const current = session();
    return { handle: current?.handle ?? null, connection, brokerUrl: current?.brokerUrl ?? null, notice: notice ?? socialProblem };
  };

  function emit(): void {
    const state = get();
    const key = JSON.stringify(state);
    if (key === lastEmitted) return;
    lastEmitted = key;
    onStateChange(state);
  }

  return {
    get,
    emit,
    get connection(): ConnectionState {
      return connection;
    },
    /** Sets the connection state; the notice stays unless one is given (null clears it). */
    set(next: ConnectionState, nextNotice: string | null = notice): void {
      connection = next;
      notice = nextNotice;
      emit();
    },
    setSocialProblem(problem: string | null): void {
      socialProblem = problem;
    },
  };
}

export type HostStatus = ReturnType<typeof createHostStatus>;
