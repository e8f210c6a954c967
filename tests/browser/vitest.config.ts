import { defineConfig } from 'vitest/config';

// Code that needs a real browser engine (canvas encoders, image decoders) but not the built extension:
// each file serves a small page on 127.0.0.1 and drives Debian's Chromium and Firefox ESR headless.
// Not in `npm run test:unit` (which needs no browser); `npm test` runs it as `npm run test:browser`.
const root = new URL('../..', import.meta.url).pathname;

export default defineConfig({
  resolve: { alias: { '@/': root } },
  test: {
    name: 'browser',
    root,
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    // Two browsers on 2 shared cores: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
