// Runs bcrypt off the main thread so hashing never stalls signalling. Plain JavaScript on
// purpose: a .mjs worker loads the same way under node, tsx and vitest, with no TS loader.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

// Lower this thread's CPU priority (Linux: setpriority on a thread id affects that thread only), so
// on a machine with few cores the signalling thread wins the CPU over bcrypt. Best effort elsewhere.
try {
  const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
} catch {
  // No /proc/thread-self (not Linux): the worker keeps the normal priority.
}

if (!parentPort) throw new Error('hash-worker.mjs must run as a worker thread.');
const port = parentPort;

port.on('message', (job) => {
  try {
    const result =
      job.op === 'hash' ? bcrypt.hashSync(job.password, job.cost) : bcrypt.compareSync(job.password, job.hash);
    port.postMessage({ id: job.id, ok: true, result });
  } catch (error) {
    port.postMessage({ id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
