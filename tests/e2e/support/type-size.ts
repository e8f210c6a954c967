import type { ExtensionPage } from './extension-page';
import { inPage } from './in-page';

/** Text people read is at least this large in both browsers (issue 16). */
export const MIN_TEXT_PX = 13;

/** The computed font size of one element that shows text. */
export interface TextSize {
  px: number;
  /** What the text is: post, comment, hint, label, button, nav, field or other. */
  kind: string;
  /** A short CSS path to the element, e.g. `article.post-card > p.pw-hint`. */
  selector: string;
  text: string;
}

/**
 * The computed font size of `body` and of every visible element with text of its own (and every text field),
 * smallest first. Screen-reader-only text (clipped to 1 px) and hidden elements are left out.
 */
export async function textSizes(page: ExtensionPage): Promise<{ body: number; texts: TextSize[] }> {
  return inPage(page, () => {
    const name = (element: Element): string => {
      const classes = [...element.classList].filter((c) => !c.startsWith('data-v-')).slice(0, 2);
      // Posts and comments carry their hash in the id: not a name to read in a report.
      const id = element.id && element.id.length <= 24 ? `#${element.id}` : '';
      return element.tagName.toLowerCase() + id + classes.map((c) => `.${c}`).join('');
    };
    const path = (element: Element): string => {
      const parts: string[] = [];
      for (let at: Element | null = element; at && at !== document.body && parts.length < 3; at = at.parentElement) parts.unshift(name(at));
      return parts.join(' > ');
    };
    const kindOf = (element: Element): string => {
      if (element.closest('nav')) return 'nav';
      if (element.matches('input, textarea, select')) return 'field';
      if (element.closest('button')) return 'button';
      if (element.closest('label')) return 'label';
      if (element.closest('.pw-hint')) return 'hint';
      if (element.closest('article li')) return 'comment';
      if (element.closest('article')) return 'post';
      return 'other';
    };
    const texts = [];
    for (const element of document.body.querySelectorAll('*')) {
      if (element.closest('script, style, svg, [hidden], .pw-sr-only')) continue;
      if (!element.checkVisibility({ visibilityProperty: true })) continue;
      const box = element.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue;
      const own = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      const field = element.matches('input:not([type=checkbox], [type=radio], [type=hidden]), textarea, select');
      if (!own && !field) continue;
      const shown = own || (element as HTMLInputElement).placeholder || (element as HTMLInputElement).value || '';
      texts.push({ px: parseFloat(getComputedStyle(element).fontSize), kind: kindOf(element), selector: path(element), text: shown.slice(0, 40) });
    }
    texts.sort((a, b) => a.px - b.px);
    return { body: parseFloat(getComputedStyle(document.body).fontSize), texts };
  });
}
