/** How to pin Peerwall's toolbar button, in each browser's own words for its menus. */
export function pinIconHint(browser: 'chrome' | 'firefox'): string {
  return browser === 'firefox'
    ? 'Pin Peerwall so it is one click away: click the Extensions button (the puzzle piece) in the toolbar, open the menu beside Peerwall and choose Pin to Toolbar.'
    : 'Pin Peerwall so it is one click away: click the Extensions menu (the puzzle piece) in the toolbar, then the pin beside Peerwall.';
}
