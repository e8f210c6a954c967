// Printed by `npm start` after the build: how to load the freshly built extension.
import { resolve } from 'node:path';

const chrome = resolve('.output/chrome-mv3');
const firefox = resolve('.output/firefox-mv2');
console.log(`
Peerwall is built. Load the extension, then press "Create account" in its popup
(the Broker URL http://localhost:9000 is prefilled under "Advanced").

  Chrome / Chromium: open chrome://extensions, turn on "Developer mode",
                     click "Load unpacked" and choose ${chrome};
                     then pin it: Extensions (puzzle piece) → pin beside Peerwall
  Firefox:           open about:debugging#/runtime/this-firefox,
                     click "Load Temporary Add-on…" and choose ${firefox}/manifest.json
                     (temporary: gone after a restart; the README says how to keep it)

Starting the broker (Ctrl+C stops it)…
`);
