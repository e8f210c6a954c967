import { browser } from 'wxt/browser';
import { PeerwallError } from './errors';
import type { MessageType, Payload, Value } from './messages';

type SendMessage = (message: unknown) => Promise<unknown>;

/** Longer than the slowest request (a broker call, 20 s) so only a lost request hits it. */
export const REQUEST_TIMEOUT_MS = 30_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unwraps a `{ ok, value | error }` answer; anything else is a transport failure. */
export function unwrapResponse<T>(type: string, response: unknown): T {
  if (isRecord(response) && response.ok === true && 'value' in response) return response.value as T;
  if (isRecord(response) && response.ok === false && isRecord(response.error)) {
    const { code, message } = response.error;
    if (typeof code === 'string' && typeof message === 'string') throw new PeerwallError(code, message);
  }
  throw new PeerwallError('no_answer', `Peerwall's background service did not answer (${type}). Try again in a moment.`);
}

/**
 * Payloads are JSON data; a copy of one drops what a page's reactive state wraps around it. Firefox
 * structured-clones a message and refuses a Vue proxy ("could not be cloned"); Chromium's JSON hides that.
 */
function plainData(payload: unknown): unknown {
  return payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
}

/** Sends a typed request and resolves with its value or rejects with a PeerwallError. */
export async function sendRequest<K extends MessageType>(
  type: K,
  ...args: Payload<K> extends undefined ? [] : [payload: Payload<K>]
): Promise<Value<K>> {
  return sendRequestWith(browser.runtime.sendMessage as SendMessage, type, ...args);
}

export async function sendRequestWith<K extends MessageType>(
  sendMessage: SendMessage,
  type: K,
  ...args: Payload<K> extends undefined ? [] : [payload: Payload<K>]
): Promise<Value<K>> {
  const noAnswer = new PeerwallError(
    'no_answer',
    `Peerwall's background service did not answer (${type}). Try again in a moment.`,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(noAnswer), REQUEST_TIMEOUT_MS);
  });
  let response: unknown;
  try {
    response = await Promise.race([sendMessage(args.length ? { type, payload: plainData(args[0]) } : { type }), timeout]);
  } catch {
    throw noAnswer;
  } finally {
    clearTimeout(timer);
  }
  return unwrapResponse<Value<K>>(type, response);
}

/** Fire-and-forget broadcast (e.g. `ui:host-state`); no open page is not an error. */
export function broadcast<K extends MessageType>(type: K, payload: Payload<K>): void {
  void (browser.runtime.sendMessage as SendMessage)({ type, payload }).catch(() => undefined);
}
