/**
 * A CPU profile of peer hosts while something runs (`BENCH_MEDIA_PROFILE=1 npm run bench:media`): the
 * offscreen documents' V8 sampling profiler through DevTools, each profile written as a `.cpuprofile` (open it
 * in Chromium's DevTools, Performance) and summed up by function, to see where a transfer's time goes. Time
 * a document spends waiting — on IndexedDB, which runs in the browser process, or on the network — shows as
 * `(idle)`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { offscreenDebuggerUrl } from '../../tests/e2e/support/social';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { type DevToolsCall, withDevTools } from './devtools-session';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[] };

/** The functions that took the most samples, as `ms  name (file:line)` lines. */
export function topFunctions(profile: Profile, count = 12): string[] {
  const samples = profile.samples?.length ?? 0;
  const msPerSample = samples ? (profile.endTime - profile.startTime) / 1000 / samples : 0;
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} (${url ? `${path.basename(url)}:${lineNumber + 1}` : 'native'})`;
    byName.set(key, (byName.get(key) ?? 0) + (node.hitCount ?? 0) * msPerSample);
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${name}`);
}

/** Runs `work` while each user's offscreen document is profiled; writes `<dir>/<user>-<label>.cpuprofile`. */
export async function profileDuring<T>(users: readonly TestUser[], dir: string, label: string, work: () => Promise<T>): Promise<T> {
  const calls: Array<{ user: TestUser; call: DevToolsCall }> = [];
  const open = async (index: number): Promise<T> => {
    if (index === users.length) {
      for (const { call } of calls) await call('Profiler.start');
      try {
        return await work();
      } finally {
        for (const { user, call } of calls) {
          const { profile } = (await call('Profiler.stop')) as { profile: Profile };
          const file = path.join(dir, `${user.name}-${label}.cpuprofile`);
          writeFileSync(file, JSON.stringify(profile));
          console.log(`${user.name}'s peer host, ${label} (${file}):\n${topFunctions(profile).join('\n')}`);
        }
      }
    }
    const user = users[index]!;
    return withDevTools(await offscreenDebuggerUrl(user), async (call) => {
      await call('Profiler.enable');
      await call('Profiler.setSamplingInterval', { interval: 200 });
      calls.push({ user, call });
      return open(index + 1);
    });
  };
  return open(0);
}
