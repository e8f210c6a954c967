import { toHex } from './bytes';
import { sha256 } from './signing';

/**
 * Signed structures one side has already verified, by the hash of their bytes, newest kept: a
 * friend shows the same reader pass in session after session for a day, and each check is ~1 ms.
 */
export type SignatureCache = ReturnType<typeof createSignatureCache>;

export function createSignatureCache(limit = 4096) {
  const seen = new Set<string>();
  const key = (bytes: Uint8Array): string => toHex(sha256(bytes));
  return {
    has: (bytes: Uint8Array): boolean => seen.has(key(bytes)),
    add(bytes: Uint8Array): void {
      const k = key(bytes);
      seen.delete(k);
      seen.add(k);
      // A Set iterates in insertion order: the first is the least recently added.
      if (seen.size > limit) seen.delete(seen.values().next().value!);
    },
  };
}
