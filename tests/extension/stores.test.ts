import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { HostState } from '@/platform/messages';
import { saveSession } from '@/platform/storage-items';
import { useConnectionStore } from '@/stores/connection';
import { useSessionStore } from '@/stores/session';
import { flush } from './support/fake-time';

const SESSION = {
  handle: 'alice',
  token: 'secret-token',
  expiresAt: 2_000_000_000_000,
  obtainedAt: 1_900_000_000_000,
  brokerUrl: 'https://broker.example.com',
  displaced: false,
};

const STATE: HostState = { handle: 'alice', connection: 'online', brokerUrl: SESSION.brokerUrl, notice: null };

/** Plays background + peer host for the page: answers requests with `{ ok, value }` envelopes. */
function answerAs(values: Record<string, unknown>): string[] {
  const seen: string[] = [];
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { type } = message as { type: string };
    seen.push(type);
    return Promise.resolve(type in values ? { ok: true, value: values[type] } : undefined);
  });
  return seen;
}

describe('page stores', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    setActivePinia(createPinia());
  });

  describe('session store', () => {
    it('shows the stored handle and never holds the token', async () => {
      await saveSession(SESSION);
      const store = useSessionStore();

      await store.load();

      expect(store.signedIn).toBe(true);
      expect(store.handle).toBe('alice');
      expect(JSON.stringify(store.$state)).not.toContain('secret-token');
    });

    it('follows sign-in and sign-out made elsewhere (the peer host writes storage)', async () => {
      const store = useSessionStore();
      await store.load();
      expect(store.signedIn).toBe(false);

      await saveSession(SESSION);
      await flush();
      expect(store.handle).toBe('alice');

      await saveSession({ ...SESSION, displaced: true });
      await flush();
      expect(store.displaced).toBe(true);

      await saveSession(null);
      await flush();
      expect(store.signedIn).toBe(false);
    });

    it('prefills the build-time Broker URL, then the one last used', async () => {
      const store = useSessionStore();
      await store.load();
      expect(store.brokerUrlDefault).toBe('http://localhost:9000');

      await saveSession(SESSION);
      await flush();
      expect(store.brokerUrlDefault).toBe('https://broker.example.com');
    });

    it('remembers that this browser has signed in before, even after signing out', async () => {
      const store = useSessionStore();
      await store.load();
      expect(store.signedInBefore).toBe(false);

      await saveSession(SESSION);
      await saveSession(null);
      await flush();

      expect(store.signedIn).toBe(false);
      expect(store.signedInBefore).toBe(true);
    });
  });

  describe('connection store', () => {
    it('makes sure the peer host runs, then shows its state', async () => {
      const seen = answerAs({ 'bg:ensure-host': { created: false }, 'host:get-state': STATE });
      const store = useConnectionStore();

      await store.load();

      expect(seen).toEqual(['bg:ensure-host', 'host:get-state']);
      expect(store.connection).toBe('online');
      expect(store.hostError).toBeNull();
    });

    it('says so when the peer host cannot be reached', async () => {
      const store = useConnectionStore();

      await store.load();

      expect(store.connection).toBe('offline');
      expect(store.hostError).toMatch(/did not answer/);
    });

    it('follows state broadcasts from our own extension only', async () => {
      const store = useConnectionStore();
      const own = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/offscreen.html') };
      const stranger = { id: 'other-extension', url: 'chrome-extension://other-extension/x.html' };
      const reply = () => undefined;
      // The fake's trigger is typed without sendResponse; the real event passes it.
      const deliver = fakeBrowser.runtime.onMessage.trigger as (...args: unknown[]) => Promise<unknown>;

      await deliver({ type: 'ui:host-state', payload: { ...STATE, connection: 'signed_in_elsewhere' } }, stranger, reply);
      await flush();
      expect(store.connection).toBe('connecting');

      await deliver({ type: 'ui:host-state', payload: { ...STATE, connection: 'offline', notice: 'Cannot reach the broker.' } }, own, reply);
      await flush();
      expect(store.connection).toBe('offline');
      expect(store.notice).toBe('Cannot reach the broker.');
    });
  });
});
