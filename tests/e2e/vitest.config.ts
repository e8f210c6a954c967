import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { reexecInPrivateNetwork } from './support/private-network.js';

// The whole suite — broker, browsers, vitest itself — runs in a private network namespace: the first
// evaluation of this file re-runs the command under `unshare --net` and exits with its status.
reexecInPrivateNetwork();

/** Scenario files run in their numbered order, so the report reads like the list. */
class ScenarioOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    name: 'e2e',
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    // Scenarios share 2 cores and each starts several browsers: one file at a time, in file order.
    fileParallelism: false,
    sequence: { concurrent: false, sequencer: ScenarioOrder },
    testTimeout: 150_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    reporters: ['verbose'],
  },
});
