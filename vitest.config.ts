import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';
import vue from '@vitejs/plugin-vue';

// One project per layer; `npm run test:unit` runs them all. The browser end-to-end
// suite has its own config (tests/e2e/vitest.config.ts) because it needs a build first.
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'core', include: ['tests/core/**/*.test.ts'], environment: 'node' },
      },
      {
        test: { name: 'sim', include: ['tests/sim/**/*.test.ts'], environment: 'node' },
      },
      {
        test: { name: 'broker', include: ['tests/broker/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
      {
        // vue(): component tests render .vue files (server-side, no DOM needed).
        plugins: [WxtVitest(), vue()],
        test: { name: 'extension', include: ['tests/extension/**/*.test.ts'], environment: 'node' },
      },
    ],
  },
});
