import { sha512 } from '@noble/hashes/sha2.js';
import { ByteWriter, compareBytes, concatBytes, utf8 } from './bytes';
import { CONTEXT } from './signing';

/**
 * The safety number of a friendship (docs/protocol.md §4.4): 60 digits in 12 groups of five,
 * the same on both sides, changing whenever either identity key changes. Two people compare
 * it in person or on a call to rule out a broker that swapped keys when they befriended.
 */
export function safetyNumber(a: { handle: string; key: Uint8Array }, b: { handle: string; key: Uint8Array }): string {
  const sides = [a, b]
    .map((s) => new ByteWriter().text(s.handle).fixed(s.key, 32).finish())
    .sort(compareBytes);
  const digest = sha512(concatBytes(utf8(CONTEXT.safetyNumber), Uint8Array.of(0), ...sides));
  const groups: string[] = [];
  for (let i = 0; i < 12; i++) {
    let n = 0;
    for (let j = 0; j < 5; j++) n = n * 256 + digest[i * 5 + j]!;
    groups.push(String(n % 100000).padStart(5, '0'));
  }
  return groups.join(' ');
}
