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
