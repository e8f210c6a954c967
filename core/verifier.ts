import { fromHex, toHex } from './bytes';
import { type Context, framed, verify } from './signing';
import { strictlyEncoded } from './strictEncoding';

/**
 * Checks signatures with exactly the verdicts of `verify` in signing.ts (docs/protocol.md §3),
 * asynchronously, so a run of them can be in flight at once. It never rejects.
 */
export type Verifier = {
  verify(context: Context, payload: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
};

/** The part of WebCrypto's `SubtleCrypto` used here (Ed25519: Chrome ≥ 137, Firefox ≥ 129, Node 20+). */
export interface SubtleEd25519 {
  importKey(format: 'raw', keyData: Uint8Array<ArrayBuffer>, algorithm: { name: 'Ed25519' }, extractable: false, keyUsages: ['verify']): Promise<object>;
  verify(algorithm: { name: 'Ed25519' }, key: object, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

export type VerifierDeps = {
  /** WebCrypto of the runtime, if any; without it (or without its Ed25519) every check is the pure one. */
  subtle?: SubtleEd25519 | undefined;
  /** Imported keys kept, least recently used dropped first: the wall owners and authors of a sync. */
  keyCacheSize?: number;
};

/** The pure-JS verifier (@noble/curves), behind the asynchronous interface. */
export const pureVerifier: Verifier = {
  verify: async (context, payload, signature, publicKey) => verify(context, payload, signature, publicKey),
};

/** RFC 8032 §7.1, test 1 (empty message): the native verifier is used only if it gets this right both ways. */
const SELF_TEST = {
  key: fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 32)!,
  signature: fromHex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b', 32 * 2)!,
};

const ED25519 = { name: 'Ed25519' } as const;

const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));

/**
 * A verifier that asks the runtime's native Ed25519 where it has one. The native verifiers are
 * laxer than §3 in places and stricter in others (cofactorless: they refuse signatures with a
 * small-order component that §3's cofactored check accepts), so: what §3 refuses on the bytes
 * alone is refused first (strictEncoding.ts), a native "valid" is final, and a native "invalid"
 * is confirmed by the pure verifier — invalid signatures end a sync, so that cost is paid rarely.
 */
export function createVerifier(deps: VerifierDeps = {}): Verifier {
  const { subtle } = deps;
  if (!subtle) return pureVerifier;
  const limit = deps.keyCacheSize ?? 1024;
  const keys = new Map<string, Promise<object | null>>();
  let usable: Promise<boolean> | null = null;

  const importKey = (publicKey: Uint8Array): Promise<object | null> =>
    subtle.importKey('raw', bytes(publicKey), ED25519, false, ['verify']).catch(() => null);

  function keyFor(publicKey: Uint8Array): Promise<object | null> {
    const id = toHex(publicKey);
    const cached = keys.get(id);
    keys.delete(id);
    const key = cached ?? importKey(publicKey);
    keys.set(id, key);
    // A Map iterates in insertion order: the first is the least recently used.
    if (keys.size > limit) keys.delete(keys.keys().next().value!);
    return key;
  }

  async function native(key: object | null, signature: Uint8Array, data: Uint8Array): Promise<boolean | null> {
    if (!key) return null;
    try {
      return await subtle!.verify(ED25519, key, bytes(signature), bytes(data));
    } catch {
      return null;
    }
  }

  async function selfTest(): Promise<boolean> {
    const key = await importKey(SELF_TEST.key);
    const flipped = SELF_TEST.signature.slice();
    flipped[0]! ^= 1;
    const [good, bad] = await Promise.all([native(key, SELF_TEST.signature, new Uint8Array()), native(key, flipped, new Uint8Array())]);
    return good === true && bad === false;
  }

  return {
    async verify(context, payload, signature, publicKey) {
      if (!strictlyEncoded(signature, publicKey)) return false;
      if (await (usable ??= selfTest())) {
        if ((await native(await keyFor(publicKey), signature, framed(context, payload))) === true) return true;
      }
      return verify(context, payload, signature, publicKey);
    },
  };
}
