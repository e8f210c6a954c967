import { type KeyStatement, type RotationStatement, signRotation } from './rotation';
import { publicKeyOf } from './signing';

/** One person's signing identity: the current Ed25519 key and how it descends from the first one. */
export type Identity = {
  handle: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  rotations: KeyStatement[];
};

export type RandomBytes = (length: number) => Uint8Array;

export function createIdentity(handle: string, randomBytes: RandomBytes): Identity {
  const secretKey = randomBytes(32);
  return { handle, secretKey, publicKey: publicKeyOf(secretKey), rotations: [] };
}

/** The identity after handing over to a fresh key at wall sequence `atSeq`, with the statement that proves it. */
export function rotateIdentity(
  identity: Identity,
  atSeq: number,
  randomBytes: RandomBytes,
): { identity: Identity; statement: RotationStatement } {
  const secretKey = randomBytes(32);
  const publicKey = publicKeyOf(secretKey);
  const statement = signRotation(identity.handle, identity.secretKey, identity.publicKey, secretKey, publicKey, atSeq);
  return { identity: { ...identity, secretKey, publicKey, rotations: [...identity.rotations, statement] }, statement };
}
