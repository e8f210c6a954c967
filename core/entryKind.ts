/** Entry kinds and their wire codes (docs/protocol.md §5.1). Codes are permanent. */
export const ENTRY_KINDS = {
  post: 1,
  wallPost: 2,
  comment: 3,
  like: 4,
  unlike: 5,
  edit: 6,
  delete: 7,
  profile: 8,
  rotate: 9,
  goodbye: 10,
} as const;

export type EntryKind = keyof typeof ENTRY_KINDS;

const BY_CODE = new Map<number, EntryKind>(
  (Object.entries(ENTRY_KINDS) as [EntryKind, number][]).map(([k, c]) => [c, k]),
);

export const kindFromCode = (code: number): EntryKind | undefined => BY_CODE.get(code);

/** Kinds only the wall's owner may author. */
export const OWNER_ONLY_KINDS: readonly EntryKind[] = ['post', 'profile', 'rotate', 'goodbye'];
/** Kinds that refer to an earlier entry through `target`. */
export const TARGETED_KINDS: readonly EntryKind[] = ['comment', 'like', 'unlike', 'edit', 'delete'];
/** Kinds whose content can be edited, liked and deleted. */
export const CONTENT_KINDS: readonly EntryKind[] = ['post', 'wallPost', 'comment'];
