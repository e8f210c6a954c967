import { browser } from 'wxt/browser';

const MENU_ID = 'peerwall-open-side-panel';

interface FirefoxSidebar {
  sidebarAction?: { open(): Promise<void> };
}

/**
 * Opens the side panel (Chrome) or sidebar (Firefox). Both need a user gesture, so call it
 * synchronously from the click handler, with the window id looked up beforehand.
 */
export function openSidePanel(windowId: number | undefined): Promise<void> {
  if (import.meta.env.FIREFOX) {
    const sidebar = (browser as unknown as FirefoxSidebar).sidebarAction;
    return sidebar ? sidebar.open() : Promise.resolve();
  }
  if (windowId === undefined) return Promise.reject(new Error('No window to open the side panel in.'));
  return browser.sidePanel.open({ windowId });
}

/** The toolbar button's context-menu entry “Open side panel”. */
export function registerSidePanelMenu(): void {
  void browser.contextMenus.removeAll().then(() => {
    browser.contextMenus.create({
      id: MENU_ID,
      title: 'Open side panel',
      contexts: [import.meta.env.FIREFOX ? 'browser_action' : 'action'],
    });
  });
  browser.contextMenus.onClicked.addListener((info, tab) => {
    if (info.menuItemId === MENU_ID) void openSidePanel(tab?.windowId).catch(() => undefined);
  });
}
