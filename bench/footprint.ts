/**
 * `npm run bench:footprint` — issue 11, benchmark 6: the peer host's memory with 150 and with 500 friends online,
 * and the connections it holds open at once.
 *
 * The e2e harness in its private network namespace: the real broker (BCRYPT_COST=4) and alice's Chromium with the
 * built extension, her account made in her popup, three posts on her wall. BENCH_FOOTPRINT_FRIENDS (default 500)
 * simulated friends get real accounts and sessions on the broker (its HTTP API) and identity keys; alice befriends
 * them all through the product's own code in her offscreen document (bench/support/friendship-seed.ts: each
 * friend's signed request checked and its key pinned, as accepting it does), and her browser restarts so her peer
 * host starts with them, as it does every day. Each friend runs in a helper page of a second Chromium
 * (bench/support/simulated-friend.ts): its own identity, an in-memory replica with a wall of three posts, the
 * product's PeerJS peer and sync connections — real WebRTC data channels to alice's peer host over the broker's
 * signalling, real sync sessions both ways.
 *
 * Figures, each once the connections have settled: the RSS (and PSS) of the renderer process that hosts alice's
 * offscreen document, from /proc, and the document's JS heap over DevTools after a garbage collection; with no
 * friend online (the baseline, same run), then with the first 150 online, then all of them. Per stage: how many
 * friends her peer host lists online (a sync connection ready) and the RTCPeerConnections connected on its heap,
 * and how long from the stage's start until the last of them was ready (her connection log's `ready` events).
 *
 * Run with `npm run bench:footprint` (bench/vitest.footprint.config.ts); it builds first if needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleLog } from '../tests/e2e/support/console-log';
import type { ExtensionPage } from '../tests/e2e/support/extension-page';
import { createAccount, request, waitForConnection } from '../tests/e2e/support/flows';
import { Scene } from '../tests/e2e/support/scene';
import type { TestUser } from '../tests/e2e/support/test-user';
import { sleep, waitFor } from '../tests/e2e/support/wait';
import { publish } from './report';
import { chromiumVersion } from './support/connected-pair';
import { createFriendAccounts, type FriendAccount } from './support/friend-accounts';
import { FriendBrowsers } from './support/friend-browsers';
import { friendLogs, friendPresence, friendsEntries, peerConnectionCapErrors, seedFriendships, type FriendLog } from './support/footprint-probes';
import { footprintReport, type Stage } from './support/footprint-report';
import { measureHost, type HostFootprint } from './support/host-footprint';
import type { FriendReport, HostSpec } from './support/simulated-friend';

const FRIENDS = Number(process.env.BENCH_FOOTPRINT_FRIENDS ?? 500);
/** Friends online at each stage after the baseline. */
const STAGES = [...new Set([Math.min(150, FRIENDS), FRIENDS])];
const POSTS_PER_WALL = 3;
/** After the last connection of a stage is ready, before memory is read. */
const SETTLE_MS = 10_000;
/**
 * Both sides close a connection after 5 idle minutes (README: presence), so every stage must be read within 5
 * minutes of the first one's start: past this wait a stage is read as it stands.
 */
const STAGE_TIMEOUT_MS = 120_000;
const TARGET_MIB = 150;
const HOST = 'alice';

describe('the peer host’s footprint with 150 and 500 friends online (issue 11, benchmark 6)', () => {
  const scene = new Scene('bench-footprint');
  let alice: TestUser;
  let popup: ExtensionPage;
  let accounts: FriendAccount[];
  let host: HostSpec;
  let friendBrowsers: FriendBrowsers;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    if (!Number.isInteger(FRIENDS) || FRIENDS < 1 || FRIENDS > 999) throw new Error('BENCH_FOOTPRINT_FRIENDS must be an integer from 1 to 999.');
    // The broker of this run only: every friend's account comes from this one address.
    process.env.REGISTER_RATE_LIMIT = String(FRIENDS + 10);
    [alice] = (await scene.start([[HOST, 'chromium']])) as [TestUser];
    popup = await alice.openPopup();
    await createAccount(popup, { handle: HOST, brokerUrl: scene.broker.url });
    await waitForConnection(popup, 'Online');
    for (let n = 1; n <= POSTS_PER_WALL; n++) await request(popup, 'host:post', { text: `Post ${n} of ${POSTS_PER_WALL} by @${HOST}, for every friend to sync.` });

    let started = Date.now();
    accounts = await createFriendAccounts(scene.broker.url, FRIENDS, HOST);
    timings.accountsMs = Date.now() - started;
    started = Date.now();
    const seeded = await seedFriendships(alice, accounts.map((account) => account.request));
    timings.befriendMs = Date.now() - started;
    if (seeded.pinned !== FRIENDS) throw new Error(`alice befriended ${seeded.pinned} of ${FRIENDS}: ${seeded.problems.slice(0, 5).join('; ')}`);
    host = { handle: HOST, publicKey: seeded.key, brokerUrl: scene.broker.url, posts: POSTS_PER_WALL };

    // Her peer host reads its friends when a session begins: a restart, as every morning.
    await alice.restart();
    popup = await alice.openPopup();
    await waitForConnection(popup, 'Online');
    await waitFor(async () => ((await friendPresence(popup)).friends === FRIENDS ? true : undefined), {
      timeoutMs: 30_000,
      describe: () => `alice's peer host does not list her ${FRIENDS} friends after the restart`,
    });
    friendBrowsers = await FriendBrowsers.start(new ConsoleLog(`${scene.artifactsDir}/friends-console.log`));
  }, 600_000);

  afterAll(async () => {
    await friendBrowsers?.dispose();
    await scene.dispose();
  });

  /** Closes alice's popup (its page would share the process), measures, and opens it again. */
  async function measure(): Promise<HostFootprint> {
    await alice.chromium.closeExtensionTabs();
    await sleep(2_000);
    const footprint = await measureHost(alice);
    popup = await alice.openPopup();
    return footprint;
  }

  /** Brings friends online until `online` are, and waits until each is connected to alice and synced both ways. */
  async function stage(online: number, from: number): Promise<Stage> {
    const capErrorsBefore = await peerConnectionCapErrors(alice);
    const samples: Stage['samples'] = [];
    const startedAt = Date.now();
    await friendBrowsers.add(accounts.slice(from, online).map((a) => a.spec), host);
    let seen = '';
    const synced = (r: FriendReport) => r.caughtUpAt !== null && r.heldByHost >= POSTS_PER_WALL;
    const complete = await waitFor(
      async () => {
        const [presence, reports] = await Promise.all([friendPresence(popup), friendBrowsers.reports()]);
        const done = reports.filter(synced).length;
        samples.push({ at: Date.now() - startedAt, online: presence.byPresence.online ?? 0, connecting: presence.byPresence.connecting ?? 0 });
        seen = `${JSON.stringify(presence.byPresence)}; ${done} of ${reports.length} friends synced both ways`;
        return (presence.byPresence.online ?? 0) >= online && done >= online ? true : undefined;
      },
      { timeoutMs: STAGE_TIMEOUT_MS, intervalMs: 1_000, describe: () => seen },
    ).catch((error: unknown) => {
      console.warn(`Stage of ${online} friends online: ${(error as Error).message}`);
      return false;
    });
    const settledAt = Date.now();
    console.log(`${online} friends online: ${seen} after ${((settledAt - startedAt) / 1000).toFixed(1)} s`);
    await sleep(SETTLE_MS);
    const capErrors = (await peerConnectionCapErrors(alice)) - capErrorsBefore;
    const footprint = await measure();
    const presence = (await friendPresence(popup)).byPresence;
    // The connection logs of the friends this stage brought online.
    const handles = accounts.slice(from, online).map((a) => a.spec.handle);
    const [stored, logs, friends] = [await friendsEntries(alice), await friendLogs(popup, handles, startedAt), await friendBrowsers.reports()];
    return { online, added: online - from, startedAt, settledAt, complete, footprint, presence, stored, logs, friends, samples, capErrors };
  }

  it(`measures alice's peer host with 0, ${STAGES.join(' and ')} friends online`, async () => {
    scene.screenshotOnFailure();
    await sleep(SETTLE_MS);
    const baseline = await measure();
    const stages: Stage[] = [];
    let from = 0;
    for (const online of STAGES) {
      stages.push(await stage(online, from));
      from = online;
    }

    const { rows, targets, notes } = footprintReport(baseline, stages, { targetMiB: TARGET_MIB, postsPerWall: POSTS_PER_WALL, stageTimeoutMs: STAGE_TIMEOUT_MS });
    publish({
      name: 'footprint',
      title: `Peer host footprint: alice's Chromium with ${FRIENDS} friends, 0 / ${STAGES.join(' / ')} of them online in helper pages, each with a wall of ${POSTS_PER_WALL} posts (issue 11, benchmark 6)`,
      rows,
      targets,
      notes: [
        ...notes,
        `Accounts for ${FRIENDS} friends in ${(timings.accountsMs! / 1000).toFixed(1)} s; befriending them in alice's content database ${(timings.befriendMs! / 1000).toFixed(1)} s.`,
      ],
      parameters: { friends: FRIENDS, stages: STAGES, postsPerWall: POSTS_PER_WALL, settleMs: SETTLE_MS, stageTimeoutMs: STAGE_TIMEOUT_MS },
      browsers: { chromium: chromiumVersion() },
      details: { baseline, stages, timings },
    });
    // The first stage must work end to end, or the figures measure a broken harness.
    expect(stages[0]!.complete, `all ${stages[0]!.online} friends connected and synced both ways`).toBe(true);
    expect(stages[0]!.stored, `entries of the first ${stages[0]!.online} friends' walls alice stored`).toBe(stages[0]!.online * POSTS_PER_WALL);
  });
});
