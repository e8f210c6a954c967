import { viewOfFeedPort } from '../messages';
import type { SenderLike } from '../message-router';

/** The part of a `runtime.Port` the background uses. */
export interface FeedPortLike {
  name: string;
  sender?: SenderLike;
  onDisconnect: { addListener(listener: () => void): void };
  disconnect(): void;
}

export interface FeedPortDeps {
  /** Whether a port comes from one of our own pages (never a web page or another extension). */
  isOwn(sender: SenderLike): boolean;
  /** A feed became visible: nothing is unseen any more. */
  seen(): void;
  /** A page stopped showing the feed view `view` at `at`. */
  looked(view: string, at: number): void;
  now(): number;
}

/**
 * Tracks the pages showing a feed (see `FEED_PORT`). Works alike with Chrome's service worker and
 * Firefox's persistent background page: a closed popup or side panel disconnects its port in both, and a
 * page whose port drops because the service worker stopped connects again (waking it).
 */
export function watchFeedPorts(deps: FeedPortDeps) {
  const open = new Set<FeedPortLike>();

  function onConnect(port: FeedPortLike): void {
    const feed = viewOfFeedPort(port.name);
    if (!feed) return;
    if (!port.sender || !deps.isOwn(port.sender)) {
      port.disconnect();
      return;
    }
    open.add(port);
    deps.seen();
    port.onDisconnect.addListener(() => {
      open.delete(port);
      if (feed.view !== null) deps.looked(feed.view, deps.now());
    });
  }

  return { onConnect, isOpen: () => open.size > 0 };
}
