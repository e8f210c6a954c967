import { afterEach, describe, expect, it } from 'vitest';
import { HasherBusyError, HasherShareError, createWorkerHasher, type Hasher } from '../../broker/hasher';

let hasher: Hasher | undefined;

afterEach(async () => {
  await hasher?.close();
});

describe('worker hasher', () => {
  it('hashes in a worker thread at the configured cost and verifies', async () => {
    hasher = createWorkerHasher({ cost: 5, workers: 1, queueLimit: 4 });
    const hash = await hasher.hash('correct horse battery', 'a');
    expect(hash).toMatch(/^\$2b\$05\$.{53}$/);
    expect(await hasher.verify('correct horse battery', hash, 'a')).toBe(true);
    expect(await hasher.verify('correct horse batterY', hash, 'a')).toBe(false);
    expect(await hasher.verify('anything at all', '', 'a')).toBe(false);
  });

  it('refuses at once with HasherBusyError when workers and queue are full and fairly shared', async () => {
    hasher = createWorkerHasher({ cost: 10, workers: 1, queueLimit: 2 });
    const accepted = [hasher.hash('one password', 'a'), hasher.hash('two password', 'b'), hasher.hash('three password', 'c')];
    await expect(hasher.hash('four password', 'd')).rejects.toBeInstanceOf(HasherBusyError);
    expect(await Promise.all(accepted)).toHaveLength(3);
    await expect(hasher.hash('five password', 'd')).resolves.toMatch(/^\$2b\$10\$/);
  });

  it('refuses a client over its share at once with HasherShareError, and still takes others', async () => {
    hasher = createWorkerHasher({ cost: 10, workers: 1, queueLimit: 16, queueLimitPerClient: 2 });
    const accepted = [hasher.hash('one password', 'a'), hasher.hash('two password', 'a'), hasher.hash('three password', 'a')];
    await expect(hasher.hash('four password', 'a')).rejects.toBeInstanceOf(HasherShareError);
    accepted.push(hasher.hash('five password', 'b'));
    expect(await Promise.all(accepted)).toHaveLength(4);
  });

  it('takes waiting jobs round-robin across clients', async () => {
    hasher = createWorkerHasher({ cost: 10, workers: 1, queueLimit: 16 });
    const done: string[] = [];
    const job = (name: string, client: string) => hasher!.hash(`${name} password`, client).then(() => done.push(name));
    await Promise.all([job('a1', 'a'), job('a2', 'a'), job('a3', 'a'), job('a4', 'a'), job('b1', 'b'), job('c1', 'c')]);
    expect(done).toEqual(['a1', 'a2', 'b1', 'c1', 'a3', 'a4']);
  });

  it('gives a newcomer the newest place of the client holding the most when the queue is full', async () => {
    hasher = createWorkerHasher({ cost: 10, workers: 1, queueLimit: 3 });
    const outcome = (promise: Promise<string>) =>
      promise.then(
        () => 'done',
        (error: unknown) => (error instanceof Error ? error.constructor.name : 'other'),
      );
    const flood = ['a1', 'a2', 'a3', 'a4'].map((name) => outcome(hasher!.hash(`${name} password`, 'a')));
    const others = ['b', 'c', 'd'].map((client) => outcome(hasher!.hash('other password', client)));
    expect(await Promise.all(flood)).toEqual(['done', 'done', 'HasherShareError', 'HasherShareError']);
    expect(await Promise.all(others)).toEqual(['done', 'done', 'HasherBusyError']);
  });

  it('rejects waiting jobs when it is closed', async () => {
    const pool = createWorkerHasher({ cost: 10, workers: 1, queueLimit: 4 });
    const waiting = [pool.hash('one password', 'a'), pool.hash('two password', 'a')];
    const settled = Promise.allSettled(waiting);
    await pool.close();
    const outcomes = await settled;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
});
