export interface Account {
  handle: string;
  passwordHash: string;
  tokenVersion: number;
  createdAt: number;
  retiredAt: number | null;
}

/**
 * Where accounts live: SQLite (broker/sqlite-accounts.ts, the embedded default) or PostgreSQL
 * (broker/postgres/accounts.ts, when DATABASE_URL is set). Both behave the same; tests run one
 * suite over both. A store that cannot reach its database rejects with StorageUnavailableError.
 */
export interface AccountStore {
  find(handle: string): Promise<Account | undefined>;
  /** False when the handle exists already (active or retired); of concurrent creations of one handle exactly one is true. */
  create(handle: string, passwordHash: string): Promise<boolean>;
  /**
   * Compare-and-set: stores the new hash and bumps the token version only while the version is still
   * `expectedVersion` (the one whose password the request verified). Returns the new version, or
   * undefined for a missing or retired account or a version that moved on (another change won).
   */
  changePassword(handle: string, passwordHash: string, expectedVersion: number): Promise<number | undefined>;
  /**
   * Retires the handle for good, while its version is still `expectedVersion`: the hash is dropped and
   * every token stops working. False when it was missing, retired or changed meanwhile.
   */
  retire(handle: string, expectedVersion: number): Promise<boolean>;
  /** Resolves when the database answers a trivial query (GET /health); rejects when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
