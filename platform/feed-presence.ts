import { feedPortName } from './messages';

/** The part of a `runtime.Port` a page uses. */
export interface PagePortLike {
  onDisconnect: { addListener(listener: () => void): void };
  disconnect(): void;
}

export interface FeedPresenceDeps {
  /** `browser.runtime.connect({ name })`. */
  connect(name: string): PagePortLike;
  document: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
  /** Waits before connecting again after the background dropped the port (its service worker stopped). */
  retry(reconnect: () => void): void;
  /** The page became visible again after being hidden (the background has recorded when it was last seen). */
  onShownAgain?(): void;
}

/**
 * Holds a feed port (`FEED_PORT`) to the background while the page is visible and shows a feed view,
 * so that the badge stops counting and, when it goes, "last looked" is recorded for that view.
 */
export function holdFeedOpen(deps: FeedPresenceDeps) {
  /** The view shown: a `feedViewKey`, null for an unnamed one; undefined before `show`. */
  let view: string | null | undefined;
  let port: PagePortLike | null = null;
  let hidden = false;

  function connect(): void {
    if (port || view === undefined || deps.document.visibilityState !== 'visible') return;
    const opened = deps.connect(feedPortName(view));
    port = opened;
    opened.onDisconnect.addListener(() => {
      if (port !== opened) return;
      port = null;
      deps.retry(connect);
    });
  }

  function disconnect(): void {
    const closing = port;
    port = null;
    closing?.disconnect();
  }

  function onVisibility(): void {
    if (deps.document.visibilityState === 'visible') {
      connect();
      if (hidden) deps.onShownAgain?.();
      hidden = false;
    } else {
      hidden = true;
      disconnect();
    }
  }
  deps.document.addEventListener('visibilitychange', onVisibility);

  return {
    /** The page now shows `next` (a `feedViewKey`, or null for a view without one). */
    show(next: string | null): void {
      if (next === view) return;
      view = next;
      disconnect();
      connect();
    },
    stop(): void {
      deps.document.removeEventListener('visibilitychange', onVisibility);
      view = undefined;
      disconnect();
    },
  };
}
