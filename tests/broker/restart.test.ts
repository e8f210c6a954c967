import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { PASSWORD, RawPeer, account, bearer, ofType, startBroker } from './helpers';

describe('restarts', () => {
  it('keeps accounts and the generated secret (mode 0600), so tokens stay valid', async () => {
    const first = await startBroker();
    const token = await account(first.app, 'alice');
    await first.close({ keepData: true });
    const secretFile = join(first.config.dataDir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);

    const second = await startBroker({ dataDir: first.config.dataDir });
    try {
      const lookup = await second.app.inject({ method: 'GET', url: '/api/handles/alice', headers: bearer(token) });
      expect(lookup.statusCode).toBe(200);
      const again = await second.app.inject({ method: 'POST', url: '/api/accounts', payload: { handle: 'alice', password: PASSWORD } });
      expect(again.statusCode).toBe(409);
      const peer = RawPeer.connect(second.wsUrl('alice', token));
      await peer.next(ofType('OPEN'));
      peer.close();
    } finally {
      await second.close();
    }
  });

  it('uses JWT_SECRET from the environment instead of generating one', async () => {
    const broker = await startBroker({ jwtSecret: 's'.repeat(40) });
    try {
      await account(broker.app, 'alice');
      expect(() => statSync(join(broker.config.dataDir, 'jwt-secret'))).toThrow();
    } finally {
      await broker.close();
    }
  });
});

describe('npm run broker (broker/server.ts)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints one line with the real port for PORT=0, serves, and exits with 0 on %s',
    async (signal) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'peerwall-server-'));
      const child = spawn(process.execPath, ['--import', 'tsx', 'broker/server.ts'], {
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const lines: string[] = [];
        const firstLine = await new Promise<string>((resolve, reject) => {
          createInterface({ input: child.stdout }).on('line', (line) => {
            lines.push(line);
            resolve(line);
          });
          child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
        });
        const match = /^Peerwall broker listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(firstLine);
        expect(match).not.toBeNull();
        const port = Number(match![1]);
        expect(port).toBeGreaterThan(0);
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        expect(await health.json()).toEqual({ status: 'ok', accounts: 'up' });
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill(signal);
        expect(await exited).toBe(0);
        expect(lines).toHaveLength(1);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );

  it('refuses to start with a clear message when a setting is invalid', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'broker/server.ts'], {
      env: { ...process.env, PORT: 'abc' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be a whole number from 0 to 65535; got "abc".');
  });
});
