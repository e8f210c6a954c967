/** Query parameters whose values never reach a log line: signalling's `token`, and the secrets a client might misplace in a URL. */
const SECRET_PARAMETERS = new Set(['token', 'access_token', 'authorization', 'password', 'currentpassword', 'newpassword']);

/**
 * Replaces the value of every secret query parameter, so no log line ever holds a session token
 * or a password. Names are compared decoded and in any case: URLSearchParams reads `%74oken=` as `token`.
 */
export function redactUrl(url: string): string {
  return url.replace(/([?&])([^=&#]*)=([^&#]*)/g, (pair, separator: string, name: string) =>
    isSecretName(name) ? `${separator}${name}=[redacted]` : pair,
  );
}

function isSecretName(name: string): boolean {
  try {
    return SECRET_PARAMETERS.has(decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase());
  } catch {
    return /token|password|authorization/i.test(name); // undecodable: redact rather than risk it
  }
}

/**
 * A database URL as a log line or an error may show it: the password (and any `password` or
 * `sslpassword` parameter) replaced by `[redacted]`. A URL that does not parse is not shown at all.
 */
export function redactDatabaseUrl(url: string): string {
  return redactUrlCredentials(url, '[a database URL that does not parse]');
}

/**
 * A URL with a password (read the way its client reads it: WHATWG `URL`, so `redis://:p@ss@host` has the
 * password `p@ss`) and every parameter named like a secret replaced by `[redacted]`; `unparseable` instead
 * of a URL that does not parse, since no part of it can be told apart.
 */
export function redactUrlCredentials(url: string, unparseable: string): string {
  if (!URL.canParse(url)) return unparseable;
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = 'redacted';
  for (const name of [...parsed.searchParams.keys()]) {
    if (/password|secret|key|token|auth/i.test(name)) parsed.searchParams.set(name, 'redacted');
  }
  return parsed.toString().replace(':redacted@', ':[redacted]@').replace(/=redacted(?=&|#|$)/g, '=[redacted]');
}
