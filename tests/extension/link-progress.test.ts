import { describe, expect, it } from 'vitest';
import { attemptDeadlines, failureSentence, isLasting, refusal, watchLinkProgress, type LinkFailure } from '@/platform/social/link-progress';
import type { LinkStateChange } from '@/platform/ports';
import { FakeLink } from './support/fake-peer';

type Step = LinkStateChange | 'open' | 'negotiation-failed';

function replay(outgoing: boolean, steps: Step[]) {
  const link = new FakeLink('bob');
  const failures: LinkFailure[] = [];
  const progress = watchLinkProgress(link, outgoing, () => undefined, (failure) => failures.push(failure));
  for (const step of steps) {
    if (step === 'open') link.emit('open');
    else if (step === 'negotiation-failed') link.emit('error', { type: 'negotiation-failed', message: 'Negotiation of connection to bob failed.' });
    else link.emit('state', step);
  }
  return { progress, failures };
}

const answered: Step = { layer: 'signaling', state: 'stable' };
const checking: Step = { layer: 'ice', state: 'checking' };
const iceConnected: Step = { layer: 'ice', state: 'connected' };

describe('what a link that did not become ready failed at', () => {
  it.each<[string, boolean, Step[], LinkFailure['kind']]>([
    ['a dial whose offer was never answered', true, [], 'no_answer'],
    ['a dial answered whose ICE checks never connected', true, [answered, checking], 'ice_failed'],
    ['a dial whose ICE connected but whose data channel never opened (DTLS)', true, [answered, checking, iceConnected], 'dtls_failed'],
    ['a link that opened but never finished the handshake', true, [answered, iceConnected, 'open'], 'no_handshake'],
    ['an incoming link stuck in ICE checks', false, [checking], 'ice_failed'],
  ])('times out %s as %s', (_, outgoing, steps, kind) => {
    expect(replay(outgoing, steps).progress.timedOut().kind).toBe(kind);
  });

  it.each<[string, boolean, Step[], LinkFailure['kind'] | null]>([
    ['a dial answered whose ICE never started (no candidate arrived)', true, [answered], 'no_candidates'],
    ['an incoming link whose ICE never started', false, [], 'no_candidates'],
    ['a dial not answered yet', true, [], null],
    ['a dial whose ICE is checking', true, [answered, checking], null],
    ['a dial whose ICE connected', true, [answered, iceConnected], null],
  ])('reads %s as stalled: %s', (_, outgoing, steps, kind) => {
    expect(replay(outgoing, steps).progress.stalled()?.kind ?? null).toBe(kind);
  });

  it.each<[string, Step[], LinkFailure['kind']]>([
    ['after PeerJS reported the negotiation failed', [answered, checking, 'negotiation-failed'], 'ice_failed'],
    ['while ICE was still checking (the friend gave up)', [answered, checking], 'ice_failed'],
    ['after it opened, before the handshake finished', [answered, iceConnected, 'open'], 'no_handshake'],
    ['before anything happened', [], 'closed'],
  ])('reads a close %s as %s', (_, steps, kind) => {
    expect(replay(true, steps).progress.closedEarly().kind).toBe(kind);
  });

  it('reports ICE and DTLS failure the moment the browser does', () => {
    expect(replay(true, [answered, checking, { layer: 'ice', state: 'failed' }]).failures).toEqual([{ kind: 'ice_failed' }]);
    expect(replay(true, [answered, iceConnected, { layer: 'connection', state: 'failed' }]).failures).toEqual([{ kind: 'dtls_failed' }]);
  });

  it('counts a link as answered once it opens, also when its browser reports no states', () => {
    expect(replay(true, ['open']).progress.answered).toBe(true);
  });
});

describe('saying it', () => {
  it('mentions firewalls and NAT only when ICE failed, and keeps a refusal’s code', () => {
    const kinds: LinkFailure[] = [{ kind: 'no_answer' }, { kind: 'dtls_failed' }, { kind: 'no_handshake' }, { kind: 'closed' }];
    for (const failure of kinds) expect(failureSentence('bob', failure)).not.toMatch(/firewall|NAT/);
    expect(failureSentence('bob', { kind: 'ice_failed' })).toMatch(/firewall or NAT/);
    expect(failureSentence('bob', refusal('key_changed', '@bob closed the connection: new key.', false))).toBe(
      '@bob closed the connection: new key. (key_changed)',
    );
  });

  it('shows “Can’t connect” at once only for failures a retry will not fix', () => {
    expect(isLasting({ kind: 'ice_failed' })).toBe(true);
    expect(isLasting(refusal('bad_message', '', true))).toBe(true); // a pause, after the handshake
    expect(isLasting(refusal('bad_message', '', false))).toBe(false); // one garbled handshake
    expect(isLasting(refusal('not_friends', '', false))).toBe(false);
    expect(isLasting(refusal('key_changed', '', false))).toBe(true);
    expect(isLasting({ kind: 'no_answer' })).toBe(false);
  });
});

describe('when an attempt that is not ready has failed', () => {
  const timeouts = { answerTimeoutMs: 3_000, dialTimeoutMs: 15_000, iceStartMs: 5_000 };
  const at = (outgoing: boolean, failures: number) => attemptDeadlines(timeouts, outgoing, failures).map((d) => d.atMs);

  it('waits 3 s for the answer, 5 s more for ICE to start and 15 s for the handshake', () => {
    expect(at(true, 0)).toEqual([15_000, 3_000, 8_000]);
    expect(at(false, 0)).toEqual([15_000, 8_000]); // the answering side has no answer to wait for
  });

  it('gives the answer 3 s more per failure in a row, up to the whole dial', () => {
    expect(at(true, 2)).toEqual([15_000, 9_000, 14_000]);
    expect(at(true, 10)).toEqual([15_000, 15_000, 20_000]);
  });
});
