/**
 * Replaces the value of every `token` query parameter, so no log line ever holds a session token.
 * Names are compared decoded and in any case: URLSearchParams reads `%74oken=` as `token`.
 */
export function redactUrl(url: string): string {
  return url.replace(/([?&])([^=&#]*)=([^&#]*)/g, (pair, separator: string, name: string) =>
    isTokenName(name) ? `${separator}${name}=[redacted]` : pair,
  );
}

function isTokenName(name: string): boolean {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase() === 'token';
  } catch {
    return /token/i.test(name); // undecodable: redact rather than risk it
  }
}
