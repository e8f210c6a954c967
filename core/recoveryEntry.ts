import { signDraft, type WriteDeps } from './author';
import type { Identity } from './identity';
import { planIngest } from './ingest';
import { signRecovery } from './recoveryStatement';
import type { Replica } from './replica';
import { type Result, fail, ok } from './result';
import type { KeyStatement } from './rotation';
import { type SealedEntry, sealOf, signSeal } from './seal';
import { decodeBody } from './body';
import { bytesEqual } from './bytes';
import { pureVerifier } from './verifier';

/**
 * Appends the recovery `rotate` entry after a recovered copy of one's own wall (docs/protocol.md §8 step 4,
 * §5.4 rule 10): the wall's current key is the lost one, and from here on `identity`'s key seals it.
 * Returns the identity with its whole history: the statement of every `rotate` entry of the wall, in order.
 */
export async function appendRecovery(replica: Replica, identity: Identity, deps: WriteDeps): Promise<Result<Identity>> {
  const me = identity.handle;
  const state = await replica.wallState(me);
  if (!state || state.seq === 0) return ok(identity); // nothing to continue: the wall starts at this key
  if (bytesEqual(state.currentKey, identity.publicKey)) return ok({ ...identity, rotations: await historyOfWall(replica, me) });
  const statement = signRecovery(
    { handle: me, oldKey: state.currentKey, newKey: identity.publicKey, atSeq: state.seq + 1, prevSealHash: state.sealHash },
    identity.secretKey,
  );
  const signed = signDraft(identity, me, state.currentKey, { kind: 'rotate', body: statement }, deps);
  if (!signed.ok) return signed;
  const seal = sealOf(signed.value.header, state.seq + 1, state.sealHash);
  const sealed: SealedEntry = { ...signed.value, seq: seal.seq, prev: seal.prev, ownerSig: signSeal(seal, identity.secretKey) };
  const plan = await planIngest(replica, me, [sealed], state.genesisKey, deps.now, new Map(), {
    verifier: deps.verifier ?? pureVerifier,
    recovery: { newKey: identity.publicKey, lostKey: state.currentKey },
  });
  if (!plan.ok) return plan;
  const committed = await replica.commit(plan.value);
  if (!committed.ok) return fail(committed.reason === 'conflict' ? 'Your wall changed while it was being restored; please try again.' : committed.reason);
  return ok({ ...identity, rotations: await historyOfWall(replica, me) });
}

/** The key statements of a wall's `rotate` entries, oldest first. */
export async function historyOfWall(replica: Replica, wall: string): Promise<KeyStatement[]> {
  const history: KeyStatement[] = [];
  for (let after = 0; ; ) {
    const page = await replica.entriesAfter(wall, after, 256);
    if (page.length === 0) return history;
    for (const e of page) {
      if (e.header.kind !== 'rotate' || !e.body) continue;
      const body = decodeBody('rotate', e.body);
      if (body.ok && body.value.kind === 'rotate') history.push(body.value.body);
    }
    after = page.at(-1)!.seq;
  }
}
