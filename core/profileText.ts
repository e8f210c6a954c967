/**
 * Invisible and direction-changing characters (Unicode Cc and Cf: bidi overrides and isolates,
 * zero-width joiners and spaces, controls) in a display name or "about" would let it reorder or
 * hide the text around it, e.g. the real @handle shown after it.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * A display name as Peerwall shows it: without invisible characters, runs of spaces made one, and
 * without leading `@`, so a name never reads as a handle (a name "@bob" beside @alice).
 */
export function cleanDisplayName(name: string): string {
  return name.replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim().replace(/^@+\s*/u, '');
}

/** An "about" as Peerwall shows it: without invisible characters other than line breaks and tabs. */
export function cleanAbout(about: string): string {
  return about.replace(INVISIBLE, (c) => (c === '\n' || c === '\t' ? c : '')).trim();
}
