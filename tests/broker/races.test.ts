import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerHasher, type Hasher } from '../../broker/hasher';
import { PASSWORD, account, createAccount, postFrom, signIn, startBroker, type TestBroker } from './helpers';
import { storageBackends } from './storage-backends';

const backends = storageBackends();
let broker: TestBroker | undefined;

afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

const post = (url: string, body: unknown, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
/** Each client from its own address: one password check per handle and address runs at a time. */
const changeFrom = (from: string, url: string, token: string, newPassword: string) =>
  postFrom(from, url, { currentPassword: PASSWORD, newPassword }, { authorization: `Bearer ${token}` });

/** A real hasher that holds every hash of a new password until `count` of them have been asked for. */
function gatedHasher(count: number): Hasher {
  const inner = createWorkerHasher({ cost: 4, workers: 1, queueLimit: 32, queueLimitPerClient: 32 });
  let waiting = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  setTimeout(() => open(), 5_000).unref(); // never hang: a missing request fails the assertions instead
  return {
    async hash(password, client) {
      if (password.startsWith('new secret')) {
        if (++waiting === count) open();
        await gate;
      }
      return inner.hash(password, client);
    },
    verify: (password, hash, client) => inner.verify(password, hash, client),
    close: () => inner.close(),
  };
}

describe.each(backends)('races on $name', (backend) => {
  it('of 20 concurrent registrations of one handle, exactly one gets 201', async () => {
    broker = await startBroker({ ...(await backend.config()), hashQueueLimit: 32, hashQueuePerAddress: 32 });
    const url = `${broker.url}/api/accounts`;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(url, { handle: i % 2 ? 'Alice' : '@alice', password: `${PASSWORD} ${i}` })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    // The winner's password is the one stored.
    const winner = statuses.indexOf(201);
    expect((await post(`${broker.url}/api/sessions`, { handle: 'alice', password: `${PASSWORD} ${winner}` })).status).toBe(200);
  });

  it('of two password changes that both verified the old password, one wins and the other gets 409 and no token', async () => {
    broker = await startBroker(await backend.config(), { hasher: gatedHasher(2) });
    await createAccount(broker.app, 'alice');
    const phone = await signIn(broker.app, 'alice');
    const laptop = await signIn(broker.app, 'alice');
    const url = `${broker.url}/api/accounts/me/password`;
    const answers = await Promise.all([
      changeFrom('127.0.0.2', url, phone, 'new secret phone'),
      changeFrom('127.0.0.3', url, laptop, 'new secret laptop'),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const won = answers.findIndex((answer) => answer.status === 200);
    const [winner, loser] = won === 0 ? ([answers[0]!, answers[1]!] as const) : ([answers[1]!, answers[0]!] as const);
    const { token } = winner.body as { token: string };
    expect(loser.body).toEqual({
      error: { code: 'password_changed', message: expect.stringContaining('changed by another request') },
    });
    const get = (bearer: string) => fetch(`${broker!.url}/api/ice-servers`, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await get(token)).status).toBe(200);
    expect((await get(won === 0 ? laptop : phone)).status).toBe(401);
    const signInWith = (password: string) => post(`${broker!.url}/api/sessions`, { handle: 'alice', password });
    expect((await signInWith(won === 0 ? 'new secret phone' : 'new secret laptop')).status).toBe(200);
    expect((await signInWith(won === 0 ? 'new secret laptop' : 'new secret phone')).status).toBe(401);
  });

  it('of five concurrent password changes, exactly one succeeds and only its token works', async () => {
    broker = await startBroker({ ...(await backend.config()), hashQueueLimit: 32, hashQueuePerAddress: 32 });
    await createAccount(broker.app, 'alice');
    const sessions: string[] = [];
    for (let i = 0; i < 5; i++) sessions.push(await signIn(broker.app, 'alice'));
    const url = `${broker.url}/api/accounts/me/password`;
    const answers = await Promise.all(sessions.map((token, i) => changeFrom(`127.0.0.${i + 2}`, url, token, `new secret ${i}`)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    const tokens = answers.map((answer) => (answer.body as { token?: string }).token);
    expect(tokens.filter((token) => token !== undefined)).toHaveLength(1);
    // A loser that reaches the broker after the winner's write finds its token revoked (401).
    for (const answer of answers.filter((answer) => answer.status !== 200)) expect([401, 403, 409]).toContain(answer.status);
    const works = async (token: string) =>
      (await fetch(`${broker!.url}/api/ice-servers`, { headers: { authorization: `Bearer ${token}` } })).status === 200;
    expect(await works(tokens.find((token) => token !== undefined)!)).toBe(true);
    for (const token of sessions) expect(await works(token)).toBe(false);
  });

  it('a deletion racing a password change from the same version lets exactly one through', async () => {
    broker = await startBroker(await backend.config());
    const token = await account(broker.app, 'alice');
    const other = await signIn(broker.app, 'alice');
    const [changed, deleted] = await Promise.all([
      changeFrom('127.0.0.2', `${broker.url}/api/accounts/me/password`, token, 'new secret x'),
      postFrom('127.0.0.3', `${broker.url}/api/accounts/me`, { password: PASSWORD }, { authorization: `Bearer ${other}` }, 'DELETE'),
    ]);
    const outcomes = [changed.status, deleted.status];
    expect(outcomes.filter((status) => status === 200 || status === 204)).toHaveLength(1);
  });
});
