/**
 * What the browser benchmarks share: alice and bob on Chromium with the built extension, accounts created
 * through their popups, befriended and connected; and the facts each benchmark reports about them.
 */
import { spawnSync } from 'node:child_process';
import { chromiumPath } from '../../tests/e2e/support/browser-binaries';
import type { ExtensionPage } from '../../tests/e2e/support/extension-page';
import { createAccount, request, waitForConnection } from '../../tests/e2e/support/flows';
import type { Scene } from '../../tests/e2e/support/scene';
import { befriend, evaluateInOffscreen } from '../../tests/e2e/support/social';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { waitFor } from '../../tests/e2e/support/wait';

/** What `page`'s peer host says about `friend` (`online` once a sync connection is ready). */
export async function presence(page: ExtensionPage, friend: string): Promise<string | undefined> {
  const state = (await request(page, 'host:social-state').catch(() => null)) as { friends: Array<{ handle: string; presence: string }> } | null;
  return state?.friends.find((f) => f.handle === friend)?.presence;
}

export function chromiumVersion(): string {
  const run = spawnSync(chromiumPath(), ['--version'], { encoding: 'utf8' });
  return run.stdout.trim() || 'unknown';
}

/**
 * Starts alice and bob on Chromium in `scene`, creates their accounts in their popups, befriends them and
 * waits until each lists the other online (their sync connection is ready). Both popups stay open.
 */
export async function startConnectedPair(scene: Scene): Promise<{ alice: TestUser; bob: TestUser; popups: [ExtensionPage, ExtensionPage] }> {
  const [alice, bob] = (await scene.start([
    ['alice', 'chromium'],
    ['bob', 'chromium'],
  ])) as [TestUser, TestUser];
  const popups = (await Promise.all([alice.openPopup(), bob.openPopup()])) as [ExtensionPage, ExtensionPage];
  for (const [user, popup] of [[alice, popups[0]], [bob, popups[1]]] as const) {
    await createAccount(popup, { handle: user.name, brokerUrl: scene.broker.url });
  }
  await Promise.all(popups.map((popup) => waitForConnection(popup, 'Online')));
  await befriend(popups[0], 'alice', popups[1], 'bob');
  await waitFor(async () => ((await presence(popups[0], 'bob')) === 'online' && (await presence(popups[1], 'alice')) === 'online' ? true : undefined), {
    timeoutMs: 45_000,
    describe: () => 'alice and bob are not connected 45 s after befriending',
  });
  return { alice, bob, popups };
}

/**
 * Runs one IndexedDB request over the entries of `wall` in `user`'s content database, in the offscreen
 * document: `count` or `getAll`; `mapResult` (JavaScript over `result`) shapes what comes back.
 */
export function queryEntries<T>(user: TestUser, wall: string, method: 'count' | 'getAll', mapResult = 'result'): Promise<T> {
  const range = `IDBKeyRange.bound([${JSON.stringify(wall)}, 0], [${JSON.stringify(wall)}, Infinity])`;
  return evaluateInOffscreen<T>(
    user,
    `new Promise((resolve, reject) => {
      const open = indexedDB.open(${JSON.stringify(`peerwall-${user.name}`)});
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const query = db.transaction('entries').objectStore('entries').${method}(${range});
        query.onerror = () => reject(query.error);
        query.onsuccess = () => {
          db.close();
          const result = query.result;
          resolve(${mapResult});
        };
      };
    })`,
  );
}
