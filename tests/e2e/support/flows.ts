import type { ExtensionPage } from './extension-page';
import { sleep, waitFor } from './wait';

export const PASSWORD = 'correct horse battery staple';

export type ConnectionText = 'Online' | 'Connecting…' | 'Offline' | 'Signed in elsewhere';

interface Credentials {
  handle: string;
  brokerUrl: string;
  password?: string;
}

async function submitSignInForm(page: ExtensionPage, button: string, credentials: Credentials): Promise<void> {
  await page.fill('Handle', credentials.handle);
  await page.fill('Password', credentials.password ?? PASSWORD);
  // The Broker URL is folded under Advanced unless an earlier broker error opened it.
  if (!(await page.hasField('Broker URL'))) await page.openDetails('Advanced');
  await page.fill('Broker URL', credentials.brokerUrl);
  await page.click(button);
}

export function createAccount(page: ExtensionPage, credentials: Credentials): Promise<void> {
  return submitSignInForm(page, 'Create account', credentials);
}

export function signIn(page: ExtensionPage, credentials: Credentials): Promise<void> {
  return submitSignInForm(page, 'Sign in', credentials);
}

async function describePage(page: ExtensionPage): Promise<string> {
  const [statuses, text] = await Promise.all([
    page.statusTexts().catch((error: unknown) => [`<${String(error)}>`]),
    page.visibleText().catch((error: unknown) => `<${String(error)}>`),
  ]);
  return `role=status texts ${JSON.stringify(statuses)}; ${page.file} reads: ${JSON.stringify(text.slice(0, 400))}`;
}

/** Waits until an element with role `status` reads one of `expected`; returns the text seen. */
export async function waitForConnection(
  page: ExtensionPage,
  expected: ConnectionText | ConnectionText[],
  timeoutMs = 30_000,
): Promise<ConnectionText> {
  const wanted: string[] = Array.isArray(expected) ? expected : [expected];
  try {
    return await waitFor(
      async () => {
        const texts = await page.statusTexts().catch(() => []);
        return texts.find((text) => wanted.includes(text)) as ConnectionText | undefined;
      },
      { timeoutMs, describe: () => `waiting for ${wanted.join(' or ')}` },
    );
  } catch {
    throw new Error(
      `${page.kind} ${page.file} did not show ${wanted.join(' or ')} within ${timeoutMs / 1000} s; ${await describePage(page)}`,
    );
  }
}

/** Checks the connection status reads `expected` the whole time for `durationMs`. */
export async function expectConnectionStays(page: ExtensionPage, expected: ConnectionText, durationMs: number): Promise<void> {
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    const texts = await page.statusTexts();
    if (!texts.includes(expected)) {
      throw new Error(`${page.kind} ${page.file} should keep showing ${expected} but shows ${await describePage(page)}`);
    }
    await sleep(500);
  }
}

/** Whether the signed-out form is showing. */
export async function showsSignInForm(page: ExtensionPage): Promise<boolean> {
  return (await page.hasField('Password')) && (await page.hasButton('Sign in'));
}

/** Sends `{ type, payload }` to the extension and unwraps `{ ok: true, value }`; throws on `{ ok: false }`. */
export async function request(page: ExtensionPage, type: string, payload?: unknown): Promise<unknown> {
  const response = (await page.sendMessage({ type, payload })) as unknown;
  if (typeof response !== 'object' || response === null || !('ok' in response)) {
    throw new Error(`${type}: the extension answered ${JSON.stringify(response)} instead of { ok, value | error }`);
  }
  if (response.ok === true && 'value' in response) return response.value;
  const error = (response as { error?: { code?: unknown; message?: unknown } }).error;
  throw new Error(`${type} failed: ${String(error?.code)}: ${String(error?.message)}`);
}

export async function getState(page: ExtensionPage): Promise<{ handle: unknown; connection: unknown }> {
  const value = await request(page, 'host:get-state');
  if (typeof value !== 'object' || value === null) throw new Error(`host:get-state answered ${JSON.stringify(value)}`);
  return value as { handle: unknown; connection: unknown };
}
