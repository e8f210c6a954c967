import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomBytes } from '../core/identity';

/** A seeded source of numbers in [0, 1); the only randomness the simulation uses. */
export type Rng = () => number;

/**
 * sfc32 seeded from SHA-256 of `seed`: fast, and a different `label` gives an independent stream,
 * so adding a draw to one part of the model does not shift the numbers of another.
 */
export function seededRng(seed: string, label: string): Rng {
  const h = sha256(new TextEncoder().encode(`${seed}/${label}`));
  const word = (i: number) => (h[i]! | (h[i + 1]! << 8) | (h[i + 2]! << 16) | (h[i + 3]! << 24)) >>> 0;
  let a = word(0), b = word(4), c = word(8), d = word(12);
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

export const uniform = (rng: Rng, min: number, max: number): number => min + (max - min) * rng();

export const randomInt = (rng: Rng, below: number): number => Math.floor(rng() * below);

/** Key material and nonces for the core, drawn from a seeded stream instead of the system's CSPRNG. */
export function seededRandomBytes(rng: Rng): RandomBytes {
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = randomInt(rng, 256);
    return out;
  };
}
