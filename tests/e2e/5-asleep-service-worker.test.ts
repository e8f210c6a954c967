import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, waitForConnection } from './support/flows';
import { Scene } from './support/scene';
import { befriend, waitForFriendPresence, waitForPost, writePost } from './support/social';
import type { TestUser } from './support/test-user';
import { sleep } from './support/wait';

// Three minutes, as the issue asks; PEERWALL_E2E_IDLE_SECONDS shortens it while working on the harness.
const IDLE_MS = Number(process.env.PEERWALL_E2E_IDLE_SECONDS ?? 180) * 1000;

describe('scenario 5: Chromium user with no extension page open', () => {
  const scene = new Scene('5-asleep-service-worker');
  let sam: TestUser; // the Chromium user who closes every Peerwall page
  let cora: TestUser; // reaches Sam from Chromium
  let finn: TestUser; // reaches Sam from Firefox

  beforeAll(async () => {
    [sam, cora, finn] = (await scene.start([
      ['sam', 'chromium'],
      ['cora', 'chromium'],
      ['finn', 'firefox'],
    ])) as [TestUser, TestUser, TestUser];
  });
  afterAll(() => scene.dispose());

  it(
    'after 3 minutes with no extension page open, the user is reachable from Chromium and Firefox and the popup shows Online',
    async () => {
      scene.screenshotOnFailure();
      const popups = await Promise.all([sam.openPopup(), cora.openPopup(), finn.openPopup()]);
      const [samPopup, coraPopup, finnPopup] = popups;
      await createAccount(samPopup, { handle: 'sam', brokerUrl: scene.broker.url });
      await createAccount(coraPopup, { handle: 'cora', brokerUrl: scene.broker.url });
      await createAccount(finnPopup, { handle: 'finn', brokerUrl: scene.broker.url });
      await Promise.all(popups.map((popup) => waitForConnection(popup, 'Online')));
      await befriend(coraPopup, 'cora', samPopup, 'sam');
      await befriend(finnPopup, 'finn', samPopup, 'sam');
      await Promise.all([waitForFriendPresence(coraPopup, 'sam', 'Online'), waitForFriendPresence(finnPopup, 'sam', 'Online')]);

      // cora and finn close their browsers: Sam's peer host drops their data connections, so reaching
      // Sam later takes new ones.
      await Promise.all([cora.quit(), finn.quit()]);
      await Promise.all([waitForFriendPresence(samPopup, 'cora', 'Offline'), waitForFriendPresence(samPopup, 'finn', 'Offline')]);

      // Close every Peerwall page and drop Playwright's DevTools connection to Sam's browser: an attached
      // DevTools client keeps a service worker from ever going idle.
      await sam.chromium.detach();

      const workerUrl = `chrome-extension://${sam.chromium.extensionId}/`;
      const workerRunning = async (): Promise<boolean> =>
        (await sam.chromium.runningTargets()).some((t) => t.type === 'service_worker' && t.url.startsWith(workerUrl));
      let workerStoppedAfterMs: number | undefined;
      const idleStart = Date.now();
      while (Date.now() - idleStart < IDLE_MS) {
        await sleep(Math.min(10_000, IDLE_MS - (Date.now() - idleStart)));
        if (workerStoppedAfterMs === undefined && !(await workerRunning())) workerStoppedAfterMs = Date.now() - idleStart;
      }
      const targets = await sam.chromium.runningTargets();
      const asleep = !(await workerRunning());
      console.info(
        `Sam's service worker after ${IDLE_MS / 1000} s idle: ${asleep ? 'asleep' : 'RUNNING'}` +
          (workerStoppedAfterMs === undefined ? '' : ` (first seen stopped after ~${Math.round(workerStoppedAfterMs / 1000)} s)`) +
          `; Sam's running targets: ${targets.map((t) => `${t.type} ${t.url}`).join(', ')}`,
      );
      const openPeerwallPages = targets.filter((t) => t.type === 'page' && /\/(popup|sidepanel|welcome)\.html/.test(t.url));
      expect(openPeerwallPages, 'no Peerwall page may be open in Sam’s browser while it idles').toEqual([]);
      // The premise: the worker really went to sleep at some point (it may wake briefly for its own events).
      expect(workerStoppedAfterMs, 'Sam’s service worker never went idle during the wait').toBeDefined();

      // cora and finn come back; their relaunched peer hosts show Sam Online only once a new sync
      // connection with Sam's peer host is ready (the smaller handle dials: both dial Sam).
      await Promise.all([cora.launch(), finn.launch()]);
      const coraPopupLater = await cora.openPopup();
      await waitForFriendPresence(coraPopupLater, 'sam', 'Online', 45_000);
      console.info(`Sam's service worker when cora's connection was ready: ${(await workerRunning()) ? 'running' : 'asleep'}`);
      await writePost(coraPopupLater, 'cora reached sam while his pages were closed');
      const finnPopupLater = await finn.openPopup();
      await waitForFriendPresence(finnPopupLater, 'sam', 'Online', 45_000);
      await writePost(finnPopupLater, 'finn reached sam from Firefox');

      await sam.chromium.attach();
      const samPopupLater = await sam.openPopup();
      await waitForConnection(samPopupLater, 'Online', 15_000);
      await waitForPost(samPopupLater, 'cora', 'cora reached sam while his pages were closed', 20_000);
      await waitForPost(samPopupLater, 'finn', 'finn reached sam from Firefox', 20_000);
      await scene.screenshotAll('after-idle');
    },
    IDLE_MS + 240_000,
  );
});
