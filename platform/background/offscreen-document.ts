import { browser } from 'wxt/browser';

const OFFSCREEN_PATH = '/offscreen.html';
let creating: Promise<void> | null = null;

/**
 * Makes sure the offscreen document that hosts the peer exists (Chrome only). Returns
 * true when this call created it. Concurrent callers share one creation.
 */
export async function ensureOffscreenDocument(): Promise<boolean> {
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  const existing = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  if (existing.length > 0) return false;
  if (creating) {
    await creating;
    return false;
  }
  creating = browser.offscreen.createDocument({
    url: OFFSCREEN_PATH,
    reasons: ['WEB_RTC'],
    justification: 'Keeps your Peerwall peer online over WebRTC so friends can reach you while you browse.',
  });
  try {
    await creating;
  } catch (error) {
    // Another caller (onStartup and the worker's first run race) created it in the meantime.
    if (error instanceof Error && /single offscreen/i.test(error.message)) return false;
    throw error;
  } finally {
    creating = null;
  }
  return true;
}
