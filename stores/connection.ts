import { defineStore } from 'pinia';
import { ref } from 'vue';
import { browser } from 'wxt/browser';
import { PeerwallError } from '@/platform/errors';
import { createMessageListener } from '@/platform/message-router';
import { sendRequest } from '@/platform/message-client';
import type { ConnectionState, Credentials, HostState } from '@/platform/messages';
import type { SocialChange } from '@/platform/social/social-views';
import { useSessionStore } from './session';

/**
 * Mirrors the peer host's state: fetched on open, then kept current by `ui:host-state`
 * broadcasts. Actions go to the peer host; nothing here outlives the page.
 */
export const useConnectionStore = defineStore('connection', () => {
  const connection = ref<ConnectionState>('connecting');
  const notice = ref<string | null>(null);
  const hostError = ref<string | null>(null);
  const busy = ref(false);
  /** The last `ui:social-changed`; the friends and feed stores update what it names. */
  const socialChange = ref<SocialChange | null>(null);

  function apply(state: HostState): void {
    connection.value = state.connection;
    notice.value = state.notice;
  }

  async function fetchState(): Promise<HostState> {
    await sendRequest('bg:ensure-host');
    try {
      return await sendRequest('host:get-state');
    } catch {
      // The peer host may have been starting up; one more try before telling the person.
      await sendRequest('bg:ensure-host');
      return sendRequest('host:get-state');
    }
  }

  async function load(): Promise<void> {
    try {
      apply(await fetchState());
      hostError.value = null;
    } catch (error) {
      hostError.value = error instanceof PeerwallError ? error.message : 'Peerwall could not reach its peer.';
      connection.value = 'offline';
    }
  }

  browser.runtime.onMessage.addListener(
    createMessageListener({
      receiver: 'ui',
      handlers: {
        'ui:host-state': (state) => (apply(state), null),
        'ui:social-changed': (change) => ((socialChange.value = change), null),
      },
      extensionId: browser.runtime.id,
      extensionOrigin: browser.runtime.getURL('/'),
    }),
  );

  async function run(action: () => Promise<HostState>): Promise<void> {
    busy.value = true;
    try {
      apply(await action());
      await useSessionStore().load();
    } finally {
      busy.value = false;
    }
  }

  return {
    connection,
    notice,
    hostError,
    busy,
    socialChange,
    load,
    signIn: (credentials: Credentials) => run(() => sendRequest('host:sign-in', credentials)),
    createAccount: (credentials: Credentials) => run(() => sendRequest('host:create-account', credentials)),
    signOut: () => run(() => sendRequest('host:sign-out')),
    reconnect: () => run(() => sendRequest('host:reconnect')),
  };
});
