import { defineConfig } from 'wxt';

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/module-vue'],
  manifest: {
    name: 'Peerwall',
    description: 'A private wall-style social network that lives in your browser and syncs peer to peer.',
  },
});
