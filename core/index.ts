/**
 * The pure core of Peerwall (docs/protocol.md): identity, signed wall logs, sync. No browser,
 * DOM, PeerJS or Node APIs; randomness, clock, storage and transport are passed in.
 */
export { type Result } from './result';
export { LIMITS } from './limits';
export { parseHandle, isCanonicalHandle, HANDLE_RULE } from './handle';
export { type Identity, type RandomBytes, createIdentity } from './identity';
export { type RotationStatement, verifyRotationChain } from './rotation';
export { exportIdentity, importIdentity, MIN_PASSPHRASE_CHARS } from './identityExport';
export { type EntryKind } from './entryKind';
export type { EntryBody, PostBody, CommentBody, ProfileBody, GoodbyeBody } from './body';
export { type EntryHeader, type SignedEntry, entryId } from './entry';
export type { SealedEntry } from './seal';
export { type MediaRef, type MediaType, MEDIA_TYPES, mediaRefFor, verifyMediaChunk } from './media';
export type { Photo } from './photo';
export { type MediaStore, type MediaUse, type WantedFile, createMemoryMediaStore } from './mediaStore';
export type { MediaDeps, MediaEvent } from './syncMedia';
export { type Draft, type WriteDeps, writeOwnEntry, rotateKey, queueForFriend, acceptSubmission } from './author';
export { planIngest } from './ingest';
export { type KnownAuthors, knownAuthors, checkAuthor } from './knownAuthors';
export type { Replica, WallState, StoredEntry, WallWrite, FriendRecord, OutboxItem } from './replica';
export { createMemoryReplica } from './memoryReplica';
export { buildWallView, type WallView, type PostView, type CommentView } from './wallView';
export { type PeerMessage, type ErrorCode, PROTOCOL_VERSIONS, MEDIA_VERSION, encodeMessage, decodeMessage } from './messages';
export { safetyNumber } from './safetyNumber';
export { type Transport, createMemoryTransportPair } from './transport';
export { type SyncSession, type SyncSessionDeps, type SyncEvent, createSyncSession } from './syncSession';
export { type RelayMessage, type RelayType, createRelayMessage, parseRelayMessage } from './relayMessage';
export { pinFriend, unfriend, isPinnedSender, acceptKeyChange } from './friendship';
