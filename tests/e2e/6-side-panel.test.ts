import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, showsSignInForm, waitForConnection } from './support/flows';
import { goTo } from './support/places';
import { Scene } from './support/scene';
import type { TestUser } from './support/test-user';

// On Firefox the same page is the sidebar.
describe.each(['chromium', 'firefox'] as const)('scenario 6: side panel, %s', (browserKind) => {
  const scene = new Scene(`6-side-panel-${browserKind}`);
  let alice: TestUser;
  let popup: ExtensionPage;
  let sidePanel: ExtensionPage;

  beforeAll(async () => {
    [alice] = (await scene.start([['alice', browserKind]])) as [TestUser];
  });
  afterAll(() => scene.dispose());

  it('the side panel page shows the same signed-in state as the popup', async () => {
    scene.screenshotOnFailure();
    popup = await alice.openPopup();
    await createAccount(popup, { handle: 'alice', brokerUrl: scene.broker.url });
    await waitForConnection(popup, 'Online');
    expect(await popup.hasButton('Open side panel')).toBe(true);

    sidePanel = await alice.openSidePanel();
    await waitForConnection(sidePanel, 'Online', 10_000);
    await scene.screenshotAll('signed-in');
    expect(await sidePanel.visibleText()).toContain('alice');
    await goTo(sidePanel, 'Settings');
    expect(await sidePanel.hasButton('Sign out')).toBe(true);
    expect(await showsSignInForm(sidePanel)).toBe(false);
    expect(await sidePanel.statusTexts()).toEqual(await popup.statusTexts());
  });

  it('signing out in the side panel signs the open popup out too', async () => {
    scene.screenshotOnFailure();
    await sidePanel.click('Sign out');
    await expect.poll(() => showsSignInForm(sidePanel), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => showsSignInForm(popup), { timeout: 10_000 }).toBe(true);
    await scene.screenshotAll('signed-out');
  });
});
