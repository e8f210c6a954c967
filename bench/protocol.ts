/** IPC between bench/broker.ts and bench/server-process.ts. */
export type ParentMessage = { type: 'memory' } | { type: 'tokens'; count: number } | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number; loopP99: number; loopMax: number }
  | { type: 'tokens'; tokens: string[] };

export const BENCH_PASSWORD = 'benchmark password';
export const benchHandle = (i: number) => `u${i}`;
/** Accounts seeded beyond the N connections and the measuring pair: attackers, then offline destinations. */
export const ATTACKERS = 4;
export const OFFLINE_HANDLES = 2_000;
export const EXTRA_ACCOUNTS = 2 + ATTACKERS + OFFLINE_HANDLES;
