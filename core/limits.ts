/** Every size limit of docs/protocol.md §9. Encoders refuse to exceed them; decoders reject. */
export const LIMITS = {
  /** One data-channel frame (one protocol message). */
  frameBytes: 256 * 1024,
  /** Entries in one `batch` and the largest `want.max` a peer may ask for, in versions 1 and 2. */
  batchEntries: 64,
  /**
   * The same in version 3, where a batch fills its frame: the smallest sealed entry takes about 300
   * bytes, so this bound never cuts a full frame short.
   */
  byteBatchEntries: 1024,
  /** Entries in one `submit`. */
  submitEntries: 16,
  /** An entry body, encoded. */
  bodyBytes: 96 * 1024,
  /** Post / wall-post text, in Unicode code points (UTF-8 at most 4× that in bytes). */
  postChars: 10_000,
  commentChars: 2_000,
  displayNameChars: 64,
  aboutChars: 500,
  goodbyeChars: 500,
  /** Images per post. */
  mediaPerPost: 4,
  mediaBytes: 16 * 1024 * 1024,
  mediaChunkBytes: 64 * 1024,
  mediaTypeChars: 32,
  /** A photo's thumbnail (version 4): one chunk, so it arrives with one request. */
  thumbnailBytes: 64 * 1024,
  /** A photo's alt text ("Describe this photo"), in code points. */
  altChars: 1_500,
  /** Chunks one side may have asked a friend for and not received yet (version 4): 1 MiB in flight. */
  mediaChunksInFlight: 16,
  /**
   * The same from version 5, and the largest `fetch.count`: 4 MiB in flight, so the two sides' storage and
   * the link overlap instead of waiting on each other across a 1 MiB window (`npm run bench:media`).
   */
  wideMediaChunksInFlight: 64,
  /** `fetch` frames one side may send in a second; an honest puller sends about 2 per MiB. */
  mediaFetchesPerSecond: 128,
  /** Rotation statements in one identity's history (and in `hello`). */
  rotations: 32,
  /** DTLS fingerprint strings passed to the handshake. */
  fingerprintChars: 256,
  /** `error` frame code and message. */
  errorCodeChars: 32,
  errorMessageChars: 500,
  /** Rejection reasons in `submitted`. */
  reasonChars: 200,
  /** Handles on the wire (the handle rule allows 15; the byte cap bounds decoding first). */
  handleBytes: 15,
  /** Supported versions listed in `hello`. */
  helloVersions: 16,
  /** Optional note on a friend request. */
  friendNoteChars: 280,
  /** A reader pass lasts at most this long (docs/protocol.md §7.5): an ex-friend's old pass dies by then. */
  passLifetimeMs: 7 * 24 * 3600_000,
  /** An owner gives a friend a fresh pass once the one it gave is this old. */
  passRenewMs: 24 * 3600_000,
  /** Clock difference tolerated when checking a pass or a revocation list's times. */
  clockSkewMs: 3600_000,
  /** Passes in one `heads` and walls in one `holds`. */
  headsPerFrame: 64,
  /** Passes revoked in one list (those not yet expired). */
  revokedPasses: 1024,
  /** How far ahead of the receiver's clock a revocation list may be dated. */
  revocationsAheadMs: 24 * 3600_000,
  /** Submissions one side carries: per author (over all walls), and in all. Older ones than a pass lives are dropped. */
  carriedPerAuthor: 32,
  carriedTotal: 512,
  carriedBytes: 8 * 1024 * 1024,
  /** Friends one may ask to recover one's wall from (version 5, §8). */
  recoveryFriends: 8,
  /** How long a recovery waits for more copies after the first complete one. */
  recoveryWaitMs: 2 * 60_000,
  /** A candidate copy of one's own wall, held in memory while recovering it (§8 step 3). */
  recoveryCopyEntries: 100_000,
  recoveryCopyBytes: 32 * 1024 * 1024,
  /** Fork statements kept per wall, and `forked` frames a reader takes in answer to one `fork` (§8 Forks). */
  forkStatements: 8,
  /** Forks of one's own wall remembered as settled (answered or unrepairable), the newest (§8 Forks). */
  settledForks: 64,
} as const;
