const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When something happened, as people say it: "just now", "5 min", "3 h", "yesterday", "4 days", then
 * the date ("Mar 3", with the year when it is not this one). Future times (a clock ahead) read "just now".
 */
export function relativeTime(at: number, now: number, locale?: string): string {
  const ago = now - at;
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min`;
  const then = new Date(at);
  const today = new Date(now);
  const daysApart = Math.round((startOfDay(today) - startOfDay(then)) / DAY);
  if (daysApart === 0) return `${Math.floor(ago / HOUR)} h`;
  if (daysApart === 1) return 'yesterday';
  if (daysApart < 7) return `${daysApart} days`;
  const sameYear = then.getFullYear() === today.getFullYear();
  return then.toLocaleDateString(locale, sameYear ? { month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric', year: 'numeric' });
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** `relativeTime` inside a sentence: "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", "on Mar 3". */
export function timeAgo(at: number, now: number, locale?: string): string {
  const short = relativeTime(at, now, locale);
  if (short === 'just now' || short === 'yesterday') return short;
  return /^\d+ (min|h|days)$/.test(short) ? `${short} ago` : `on ${short}`;
}
