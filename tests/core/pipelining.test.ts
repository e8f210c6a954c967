import { describe, expect, it } from 'vitest';
import { planIngest } from '../../core/ingest';
import { knownAuthors } from '../../core/knownAuthors';
import { decodeMessage } from '../../core/messages';
import type { Replica } from '../../core/replica';
import { createSyncSession, type SyncSession } from '../../core/syncSession';
import { packBatch } from '../../core/syncFrames';
import { createMemoryTransportPair, type Transport } from '../../core/transport';
import type { Verifier } from '../../core/verifier';
import { befriend, connect, deps, makeUser, post, text, type User } from './support/world';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What happened, in order: frames on the wire, bob's commits and bob's signature checks. */
function timeline() {
  const events: string[] = [];
  return {
    events,
    tap: (frame: Uint8Array, from: 'a' | 'b') => {
      const m = decodeMessage(frame);
      if (m.ok && m.value.type === 'want' && m.value.wall === 'alice' && from === 'b') events.push(`want ${m.value.afterSeq}`);
      if (m.ok && m.value.type === 'batch' && m.value.wall === 'alice' && from === 'a') events.push(`batch ${m.value.entries.at(-1)?.seq ?? 'empty'}`);
      return [frame];
    },
    /**
     * Bob's storage, as a slow disk: the first commit of alice's wall ends only once the next batch has
     * arrived (or after 2 s, if it never comes), each other one after 20 ms.
     */
    slowCommits(replica: Replica): Replica {
      let first = true;
      return Object.assign(Object.create(replica) as Replica, {
        async commit(write: Parameters<Replica['commit']>[0]) {
          if (write.wall !== 'alice') return replica.commit(write);
          events.push(`store ${write.state.seq}`);
          const waitForNext = first;
          first = false;
          await sleep(20);
          for (let waited = 20; waitForNext && waited < 2_000 && events.filter((e) => e.startsWith('batch ')).length < 2; waited += 10) await sleep(10);
          const result = await replica.commit(write);
          events.push(`stored ${write.state.seq}`);
          return result;
        },
      });
    },
    counting(verifier: Verifier): Verifier {
      return {
        verify(...args) {
          events.push('verify');
          return verifier.verify(...args);
        },
      };
    },
  };
}

/** About 3 KB each: 150 of them take two version-3 batches. */
async function aliceWithTwoBatches(): Promise<{ alice: User; bob: User }> {
  const alice = makeUser('alice');
  const bob = makeUser('bob');
  await befriend(alice, bob);
  for (let i = 0; i < 150; i++) await post(alice, text(`${i} `.padEnd(3_000, 'x')));
  return { alice, bob };
}

describe('pipelined catch-up (docs/protocol.md §7.3)', () => {
  it('asks for the next batch before storing the one that arrived, and checks it while that one is stored', async () => {
    const { alice, bob } = await aliceWithTwoBatches();
    const t = timeline();
    bob.replica = t.slowCommits(bob.replica);
    bob.verifier = t.counting(bob.verifier);

    await connect(alice, bob, { tap: t.tap });

    const firstEnd = Number(t.events.find((e) => e.startsWith('batch '))!.split(' ')[1]);
    const wants = t.events.filter((e) => e.startsWith('want '));
    expect(wants).toEqual(['want 0', `want ${firstEnd}`]);
    // The second want left before the first batch was stored, and the second batch arrived then too.
    const storedFirst = t.events.indexOf(`stored ${firstEnd}`);
    expect(t.events.indexOf(`want ${firstEnd}`)).toBeLessThan(t.events.indexOf(`store ${firstEnd}`));
    const secondArrived = t.events.indexOf('batch 150');
    expect(secondArrived).toBeGreaterThan(-1);
    expect(secondArrived).toBeLessThan(storedFirst);
    // Its signatures were being checked while the first batch was still being stored: two per entry.
    const checksDuringStore = t.events.slice(secondArrived, storedFirst).filter((e) => e === 'verify').length;
    expect(checksDuringStore).toBe(2 * (150 - firstEnd));
    expect(await bob.replica.wallState('alice')).toMatchObject({ seq: 150 });
    expect(bob.events.filter((e) => e.type === 'batchStored').map((e) => 'entries' in e && e.entries)).toEqual([firstEnd, 150 - firstEnd]);
  }, 30_000);

  it('asks nothing early when a batch reaches the head', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (let i = 0; i < 20; i++) await post(alice, text(`post ${i}`));
    const t = timeline();

    await connect(alice, bob, { tap: t.tap });

    expect(t.events.filter((e) => e.startsWith('want '))).toEqual(['want 0']);
    expect(bob.events.find((e) => e.type === 'upToDate' && e.wall === 'alice')).toMatchObject({ seq: 20 });
  }, 30_000);

  it('asks again from what it holds when the batch before lost a write race, rather than taking a gap for a fault', async () => {
    const { alice, bob } = await aliceWithTwoBatches();
    const store = bob.replica;
    const known = knownAuthors(bob.identity, await store.friends());
    let raced = false;
    // Another session stores the first 30 entries between bob's check of the first batch and its write.
    bob.replica = Object.assign(Object.create(store) as Replica, {
      async commit(write: Parameters<Replica['commit']>[0]) {
        if (write.wall === 'alice' && !raced) {
          raced = true;
          const other = await planIngest(store, 'alice', write.append.slice(0, 30), alice.identity.publicKey, bob.now, known);
          if (!other.ok) throw new Error(other.reason);
          await store.commit(other.value);
        }
        return store.commit(write);
      },
    });

    await connect(alice, bob);

    expect(raced).toBe(true);
    expect(bob.events.filter((e) => e.type === 'closed')).toEqual([]);
    expect(await store.wallState('alice')).toMatchObject({ seq: 150 });
    expect((await store.entriesAfter('alice', 0, 200)).map((e) => e.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  }, 30_000);

  it('checks no signature of a batch it did not ask for, and closes the session', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const t = timeline();
    bob.verifier = t.counting(bob.verifier);
    const [toBob, toAlice] = createMemoryTransportPair();
    const sessions = [open(alice, bob, toBob), open(bob, alice, toAlice)];
    for (const s of sessions) s.start();
    await settle(sessions);
    for (let i = 0; i < 30; i++) await post(alice, text(`unasked ${i}`));
    const checksBefore = t.events.filter((e) => e === 'verify').length;

    toBob.send(packBatch('alice', 30, await alice.replica.entriesAfter('alice', 0, 30)).frame);
    await settle(sessions);

    expect(t.events.filter((e) => e === 'verify').length).toBe(checksBefore);
    expect(bob.events.at(-1)).toMatchObject({ type: 'closed', code: 'bad_message', reason: 'Unrequested batch for @alice.' });
    expect(await bob.replica.wallState('alice')).toBeNull();
  }, 30_000);
});

function open(self: User, friend: User, transport: Transport): SyncSession {
  const h = self.identity.handle;
  return createSyncSession({
    replica: self.replica, identity: self.identity, peer: friend.identity.handle, transport,
    localFingerprint: `fp-${h}`, remoteFingerprint: `fp-${friend.identity.handle}`, ...deps(self), relay: self.relay,
    onEvent: (e) => self.events.push(e),
  });
}

async function settle(sessions: SyncSession[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    for (const s of sessions) await s.idle();
    await new Promise((r) => setImmediate(r));
    if (sessions.every((s) => s.settled())) return;
  }
}
