import { defineStore, storeToRefs } from 'pinia';
import { computed, ref, watch } from 'vue';
import { PeerwallError } from '@/platform/errors';
import { sendRequest } from '@/platform/message-client';
import type { SocialState } from '@/platform/social/social-views';
import type { PhotoRequest } from '@/platform/social/staged-photo-check';
import { useConnectionStore } from './connection';

const EMPTY: SocialState = { friends: [], incoming: [], outgoing: [], blocked: [], problems: [], profiles: [], rejections: [], unfriendedBy: [] };

/** How long "Undo" stays offered after a block. */
export const UNDO_BLOCK_MS = 30_000;

/** Mirrors the peer host's friends and requests; reloads whenever the host says they changed. */
export const useFriendsStore = defineStore('friends', () => {
  const state = ref<SocialState>(EMPTY);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const busy = ref(false);

  async function load(): Promise<void> {
    try {
      state.value = await sendRequest('host:social-state');
      loaded.value = true;
      error.value = null;
    } catch (caught) {
      // Signed out or the host is starting: the next change notice loads again.
      if (!(caught instanceof PeerwallError && caught.code === 'signed_out')) {
        error.value = caught instanceof PeerwallError ? caught.message : 'Could not load your friends.';
      }
    }
  }

  const { socialChange } = storeToRefs(useConnectionStore());
  watch(socialChange, (change) => {
    if (change?.friends) void load();
  });

  /** Runs an action; its error is returned as a sentence for the form that started it. */
  async function act(action: () => Promise<SocialState>): Promise<string | null> {
    busy.value = true;
    try {
      state.value = await action();
      return null;
    } catch (caught) {
      return caught instanceof PeerwallError ? caught.message : 'Something went wrong. Try again.';
    } finally {
      busy.value = false;
    }
  }

  /**
   * The handle blocked last from this page, for an "Undo" that unblocks: page state on purpose, as an
   * undo is offered only right after the click (the block itself is in the peer host's storage).
   */
  const lastBlocked = ref<string | null>(null);
  let undoTimer: ReturnType<typeof setTimeout> | undefined;
  async function block(handle: string): Promise<string | null> {
    const problem = await act(() => sendRequest('host:block', { handle }));
    if (!problem) {
      lastBlocked.value = handle;
      clearTimeout(undoTimer);
      undoTimer = setTimeout(() => (lastBlocked.value = null), UNDO_BLOCK_MS);
    }
    return problem;
  }
  async function unblock(handle: string): Promise<string | null> {
    const problem = await act(() => sendRequest('host:unblock', { handle }));
    if (!problem && lastBlocked.value === handle) {
      lastBlocked.value = null;
      clearTimeout(undoTimer);
    }
    return problem;
  }

  /** Display names by handle, for everyone who published one (oneself and friends). */
  const names = computed(() => new Map(state.value.profiles.filter((p) => p.displayName.trim() !== '').map((p) => [p.handle, p.displayName])));
  const profileOf = (handle: string) => state.value.profiles.find((p) => p.handle === handle) ?? null;

  return {
    state,
    names,
    profileOf,
    loaded,
    error,
    busy,
    load,
    addFriend: (handle: string) => act(() => sendRequest('host:add-friend', { handle })),
    answer: (handle: string, accept: boolean) => act(() => sendRequest('host:answer-request', { handle, accept })),
    cancelRequest: (handle: string) => act(() => sendRequest('host:cancel-request', { handle })),
    dismissUnfriended: (handle: string) => act(() => sendRequest('host:dismiss-unfriended', { handle })),
    dismissForkNotice: () => act(() => sendRequest('host:dismiss-fork-notice')),
    unfriend: (handle: string) => act(() => sendRequest('host:unfriend', { handle })),
    acceptKeyChange: (handle: string) => act(() => sendRequest('host:accept-key-change', { handle })),
    ignoreKeyChange: (handle: string) => act(() => sendRequest('host:ignore-key-change', { handle })),
    /** After a sign-in without the key: asks these friends to restore one's wall (§8). */
    recoverFromFriends: (handles: string[]) => act(() => sendRequest('host:recover-from-friends', { handles })),
    skipRecovery: () => act(() => sendRequest('host:skip-recovery')),
    lastBlocked,
    dismissUndo: () => void (lastBlocked.value = null),
    block,
    unblock,
    /** `picture`: absent keeps the published one, null removes it, else the staged files of a new one. */
    saveProfile: (displayName: string, about: string, picture?: PhotoRequest | null) =>
      act(() => sendRequest('host:set-profile', { displayName, about, ...(picture === undefined ? {} : { picture }) })),
    dismissRejection: (id: string) => act(() => sendRequest('host:dismiss-rejection', { id })),
  };
});
