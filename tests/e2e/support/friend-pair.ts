import type { ExtensionPage } from './extension-page';
import { createAccount, waitForConnection } from './flows';
import type { Scene } from './scene';
import { befriend, waitForFriendPresence } from './social';
import type { TestUser } from './test-user';

export interface FriendPair {
  alice: TestUser;
  bob: TestUser;
  alicePopup: ExtensionPage;
  bobPopup: ExtensionPage;
}

/**
 * alice and bob in Chromium: their popups open, accounts created, both Online, befriended through the UI
 * and each showing the other Online — the start of a scenario about two friends.
 */
export async function startFriendPair(scene: Scene): Promise<FriendPair> {
  const [alice, bob] = (await scene.start([
    ['alice', 'chromium'],
    ['bob', 'chromium'],
  ])) as [TestUser, TestUser];
  const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  for (const [user, popup] of [[alice, alicePopup], [bob, bobPopup]] as const) {
    await createAccount(popup, { handle: user.name, brokerUrl: scene.broker.url });
  }
  await Promise.all([alicePopup, bobPopup].map((popup) => waitForConnection(popup, 'Online')));
  await befriend(alicePopup, 'alice', bobPopup, 'bob');
  await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);
  return { alice, bob, alicePopup, bobPopup };
}
