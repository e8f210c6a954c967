import { defineConfig } from 'vitest/config';
import { reexecInPrivateNetwork } from '../e2e/support/private-network.js';

// Like the e2e suite: the whole run happens in a private network namespace (see tests/e2e/vitest.config.ts).
reexecInPrivateNetwork();

export default defineConfig({
  test: {
    name: 'soak',
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/soak/**/*.soak.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    fileParallelism: false,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ['verbose'],
  },
});
