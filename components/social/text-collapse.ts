import type { TextPart } from '@/platform/social/text-links';

/** Text longer than this collapses behind **Show more**. */
export const COLLAPSE_OVER = { chars: 600, lines: 12 };
/** What a collapsed text shows. */
export const COLLAPSED_TO = { chars: 400, lines: 8 };

/**
 * The parts a collapsed text shows, or null when the text is short enough to show whole. The cut falls at a
 * word break when there is one, never inside a link (it goes before the link, or after it when the link
 * starts the text) nor between the halves of a surrogate pair; the parts keep their order, so `dir="auto"`
 * still reads the text's direction from its first strong letter.
 */
export function collapsedParts(parts: readonly TextPart[]): TextPart[] | null {
  const text = parts.map((part) => part.text).join('');
  if (text.length <= COLLAPSE_OVER.chars && text.split('\n').length <= COLLAPSE_OVER.lines) return null;
  let cut = Math.min(COLLAPSED_TO.chars, nthLineEnd(text, COLLAPSED_TO.lines));
  const space = text.slice(0, cut).search(/\s\S*$/);
  if (space > cut / 2) cut = space;
  let start = 0;
  for (const part of parts) {
    const end = start + part.text.length;
    if (part.kind === 'link' && start < cut && cut < end) cut = start > 0 ? start : end;
    start = end;
  }
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  const shown: TextPart[] = [];
  start = 0;
  for (const part of parts) {
    if (start >= cut) break;
    shown.push(part.kind === 'link' ? part : { kind: 'text', text: part.text.slice(0, cut - start) });
    start += part.text.length;
  }
  const last = shown.at(-1);
  if (last?.kind === 'text') last.text = last.text.trimEnd();
  return shown;
}

/** The index of the end of the text's `lines`th line (the text's length when it has fewer). */
function nthLineEnd(text: string, lines: number): number {
  let at = -1;
  for (let line = 0; line < lines; line += 1) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return text.length;
  }
  return at;
}
