import { contentDbName, openContentDb, type ContentDb } from './content-db';
import type { ContactStore } from './peer-host/peer-host';

/** Contacts in each handle's content database; only the peer host calls this. */
export function createIdbContactStore(now: () => number = Date.now): ContactStore {
  const open = new Map<string, Promise<ContentDb>>();
  const db = (handle: string): Promise<ContentDb> => {
    let pending = open.get(handle);
    if (!pending) {
      pending = openContentDb(contentDbName(handle));
      open.set(handle, pending);
      pending.catch(() => open.delete(handle));
    }
    return pending;
  };
  return {
    async load(handle) {
      return (await (await db(handle)).getAllKeys('contacts')).sort();
    },
    async save(handle, handles) {
      const tx = (await db(handle)).transaction('contacts', 'readwrite');
      const existing = new Set(await tx.store.getAllKeys());
      const wanted = new Set(handles);
      for (const key of existing) if (!wanted.has(key)) await tx.store.delete(key);
      for (const handle of wanted) if (!existing.has(handle)) await tx.store.put({ handle, addedAt: now() });
      await tx.done;
    },
  };
}
