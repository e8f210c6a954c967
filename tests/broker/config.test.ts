import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../broker/config';
import { redactRedisUrl } from '../../broker/redis/client';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 9000,
      bcryptCost: 12,
      registerRateLimit: 50,
      tokenTtlSeconds: 30 * 24 * 60 * 60,
      corsOrigins: [],
      jwtSecret: undefined,
      trustProxy: { kind: 'none' },
      hashQueueLimit: 16,
      hashQueuePerAddress: 4,
      redisUrl: undefined,
    });
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.maxConnections).toBeGreaterThan(10_000);
  });

  it('reads lists and numbers', () => {
    const config = loadConfig({ PORT: '0', CORS_ORIGINS: 'https://a.example, https://b.example', STUN_URLS: '' });
    expect(config.port).toBe(0);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.stunUrls).toEqual([]);
  });

  it('keeps accounts in SQLite unless DATABASE_URL is set', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: ' ' }).databaseUrl).toBeUndefined();
    const config = loadConfig({ DATABASE_URL: 'postgresql://peerwall:pw@db.internal:5432/peerwall', DATABASE_POOL_SIZE: '20' });
    expect(config).toMatchObject({ databaseUrl: 'postgresql://peerwall:pw@db.internal:5432/peerwall', databasePoolSize: 20 });
    expect(loadConfig({}).databasePoolSize).toBe(10);
  });

  it('never quotes DATABASE_URL in its error, since it holds the database password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://peerwall:hunter2-secret@db/peerwall' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2-secret') }),
    );
  });

  it('reads REDIS_URL, and never repeats a bad one (it may hold a password)', () => {
    expect(loadConfig({ REDIS_URL: ' redis://:s3cret@10.0.0.5:6379/0 ' }).redisUrl).toBe('redis://:s3cret@10.0.0.5:6379/0');
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    for (const bad of ['http://:s3cret@cache:6379', 'cache:s3cret@6379']) {
      let message = '';
      try {
        loadConfig({ REDIS_URL: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe('REDIS_URL must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379.');
    }
  });

  it('redacts the password of a Redis URL in what it logs', () => {
    expect(redactRedisUrl('redis://:s3cret@cache:6379/0')).toBe('redis://:[redacted]@cache:6379/0');
    expect(redactRedisUrl('rediss://peerwall:s3cret@cache:6380')).toBe('rediss://peerwall:[redacted]@cache:6380');
    expect(redactRedisUrl('redis://cache:6379')).toBe('redis://cache:6379');
  });

  it.each([
    ['a password holding @', 'redis://:p@ss@cache:6379', 'redis://:[redacted]@cache:6379'],
    ['a user and a password holding @ and :', 'redis://peerwall:p@s:s@cache:6379/1', 'redis://peerwall:[redacted]@cache:6379/1'],
    ['a password parameter', 'redis://cache:6379/0?password=s3cret&db=1', 'redis://cache:6379/0?password=[redacted]&db=1'],
    ['a username parameter and a password parameter', 'rediss://cache?username=peerwall&password=s3cret', 'rediss://cache?username=peerwall&password=[redacted]'],
  ])('redacts a Redis URL with %s', (_case, url, shown) => {
    const redacted = redactRedisUrl(url);
    expect(redacted).toBe(shown);
    expect(redacted).not.toMatch(/s3cret|ss@|s:s/);
  });

  it('shows no part of a Redis URL that does not parse', () => {
    expect(redactRedisUrl('redis://:s3cret@[cache')).toBe('[a Redis URL that does not parse]');
  });

  it.each([
    ['', { kind: 'none' }],
    ['0', { kind: 'none' }],
    ['false', { kind: 'none' }],
    ['1', { kind: 'hops', hops: 1 }],
    ['2', { kind: 'hops', hops: 2 }],
    ['true', { kind: 'hops', hops: 1 }],
    [' TRUE ', { kind: 'hops', hops: 1 }],
    ['127.0.0.1', { kind: 'addresses', addresses: ['127.0.0.1'] }],
    ['10.0.0.0/8, ::1, fd00::/8', { kind: 'addresses', addresses: ['10.0.0.0/8', '::1', 'fd00::/8'] }],
  ])('reads TRUST_PROXY=%j', (value, trustProxy) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trustProxy);
  });

  it.each([
    [{ PORT: '70000' }, 'PORT must be a whole number from 0 to 65535'],
    [{ BCRYPT_COST: '3' }, 'BCRYPT_COST must be a whole number from 4 to 15'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters long.'],
    [{ TURN_URLS: 'turn:t.example' }, 'TURN_SECRET'],
    [{ HASH_WORKERS: '64' }, 'HASH_WORKERS must be a whole number'],
    [{ HASH_QUEUE_PER_ADDRESS: '0' }, 'HASH_QUEUE_PER_ADDRESS must be a whole number from 1 to 10000'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY must be a number of proxy hops (1 for one reverse proxy in front of the broker) or a comma-separated list of proxy addresses and CIDR ranges; "yes" is neither.'],
    [{ TRUST_PROXY: '11' }, '11 hops is more than 10'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, '"10.0.0.0/33" is neither'],
    [{ TRUST_PROXY: '127.0.0.1, nginx' }, '"nginx" is neither'],
    [{ TRUST_PROXY: '10.0.0.1/8/8' }, '"10.0.0.1/8/8" is neither'],
    [{ DATABASE_URL: 'mysql://u:pw@db/peerwall' }, 'DATABASE_URL must be a PostgreSQL URL'],
    [{ DATABASE_URL: 'peerwall:pw@db' }, 'DATABASE_URL must be a PostgreSQL URL'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE must be a whole number from 1 to 1000'],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
