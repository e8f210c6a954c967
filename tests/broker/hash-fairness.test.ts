import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, createAccount, postFrom, startBroker, type HttpAnswer, type TestBroker } from './helpers';

let broker: TestBroker | undefined;

afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

const FLOODER = '127.0.0.1';
const USER = '127.0.0.2';

describe('the hashing pool', () => {
  it('serves a user while another address floods it with correct sign-ins', async () => {
    // One worker and the default queue; cost 8 takes long enough (~15 ms) for the flood to keep it full.
    broker = await startBroker({ bcryptCost: 8, hashWorkers: 1 });
    const url = `${broker.url}/api/sessions`;
    const bots = Array.from({ length: 24 }, (_, i) => `bot${i}`);
    for (const handle of [...bots, 'alice']) await createAccount(broker.app, handle);

    let flooding = true;
    const flood: HttpAnswer[] = [];
    const loops = bots.map(async (handle) => {
      while (flooding) {
        const answer = await postFrom(FLOODER, url, { handle, password: PASSWORD });
        flood.push(answer);
        // Retries a refusal at once, ignoring Retry-After, but gives the shared event loop a breath.
        if (answer.status !== 200) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the flood fill the queue
    const alice: number[] = [];
    for (let i = 0; i < 20; i++) {
      alice.push((await postFrom(USER, url, { handle: 'alice', password: PASSWORD })).status);
      await new Promise((resolve) => setTimeout(resolve, 25)); // a person's pace, not a burst
    }
    flooding = false;
    await Promise.all(loops);

    expect(alice).toEqual(Array.from({ length: 20 }, () => 200));
    // The flooder still gets its share, and is told to slow down with 429 rather than everyone getting 503.
    expect(flood.some((answer) => answer.status === 200)).toBe(true);
    const refused = flood.find((answer) => answer.status === 429);
    expect(refused?.body).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(flood.filter((answer) => answer.status === 503)).toEqual([]);
  });
});
