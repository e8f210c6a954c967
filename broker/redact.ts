/** Replaces the value of every `token` query parameter, so no log line ever holds a session token. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}
