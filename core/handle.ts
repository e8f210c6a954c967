/**
 * Handle rules shared by the broker and the extension (docs/signalling.md, broker issue).
 * A handle is what people type to find each other and is also the PeerJS peer id.
 */
export const HANDLE_RULE =
  'A handle is 1–15 characters of a–z, 0–9 and _, starts and ends with a letter or digit, and has no "__".';

/** The handle rule as one regular expression source, also for schemas: no trailing `_`, no `__`. */
export const CANONICAL_HANDLE_SOURCE = '^(?!.*_$)[a-z0-9](?:[a-z0-9]|_(?!_)){0,14}$';
const HANDLE_PATTERN = new RegExp(CANONICAL_HANDLE_SOURCE);
const NON_ASCII = /[^\x00-\x7f]/;

export type HandleResult = { ok: true; handle: string } | { ok: false; reason: string };

/**
 * Canonicalises user input: surrounding spaces and one leading "@" are ignored, non-ASCII is
 * rejected before any case folding (so "ｂｏｂ" or the Kelvin sign never become "bob" / "k"),
 * then the text is lowercased and checked against the rule.
 */
export function parseHandle(input: unknown): HandleResult {
  if (typeof input !== 'string') return { ok: false, reason: HANDLE_RULE };
  // Check before trimming: String#trim also strips non-ASCII spaces (U+00A0, U+3000, U+FEFF),
  // which would let "\u00a0bob" through as "bob".
  if (NON_ASCII.test(input)) return { ok: false, reason: HANDLE_RULE };
  let text = input.trim();
  if (text.startsWith('@')) text = text.slice(1);
  const lower = text.toLowerCase();
  if (!HANDLE_PATTERN.test(lower)) return { ok: false, reason: HANDLE_RULE };
  return { ok: true, handle: lower };
}

/** True for a string that already is a canonical handle. */
export function isCanonicalHandle(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parsed = parseHandle(value);
  return parsed.ok && parsed.handle === value;
}
