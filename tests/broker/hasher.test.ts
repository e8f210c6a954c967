import { afterEach, describe, expect, it } from 'vitest';
import { HasherBusyError, createWorkerHasher, type Hasher } from '../../broker/hasher';

let hasher: Hasher | undefined;

afterEach(async () => {
  await hasher?.close();
});

describe('worker hasher', () => {
  it('hashes in a worker thread at the configured cost and verifies', async () => {
    hasher = createWorkerHasher({ cost: 5, workers: 1, queueLimit: 4 });
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$2b\$05\$.{53}$/);
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('correct horse batterY', hash)).toBe(false);
    expect(await hasher.verify('anything at all', '')).toBe(false);
  });

  it('refuses at once with HasherBusyError when workers and queue are full', async () => {
    hasher = createWorkerHasher({ cost: 10, workers: 1, queueLimit: 2 });
    const accepted = [hasher.hash('one password'), hasher.hash('two password'), hasher.hash('three password')];
    await expect(hasher.hash('four password')).rejects.toBeInstanceOf(HasherBusyError);
    expect(await Promise.all(accepted)).toHaveLength(3);
    await expect(hasher.hash('five password')).resolves.toMatch(/^\$2b\$10\$/);
  });

  it('rejects waiting jobs when it is closed', async () => {
    const pool = createWorkerHasher({ cost: 10, workers: 1, queueLimit: 4 });
    const waiting = [pool.hash('one password'), pool.hash('two password')];
    const settled = Promise.allSettled(waiting);
    await pool.close();
    const outcomes = await settled;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
});
