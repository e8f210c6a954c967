/** IPC between bench/broker.ts and bench/server-process.ts. */
export type ParentMessage = { type: 'memory' } | { type: 'tokens'; count: number } | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number; loopP99: number; loopMax: number }
  | { type: 'tokens'; tokens: string[] };

export const BENCH_PASSWORD = 'benchmark password';
export const benchHandle = (i: number) => `u${i}`;
