export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/**
 * A bare domain people write without a scheme ("example.org", "www.foo.com/a"): only with a common
 * top-level domain, so "e.g." or "notes.txt" stay text, and never after `@` (an email address).
 */
const BARE_DOMAIN =
  "(?<![@\\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:com|org|net|io|dev|app|edu|gov|info|me|co|uk|de|fr|nl|eu|ch|at|it|es|se|no|dk|fi|pl|ca|au|jp|in|br|social|xyz)(?![\\w-])(?::\\d{2,5})?(?:/[^\\s<>\"'`]*)?";
const URL_PATTERN = new RegExp(`https?://[^\\s<>"'\`]+|${BARE_DOMAIN}`, 'gi');
/** Punctuation that usually ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Splits post text into plain text and links. Only http(s) URLs and bare domains (as https) become links (never
 * `javascript:`, `data:` or anything else), and the result is rendered as text nodes, so no
 * markup in a post is ever interpreted.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, '');
    const start = match.index;
    let href: string | null = null;
    try {
      const url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
      if (url.protocol === 'http:' || url.protocol === 'https:') href = url.href;
    } catch {
      href = null;
    }
    if (!href || raw.length === 0) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}
