import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../broker/config';

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

  it.each([
    [{ PORT: '70000' }, 'PORT must be a whole number from 0 to 65535'],
    [{ BCRYPT_COST: '3' }, 'BCRYPT_COST must be a whole number from 4 to 15'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters long.'],
    [{ TURN_URLS: 'turn:t.example' }, 'TURN_SECRET'],
    [{ HASH_WORKERS: '64' }, 'HASH_WORKERS must be a whole number'],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
