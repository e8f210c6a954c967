import { defineConfig } from 'wxt';

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/module-vue'],
  zip: {
    // The sources zip is what store reviewers rebuild the extension from: the broker,
    // tests and local data are not part of it.
    excludeSources: ['broker/**', 'bench/**', 'tests/**', 'test-artifacts/**', 'data/**', '.ci/**', '**/*.log'],
  },
  hooks: {
    'build:manifestGenerated': (wxt, manifest) => {
      // Firefox opens a new sidebar at install by default; the welcome tab already greets people.
      if (wxt.config.browser === 'firefox' && manifest.sidebar_action) {
        (manifest.sidebar_action as { open_at_install?: boolean }).open_at_install = false;
      }
    },
  },
  manifest: ({ browser }) => ({
    name: 'Peerwall',
    description: 'A private wall-style social network that lives in your browser and syncs peer to peer.',
    action: { default_title: 'Peerwall' },
    // The broker sends CORS for extension origins, so fetch needs no host permissions.
    permissions: [
      'storage',
      'unlimitedStorage',
      'notifications',
      'contextMenus',
      ...(browser === 'firefox' ? [] : ['offscreen', 'sidePanel']),
    ],
    browser_specific_settings: {
      gecko: {
        // Fixed so Firefox keeps the extension's storage across updates.
        id: 'peerwall@peerwall.app',
        strict_min_version: '140.0',
        data_collection_permissions: { required: ['none'] },
      },
      gecko_android: { strict_min_version: '142.0' },
    },
  }),
});
