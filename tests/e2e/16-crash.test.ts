import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionLog, entryCount, postMark, writePosts } from '../../bench/support/catchup-probes';
import { queryEntries } from '../../bench/support/connected-pair';
import { FAULT_PLAN_GLOBAL, FAULT_STRUCK_GLOBAL, type FaultPlan, type StruckFault } from '../../platform/social/fault-switch';
import type { ChromiumExtensionPage } from './support/chromium-page';
import { extensionDirs } from './support/extension-dirs';
import { buildWithFaults, filesContaining } from './support/faults-build';
import { createAccount, request, waitForConnection } from './support/flows';
import { Scene } from './support/scene';
import { befriend, evaluateInOffscreen, postsMatching, shownPosts, waitForFriendPresence, waitForPost } from './support/social';
import type { TestUser } from './support/test-user';
import { waitFor } from './support/wait';

const POSTS = 2_000;
/** 300-character posts fill a 256 KiB batch with about 400: the second of five is where bob dies. */
const FAULT: FaultPlan = { wall: 'alice', batch: 2, point: 'afterStore', action: 'freeze' };

/** The post numbers of alice's posts in the feed index of `user`'s content database, in no order. */
function feedMarks(user: TestUser): Promise<number[]> {
  return evaluateInOffscreen<number[]>(
    user,
    `new Promise((resolve, reject) => {
      const open = indexedDB.open(${JSON.stringify(`peerwall-${user.name}`)});
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const query = db.transaction('feed').objectStore('feed').index('byWall').getAll(IDBKeyRange.bound(['alice'], ['alice', []]));
        query.onerror = () => reject(query.error);
        query.onsuccess = () => {
          db.close();
          resolve(query.result.map((row) => Number(/^Catch-up post #(\\d+) of/.exec(row.text ?? '')?.[1] ?? 0)));
        };
      };
    })`,
  );
}

const ascending = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('scenario 16: a browser killed in the middle of a catch-up (issue 13, crash safety)', () => {
  const scene = new Scene('16-crash');
  let faults: ReturnType<typeof buildWithFaults> | undefined;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    faults = buildWithFaults();
    await scene.broker.start();
    alice = await scene.addUser('alice', 'chromium');
    bob = await scene.addUser('bob', 'chromium', faults.dir);
  }, 120_000);
  afterAll(async () => {
    await scene.dispose();
    faults?.remove();
  });

  it('has the fault switch in the faults build only: the product build holds none of it', () => {
    expect(filesContaining(faults!.dir, FAULT_PLAN_GLOBAL).length).toBeGreaterThan(0);
    for (const dir of [extensionDirs().chrome, extensionDirs().firefox]) {
      expect(filesContaining(dir, FAULT_PLAN_GLOBAL)).toEqual([]);
      expect(filesContaining(dir, 'InjectedFault')).toEqual([]);
    }
  });

  it(`bob, killed (SIGKILL) after the second batch of a catch-up on ${POSTS} posts, relaunches and ends with exactly ${POSTS}`, async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);

    // alice writes while bob's browser is closed, then closes hers, so bob's catch-up starts only once he is armed.
    await bob.quit();
    for (let done = 0; done < POSTS; done += 500) await writePosts(alicePopup as ChromiumExtensionPage, done + 1, done + 500, POSTS);
    const written = await entryCount(alice, 'alice');
    expect(written).toBeGreaterThanOrEqual(POSTS);
    await alice.quit();

    await bob.launch();
    await waitFor(() => evaluateInOffscreen<boolean>(bob, `(globalThis.${FAULT_PLAN_GLOBAL} = ${JSON.stringify(FAULT)}, true)`).catch(() => undefined), {
      timeoutMs: 20_000,
      describe: () => "bob's relaunched peer host has no offscreen document to arm",
    });
    await alice.launch();
    const struck = await waitFor(() => evaluateInOffscreen<StruckFault | null>(bob, `globalThis.${FAULT_STRUCK_GLOBAL} ?? null`).then((s) => s ?? undefined), {
      timeoutMs: 90_000,
      describe: () => `the fault (${JSON.stringify(FAULT)}) did not strike in bob's peer host`,
    });
    const heldAtKill = await entryCount(bob, 'alice');
    expect(heldAtKill).toBe(struck.seq);
    expect(heldAtKill).toBeGreaterThan(0);
    expect(heldAtKill).toBeLessThan(written);
    await bob.kill();

    // Relaunched on the same profile (the plan died with the process), alice still away so what bob kept is
    // read before the catch-up resumes; then alice comes back and it completes.
    await alice.quit();
    await bob.launch();
    const heldAfterRestart = await waitFor(() => entryCount(bob, 'alice').catch(() => undefined), { timeoutMs: 20_000, describe: () => "bob's content database cannot be read" });
    expect(heldAfterRestart).toBeLessThanOrEqual(heldAtKill);
    const relaunchAt = Date.now();
    await alice.launch();
    const bobAfter = await bob.openPopup();
    await waitFor(async () => ((await entryCount(bob, 'alice')) >= written ? true : undefined), {
      timeoutMs: 90_000,
      describe: () => `bob's store does not reach alice's ${written} entries after the relaunch`,
    });
    const seqs = await queryEntries<number[]>(bob, 'alice', 'getAll', 'result.map((e) => e.seq)');
    expect(seqs).toEqual(ascending(written));
    expect(await queryEntries<number>(bob, 'alice', 'getAll', 'new Set(result.map((e) => e.id)).size')).toBe(written);
    // The feed index, which the Feed reads, holds each of alice's posts once.
    expect((await feedMarks(bob)).sort((a, b) => a - b)).toEqual(ascending(POSTS));
    // What the Feed is served, newest first, holds no post twice; the newest is on screen once.
    const shown = (await request(bobAfter, 'host:feed', { limit: 500, wall: 'alice' })) as Array<{ id: string; text: string | null }>;
    expect(new Set(shown.map((p) => p.id)).size).toBe(500);
    expect(shown.map((p) => Number(/#(\d+) of/.exec(p.text ?? '')?.[1]))).toEqual(ascending(POSTS).reverse().slice(0, 500));
    await waitForPost(bobAfter, 'alice', postMark(POSTS, POSTS), 30_000);
    expect(await postsMatching(bobAfter, 'alice', postMark(POSTS, POSTS))).toHaveLength(1);
    const onScreen = (await shownPosts(bobAfter)).map((p) => p.text);
    expect(new Set(onScreen).size).toBe(onScreen.length);

    // It resumed where it stopped: what the catch-up after the relaunch brought is what bob lacked.
    const log = await waitFor(
      async () => {
        const syncs = (await connectionLog(bobAfter, 'alice')).filter((e) => e.at >= relaunchAt && e.kind === 'sync' && e.catchUp?.wall === 'alice');
        return syncs.length ? syncs : undefined;
      },
      { timeoutMs: 30_000, describe: () => "bob's connection log has no catch-up after the relaunch" },
    );
    console.log(`bob held ${heldAtKill} of ${written} entries when killed, ${heldAfterRestart} after the relaunch; the catch-up brought ${log.reduce((n, e) => n + e.catchUp!.entries, 0)}`);
    expect(log.reduce((n, e) => n + e.catchUp!.entries, 0)).toBe(written - heldAfterRestart);
  }, 240_000);
});
