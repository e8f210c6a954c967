import { PeerwallError, toErrorInfo } from './errors';
import {
  isMessageType,
  parsePayload,
  type MessagesFor,
  type Payload,
  type Receiver,
  type Response,
  type Value,
} from './messages';

/** The parts of `runtime.MessageSender` the router looks at. */
export interface SenderLike {
  id?: string;
  url?: string;
}

export type Handlers<R extends Receiver> = {
  [K in MessagesFor<R>]: (payload: Payload<K>, sender: SenderLike) => Promise<Value<K>> | Value<K>;
};

export interface RouterOptions<R extends Receiver> {
  receiver: R;
  handlers: Handlers<R>;
  /** `browser.runtime.id`. */
  extensionId: string;
  /** `browser.runtime.getURL('/')`: only our own extension pages may talk to us. */
  extensionOrigin: string;
}

/** Our own extension's pages (not content scripts in web pages, not other extensions). */
export function isOwnExtension(sender: SenderLike, extensionId: string, extensionOrigin: string): boolean {
  return sender.id === extensionId && typeof sender.url === 'string' && sender.url.startsWith(extensionOrigin);
}

/**
 * Answers a request addressed to `receiver`, or returns null when the message is someone
 * else's (so other listeners in the extension can answer it). Never throws: failures
 * become `{ ok: false, error }`.
 */
export function routeMessage<R extends Receiver>(
  message: unknown,
  sender: SenderLike,
  options: RouterOptions<R>,
): Promise<Response> | null {
  if (typeof message !== 'object' || message === null) return null;
  const { type, payload } = message as { type?: unknown; payload?: unknown };
  if (typeof type !== 'string' || !type.startsWith(`${options.receiver}:`)) return null;
  return (async (): Promise<Response> => {
    try {
      if (!isOwnExtension(sender, options.extensionId, options.extensionOrigin)) {
        throw new PeerwallError('forbidden_sender', 'Only Peerwall itself may send this message.');
      }
      if (!isMessageType(type) || !Object.hasOwn(options.handlers, type)) {
        throw new PeerwallError('unknown_message', `Peerwall does not know the message “${type.slice(0, 64)}”.`);
      }
      const handler = options.handlers[type as MessagesFor<R>] as (p: unknown, s: SenderLike) => unknown;
      const parsed = parsePayload(type, payload);
      const value = await handler(parsed, sender);
      return { ok: true, value: value ?? null };
    } catch (error) {
      if (!(error instanceof PeerwallError)) console.error(`[peerwall] ${type} failed`, error);
      return { ok: false, error: toErrorInfo(error) };
    }
  })();
}

type OnMessageListener = (message: unknown, sender: SenderLike, sendResponse: (response: unknown) => void) => boolean;

/**
 * A `runtime.onMessage` listener. It answers through `sendResponse` and returns true,
 * the one asynchronous-reply form both Chrome and Firefox support (Chrome ignores a
 * Promise returned from a listener).
 */
export function createMessageListener<R extends Receiver>(options: RouterOptions<R>): OnMessageListener {
  return (message, sender, sendResponse) => {
    const answer = routeMessage(message, sender, options);
    if (!answer) return false;
    void answer.then(sendResponse);
    return true;
  };
}
