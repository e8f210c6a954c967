import type { Replica } from '@/core/replica';
import type { SocialStore } from './social-store';

/**
 * Who is who to this account, held in memory for the checks that run on every message:
 * friends, blocked handles, and friends whose account is gone (their wall ended with a
 * goodbye). A cache of the content database, loaded once per session.
 */
export function createSocialCircle() {
  const friends = new Set<string>();
  const blocked = new Set<string>();
  const gone = new Set<string>();
  const problems: string[] = [];

  return {
    friends: friends as ReadonlySet<string>,
    blocked: blocked as ReadonlySet<string>,
    gone: gone as ReadonlySet<string>,
    async load(replica: Replica, store: SocialStore): Promise<void> {
      for (const friend of await replica.friends()) {
        friends.add(friend.handle);
        if ((await replica.wallState(friend.handle))?.closed) gone.add(friend.handle);
      }
      for (const handle of await store.blocked()) blocked.add(handle);
    },
    befriended: (handle: string) => void friends.add(handle),
    forgotten(handle: string): void {
      friends.delete(handle);
      gone.delete(handle);
    },
    setBlocked(handle: string, value: boolean): void {
      if (value) blocked.add(handle);
      else blocked.delete(handle);
    },
    markGone: (handle: string) => void gone.add(handle),
    /** A friend, not blocked, account not deleted: someone to sync with. */
    mayConnect: (handle: string): boolean => friends.has(handle) && !blocked.has(handle) && !gone.has(handle),
    /** Handles that may signal to us and handles whose relays the broker drops. */
    allowlist(): { handles: string[]; blocked: string[] } {
      return { handles: [...friends].filter((h) => !blocked.has(h)).sort(), blocked: [...blocked].sort() };
    },
    /** Sentences about failed relays and friends' problems, newest first (the last five). */
    problems: problems as readonly string[],
    addProblem(sentence: string): void {
      problems.unshift(sentence);
      problems.splice(5);
    },
  };
}

export type SocialCircle = ReturnType<typeof createSocialCircle>;
