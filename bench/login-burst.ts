/**
 * `tsx bench/login-burst.ts PORT N RATE SECONDS` — POSTs /api/sessions RATE times a second for
 * SECONDS, in its own process so the latency probe in bench/broker.ts is not slowed by it.
 * Sends `{ ok, busy, other }` to the parent over IPC; `busy` counts refusals at once, 503 `busy` and, since
 * the burst comes from one address, 429 `rate_limited` (its share of the hashing queue is used up).
 */
import { BENCH_PASSWORD, benchHandle } from './protocol';

const [port, count, rate, seconds] = process.argv.slice(2).map(Number) as [number, number, number, number];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const counts = { ok: 0, busy: 0, other: 0 };
  const requests: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    requests.push(
      fetch(`http://127.0.0.1:${port}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handle: benchHandle(i % count), password: BENCH_PASSWORD }),
      }).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.status === 200) counts.ok += 1;
          else if (response.status === 503 || response.status === 429) counts.busy += 1;
          else counts.other += 1;
        },
        () => {
          counts.other += 1;
        },
      ),
    );
    // Keep to the schedule even when a tick runs late.
    await sleep(Math.max(0, started + ((i + 1) * 1000) / rate - performance.now()));
  }
  await Promise.all(requests);
  process.send?.(counts, () => process.exit(0));
}

void main();
