import type { PeerwallError } from '../errors';
import type { RunningProbe } from './ping';

/** Probes in flight per handle, so broker-level failures can end the right ones early. */
export function createProbeRegistry() {
  const probes = new Map<string, Set<RunningProbe>>();
  return {
    add(handle: string, probe: RunningProbe): () => void {
      const set = probes.get(handle) ?? new Set<RunningProbe>();
      set.add(probe);
      probes.set(handle, set);
      return () => {
        set.delete(probe);
        if (set.size === 0) probes.delete(handle);
      };
    },
    /** Fails the probes to `handle`, or all probes when no handle is given. */
    fail(error: PeerwallError, handle?: string): void {
      for (const [target, running] of probes) {
        if (handle === undefined || target === handle) for (const probe of running) probe.fail(error);
      }
    },
  };
}
