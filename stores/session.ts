import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { DEFAULT_BROKER_URL } from '@/platform/defaults';
import { parseSession } from '@/platform/session';
import { loadSession, sessionItem, settingsItem } from '@/platform/storage-items';

/**
 * Mirrors the session in `storage.local` (written only by the peer host). Holds no token,
 * only what pages show: the handle and whether the handle is signed in elsewhere.
 */
export const useSessionStore = defineStore('session', () => {
  const handle = ref<string | null>(null);
  const displaced = ref(false);
  const lastBrokerUrl = ref<string | null>(null);
  const loaded = ref(false);

  function apply(value: unknown): void {
    const session = parseSession(value);
    handle.value = session?.handle ?? null;
    displaced.value = session?.displaced ?? false;
  }

  async function load(): Promise<void> {
    const [session, settings] = await Promise.all([loadSession(), settingsItem.getValue()]);
    apply(session);
    lastBrokerUrl.value = settings.brokerUrl;
    loaded.value = true;
  }

  sessionItem.watch((value) => apply(value));
  settingsItem.watch((value) => (lastBrokerUrl.value = value.brokerUrl));

  const signedIn = computed(() => handle.value !== null);
  const brokerUrlDefault = computed(() => lastBrokerUrl.value ?? DEFAULT_BROKER_URL);
  /** Every sign-in saves its Broker URL, so one is remembered once this browser has signed in. */
  const signedInBefore = computed(() => lastBrokerUrl.value !== null);

  return { handle, displaced, loaded, signedIn, brokerUrlDefault, signedInBefore, load };
});
