import { defineConfig } from 'vitest/config';
import { reexecInPrivateNetwork } from '../tests/e2e/support/private-network.js';

// Like the e2e suite: the broker, the browsers and vitest itself run in a private network namespace (see
// tests/e2e/vitest.config.ts); the first evaluation of this file re-runs the command under `unshare --net`.
reexecInPrivateNetwork();

export default defineConfig({
  test: {
    name: 'bench-footprint',
    root: new URL('..', import.meta.url).pathname,
    include: ['bench/footprint.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
