import pg from 'pg';
import { StorageUnavailableError } from '../errors';
import { redactDatabaseUrl } from '../redact';

/** What the store logs through (a pino logger fits). */
export interface StorageLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface PostgresOptions {
  url: string;
  /** Connections this broker node may hold open. */
  poolSize: number;
  log: StorageLog;
}

/** A statement that runs longer is cancelled by PostgreSQL; every account statement takes milliseconds. */
export const STATEMENT_TIMEOUT_MS = 5_000;
/** Waiting for a connection (PostgreSQL down or every pooled connection busy) ends after this. */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface Postgres {
  /** Runs one statement; a database that cannot be reached becomes StorageUnavailableError. */
  query<Row extends object>(text: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
  /** A dedicated connection for work that spans statements (migrations); released by `done`. */
  connect(): Promise<pg.PoolClient>;
  close(): Promise<void>;
}

/**
 * A bounded pool of connections. While PostgreSQL is down every statement fails fast (or after
 * CONNECT_TIMEOUT_MS) with StorageUnavailableError, logged once per outage; the pool reconnects by
 * itself once it is back. Idle connections that die are dropped, never thrown at the process.
 */
export function createPostgres(options: PostgresOptions): Postgres {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    // The client's own bound, for a server that stops answering without closing the connection.
    query_timeout: STATEMENT_TIMEOUT_MS + 1_000,
    application_name: 'peerwall-broker',
    keepAlive: true,
  });
  const where = redactDatabaseUrl(options.url);
  let down = false;
  // An idle connection that PostgreSQL closes (restart, admin shutdown) is reported here; without a
  // listener it would be an uncaught 'error' event and end the process. The pool drops it; whether the
  // database is down is for the next statement to say (a report that arrives late, after a statement
  // succeeded again, would otherwise log a second outage).
  pool.on('error', () => undefined);

  function noteFailure(error: unknown): void {
    if (down) return;
    down = true;
    options.log.warn({ database: where, reason: reasonOf(error) }, 'PostgreSQL is unavailable; account requests get 503 until it is back');
  }

  return {
    async query<Row extends object>(text: string, values?: unknown[]) {
      try {
        const result = await pool.query<Row>(text, values);
        if (down) {
          down = false;
          options.log.info({ database: where }, 'PostgreSQL is reachable again');
        }
        return result;
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        noteFailure(error);
        throw new StorageUnavailableError();
      }
    },
    connect: () => pool.connect(),
    close: () => pool.end(),
  };
}

const SYSTEM_ERROR = /^E[A-Z]+$/;
// SQLSTATE classes: 08 connection exception, 53 insufficient resources (too many connections),
// 57 operator intervention (admin shutdown, crash recovery, statement timeout).
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57']);

/** True for failures of reaching PostgreSQL, as opposed to a statement PostgreSQL refused. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return SYSTEM_ERROR.test(code) || UNAVAILABLE_CLASSES.has(code.slice(0, 2));
  // pg's own errors carry no code: "Connection terminated unexpectedly", "timeout exceeded when
  // trying to connect", "Query read timeout", "Client has encountered a connection error …".
  return /connection|terminated|timeout/i.test(error.message);
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
