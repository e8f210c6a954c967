import { accessSync, constants } from 'node:fs';

const INSTALL_HINT = 'Install both browsers with `apt-get install -y chromium firefox-esr`';

export function chromiumPath(): string {
  return process.env.CHROME_PATH || '/usr/bin/chromium';
}

export function firefoxPath(): string {
  return process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
}

function assertExecutable(name: string, file: string, variable: string): void {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${name} was not found at ${file}. ${INSTALL_HINT}, or point ${variable} at the browser's executable.`);
  }
}

/** The e2e suite fails, never skips, when a browser is missing. */
export function assertBrowsersInstalled(): void {
  assertExecutable('Chromium', chromiumPath(), 'CHROME_PATH');
  assertExecutable('Firefox ESR', firefoxPath(), 'FIREFOX_PATH');
}
