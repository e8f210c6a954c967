import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rotateIdentity } from '../../core/identity';
import { exportIdentity, importIdentity } from '../../core/identityExport';
import { deps, makeUser } from './support/world';

const user = makeUser('alice');
const rotated = rotateIdentity(user.identity, 4, user.randomBytes).identity;
const file = exportIdentity(rotated, 'correct horse battery', { ...deps(user), logN: 10 });
if (!file.ok) throw new Error(file.reason);
const bytes = file.value;

describe('identity export', () => {
  it('restores the key, handle and rotation history with the right passphrase', () => {
    expect(importIdentity(bytes, 'correct horse battery')).toEqual({ ok: true, value: rotated });
  });

  it('refuses a wrong passphrase with a readable reason', () => {
    expect(importIdentity(bytes, 'correct horse battery!')).toEqual({ ok: false, reason: 'Wrong passphrase, or the file is damaged.' });
  });

  it('treats the passphrase in Unicode normal form, so the same words typed elsewhere still work', () => {
    const composed = exportIdentity(rotated, 'mot de passe é', { ...deps(user), logN: 10 });
    if (!composed.ok) throw new Error(composed.reason);
    expect(importIdentity(composed.value, 'mot de passe e\u0301').ok).toBe(true);
  });

  it('refuses a passphrase shorter than eight characters', () => {
    expect(exportIdentity(rotated, 'short', deps(user))).toMatchObject({ ok: false, reason: expect.stringContaining('at least 8') });
  });

  it('detects any changed byte, never throwing', () => {
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const damaged = bytes.map((b, i) => (i === at ? b ^ x : b));
        expect(importIdentity(damaged, 'correct horse battery').ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects arbitrary input without throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(importIdentity(input, 'correct horse battery').ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(importIdentity(new Uint8Array(200), 'x'.repeat(10))).toEqual({ ok: false, reason: 'This is not a Peerwall identity file, or it is damaged.' });
  });

  it('refuses a key-derivation cost outside the supported range before deriving anything', () => {
    const costly = bytes.slice();
    costly[7] = 30; // logN
    expect(importIdentity(costly, 'correct horse battery').ok).toBe(false);
  });
});
