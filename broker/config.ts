import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseProxyTrust, type ProxyTrust } from './proxy-trust';

/** Everything the broker can be told from the environment; see docs/broker.md for the table. */
export interface BrokerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** From DATABASE_URL: accounts on PostgreSQL instead of SQLite in dataDir. Never logged unredacted. */
  databaseUrl: string | undefined;
  /** PostgreSQL connections this node may hold. */
  databasePoolSize: number;
  /** From JWT_SECRET; when absent a secret is generated once and kept in dataDir. */
  jwtSecret: string | undefined;
  bcryptCost: number;
  /** New accounts per client address per hour. */
  registerRateLimit: number;
  corsOrigins: string[];
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  turnTtlSeconds: number;
  tokenTtlSeconds: number;
  maxConnections: number;
  hashWorkers: number;
  hashQueueLimit: number;
  /** Hashing jobs one client address may have waiting. */
  hashQueuePerAddress: number;
  /** Whose X-Forwarded-For entries name the client (TRUST_PROXY). */
  trustProxy: ProxyTrust;
  logLevel: string;
  /** Sustained signalling frames per second per socket (the burst allowance is 5 × this). */
  wsMessagesPerSecond: number;
  /** Sustained signalling bytes per second per socket (the burst allowance is 5 × this). */
  wsBytesPerSecond: number;
  /** Bytes of relays the broker keeps in memory for offline handles, over all of them. */
  relayQueueBytes: number;
  /** A socket that sends nothing (not even HEARTBEAT) for this long is closed. */
  aliveTimeoutMs: number;
  /** REDIS_URL: several nodes share signalling, relays and limits through this Redis; unset, one process holds them. */
  redisUrl: string | undefined;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const DAY = 24 * 60 * 60;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return value;
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined) return fallback;
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function proxyTrust(env: Env): ProxyTrust {
  const trust = parseProxyTrust(env.TRUST_PROXY);
  if ('error' in trust) throw new ConfigError(trust.error);
  return trust;
}

function optionalSecret(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32) throw new ConfigError(`${name} must be at least 32 characters long.`);
  return raw;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  // The message never quotes the value: it holds the database password.
  if (!URL.canParse(raw) || !['postgres:', 'postgresql:'].includes(new URL(raw).protocol)) {
    throw new ConfigError('DATABASE_URL must be a PostgreSQL URL such as postgres://peerwall:PASSWORD@127.0.0.1:5432/peerwall.');
  }
  return raw;
}

function redisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  // The message never repeats the value: it may hold a password.
  if (!URL.canParse(raw) || !/^rediss?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379.');
  }
  return raw;
}

/** Reads the configuration; throws a ConfigError whose message says which variable is wrong. */
export function loadConfig(env: Env = process.env): BrokerConfig {
  const cores = availableParallelism();
  const turnUrls = list(env, 'TURN_URLS', []);
  const turnSecret = optionalSecret(env, 'TURN_SECRET');
  if (turnUrls.length > 0 && turnSecret === undefined) {
    throw new ConfigError('TURN_URLS is set, so TURN_SECRET (the coturn static-auth-secret) must be set too.');
  }
  return {
    host: env.HOST?.trim() || '127.0.0.1',
    port: integer(env, 'PORT', 9000, 0, 65535),
    dataDir: resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl: databaseUrl(env),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1_000),
    jwtSecret: optionalSecret(env, 'JWT_SECRET'),
    bcryptCost: integer(env, 'BCRYPT_COST', 12, 4, 15),
    registerRateLimit: integer(env, 'REGISTER_RATE_LIMIT', 50, 1, 1_000_000),
    corsOrigins: list(env, 'CORS_ORIGINS', []),
    stunUrls: list(env, 'STUN_URLS', ['stun:stun.l.google.com:19302']),
    turnUrls,
    turnSecret,
    turnTtlSeconds: integer(env, 'TURN_TTL', DAY, 60, 7 * DAY),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL', 30 * DAY, 60, 365 * DAY),
    maxConnections: integer(env, 'MAX_CONNECTIONS', 50_000, 1, 10_000_000),
    hashWorkers: integer(env, 'HASH_WORKERS', Math.max(1, cores - 1), 1, Math.max(1, cores - 1)),
    hashQueueLimit: integer(env, 'HASH_QUEUE_LIMIT', 16, 0, 10_000),
    hashQueuePerAddress: integer(env, 'HASH_QUEUE_PER_ADDRESS', 4, 1, 10_000),
    trustProxy: proxyTrust(env),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    wsMessagesPerSecond: integer(env, 'WS_MESSAGES_PER_SECOND', 100, 1, 100_000),
    wsBytesPerSecond: integer(env, 'WS_BYTES_PER_SECOND', 64 * 1024, 1024, 1024 * 1024 * 1024),
    relayQueueBytes: integer(env, 'RELAY_QUEUE_BYTES', 16 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024 * 1024),
    aliveTimeoutMs: integer(env, 'ALIVE_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
    redisUrl: redisUrl(env),
  };
}
