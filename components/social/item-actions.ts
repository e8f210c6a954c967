/** What a post's or comment's menu offers, and where its inline editor and delete confirmation are. */
export type ItemMode = 'closed' | 'menu' | 'editing' | 'confirming';
export type ItemEvent = 'toggle' | 'edit' | 'delete' | 'cancel';

export interface ItemActionsAllowed {
  edit: boolean;
  remove: boolean;
}

/**
 * Only the author edits (and only text that arrived); the author or the owner of the wall the item
 * is on deletes. Nobody signed in: nothing.
 */
export function allowedActions(item: { author: string; wall: string; hasText: boolean }, me: string | null): ItemActionsAllowed {
  if (me === null) return { edit: false, remove: false };
  return { edit: item.author === me && item.hasText, remove: item.author === me || item.wall === me };
}

/** The menu opens and closes; Edit and Delete leave it for their inline form, when allowed. */
export function nextItemMode(mode: ItemMode, event: ItemEvent, allowed: ItemActionsAllowed): ItemMode {
  switch (event) {
    case 'toggle':
      return mode === 'menu' ? 'closed' : allowed.edit || allowed.remove ? 'menu' : 'closed';
    case 'edit':
      return mode === 'menu' && allowed.edit ? 'editing' : mode;
    case 'delete':
      return mode === 'menu' && allowed.remove ? 'confirming' : mode;
    case 'cancel':
      return 'closed';
  }
}
