/**
 * The Broker URL a person types: validated, normalised, and turned into the
 * HTTP base and PeerJS server options the peer host uses.
 */
export type BrokerUrlResult = { ok: true; url: string } | { ok: false; reason: string };

export interface PeerServerOptions {
  host: string;
  port: number;
  secure: boolean;
  path: string;
  key: 'peerjs';
}

const EXAMPLE = 'e.g. https://broker.example.com';
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** True for names and addresses that never leave this computer. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Accepts `https://host[:port][/path]` anywhere and `http://` only for a broker on this
 * computer: a plain-http broker elsewhere would carry the password and session in clear.
 * A missing scheme means http on this computer (`localhost:9000`, where brokers run without
 * TLS) and https elsewhere. The result has no trailing slash; the form shows it when it
 * differs from what was typed (`brokerUrlHint`).
 */
export function parseBrokerUrl(input: unknown): BrokerUrlResult {
  if (typeof input !== 'string' || input.trim() === '') {
    return { ok: false, reason: `Enter the broker's address, ${EXAMPLE}.` };
  }
  const text = input.trim();
  if (text.length > 2048) return { ok: false, reason: 'That Broker URL is too long.' };
  let url: URL;
  try {
    url = HAS_SCHEME.test(text) ? new URL(text) : withoutScheme(text);
  } catch {
    return { ok: false, reason: `“${text}” is not a web address. Enter the broker's address, ${EXAMPLE}.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `The Broker URL must start with https:// (${EXAMPLE}).` };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return {
      ok: false,
      reason:
        'A broker on another computer must use https:// — plain http:// would send your password and session unencrypted. Use an https:// address.',
    };
  }
  if (url.username || url.password) {
    return { ok: false, reason: 'Remove the user name and password from the Broker URL.' };
  }
  if (url.search || url.hash) {
    return { ok: false, reason: 'The Broker URL cannot contain “?” or “#”.' };
  }
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${url.protocol}//${url.host}${path}` };
}

/** `host[:port][/path]` typed without a scheme: http on this computer, https anywhere else. */
function withoutScheme(text: string): URL {
  const rest = text.replace(/^\/\//, '');
  const url = new URL(`https://${rest}`);
  // Parsed again rather than switched, so a typed port (even 443) survives.
  return isLoopbackHost(url.hostname) ? new URL(`http://${rest}`) : url;
}

/**
 * What to tell the person about the URL Peerwall will use, when it differs from what they
 * typed (a scheme added, a trailing slash dropped); null when they match or the input is refused.
 */
export function brokerUrlHint(input: string): string | null {
  const result = parseBrokerUrl(input);
  if (!result.ok || result.url === input.trim()) return null;
  return `Peerwall will use ${result.url}`;
}

/** The full URL of a broker API route, e.g. `apiUrl(base, '/api/sessions')`. */
export function apiUrl(brokerUrl: string, route: string): string {
  return `${brokerUrl}${route}`;
}

/**
 * PeerJS server options for a normalised Broker URL. PeerJS guesses `secure` from the
 * page's own protocol, which is wrong on extension pages, so it is always set here.
 */
export function peerServerOptions(brokerUrl: string): PeerServerOptions {
  const url = new URL(brokerUrl);
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const path = `${url.pathname.replace(/\/+$/, '')}/`;
  return { host: url.hostname, port, secure, path, key: 'peerjs' };
}
