// Printed by `npm start` after the build: how to load the freshly built extension.
import { resolve } from 'node:path';

const chrome = resolve('.output/chrome-mv3');
const firefox = resolve('.output/firefox-mv2');
console.log(`
Peerwall is built. Load the extension, then sign in with the Broker URL http://localhost:9000.

  Chrome / Chromium: open chrome://extensions, turn on "Developer mode",
                     click "Load unpacked" and choose ${chrome}
  Firefox:           open about:debugging#/runtime/this-firefox,
                     click "Load Temporary Add-on…" and choose ${firefox}/manifest.json

Starting the broker (Ctrl+C stops it)…
`);
