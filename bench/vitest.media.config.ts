import { defineConfig } from 'vitest/config';
import { reexecInPrivateNetwork } from '../tests/e2e/support/private-network.js';

// Like the e2e suite: the broker, the browsers and vitest itself run in a private network namespace (see
// tests/e2e/vitest.config.ts); the first evaluation of this file re-runs the command under `unshare --net`.
reexecInPrivateNetwork();

export default defineConfig({
  test: {
    name: 'bench-media',
    root: new URL('..', import.meta.url).pathname,
    include: ['bench/media.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    // Two browsers, three posts of four photos and three of 16 MiB: about two minutes.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
