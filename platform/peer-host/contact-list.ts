import { HANDLE_RULE, parseHandle } from '@/core/handle';
import { PeerwallError } from '../errors';

/**
 * Canonical, sorted, duplicate-free contact handles without our own. One invalid entry
 * rejects the whole list so a typo never half-replaces the stored one.
 */
export function normaliseContacts(handles: readonly string[], own: string): string[] {
  const unique = new Set<string>();
  for (const input of handles) {
    const parsed = parseHandle(input);
    if (!parsed.ok) throw new PeerwallError('invalid_handle', `“${input.slice(0, 64)}” is not a handle. ${HANDLE_RULE}`);
    if (parsed.handle !== own) unique.add(parsed.handle);
  }
  return [...unique].sort();
}
