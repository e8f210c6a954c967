/**
 * The ARIA a form field needs to explain itself: `aria-invalid` only when it is, and `aria-describedby`
 * naming what is shown about it (its count, its error), so a screen reader hears why.
 */
export const ariaInvalid = (invalid: boolean): 'true' | undefined => (invalid ? 'true' : undefined);

export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const shown = ids.filter((id): id is string => typeof id === 'string' && id !== '');
  return shown.length > 0 ? shown.join(' ') : undefined;
}
