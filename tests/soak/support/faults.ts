import { describeMode, type ProxiedFrame } from '../../e2e/support/signalling-proxy';
import * as vethPath from '../../e2e/support/veth-path';
import { sleep, waitFor } from '../../e2e/support/wait';
import { pick, proxyModeFor, type FaultKind, type Random } from './schedule';
import type { Member, SoakScene } from './soak-scene';

export interface FaultContext {
  soak: SoakScene;
  writer: Member;
  /** The side a relaunch or a sleeping worker happens to. */
  victim: Member;
  random: Random;
  /** Adds a note to the cycle's line in the report. */
  note(text: string): void;
}

/**
 * One cycle's fault. `before` runs before the post is written. `during`, if any, runs right after it (the fault
 * spans the handshake the post starts), and the cycle's clock starts once it is over and everyone is online at
 * the broker. `after` always runs at the end of the cycle, stuck or not.
 */
export interface Fault {
  before(): Promise<void>;
  during?(): Promise<void>;
  after?(): Promise<void>;
}

const PAST = { pass: 'affected', drop: 'dropped', duplicate: 'duplicated', delay: 'delayed', reorder: 'reordered' } as const;
const WORKER_SLEEP_TIMEOUT_MS = 90_000;
const OFFER_WAIT_MS = 15_000;

function relaunch({ soak, victim, note }: FaultContext): Fault {
  return {
    async before() {
      const started = Date.now();
      await victim.user.restart();
      await soak.reopenPopup(victim);
      note(`@${victim.name} relaunched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
  };
}

/** The victim's pages close and DevTools detaches (an attached client keeps a worker awake) until the worker is gone. */
function workerSleep({ soak, victim, note }: FaultContext): Fault {
  return {
    async before() {
      const chromium = victim.user.chromium;
      const workerPrefix = `chrome-extension://${chromium.extensionId}/`;
      await chromium.detach();
      const started = Date.now();
      const asleep = await waitFor(
        async () => ((await chromium.runningTargets()).some((t) => t.type === 'service_worker' && t.url.startsWith(workerPrefix)) ? undefined : true),
        { timeoutMs: WORKER_SLEEP_TIMEOUT_MS, intervalMs: 1_000, describe: () => 'the worker is still running' },
      ).then(
        () => true,
        () => false,
      );
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      note(asleep ? `@${victim.name}'s worker asleep after ${seconds} s` : `@${victim.name}'s worker still RUNNING after ${seconds} s`);
      await chromium.attach();
      await soak.reopenPopup(victim);
    },
  };
}

/** Outages shorter and longer than ICE's consent timeout (about 30 s in Chromium). */
const LINK_DOWN_MS = [2_000, 5_000, 10_000, 20_000, 35_000] as const;

/**
 * The veth link goes down before the post and comes back up a while later. Just before it comes up, the
 * recipients are asked whether the post is there already: with the data paths on the wire it must not be.
 */
function linkDownUp({ soak, writer, random, note }: FaultContext, text: string): Fault {
  const downMs = pick(random, LINK_DOWN_MS);
  let downAt = 0;
  let up = true;
  const bringUp = (): void => {
    if (up) return;
    vethPath.linkUp();
    up = true;
  };
  return {
    async before() {
      vethPath.linkDown();
      up = false;
      downAt = Date.now();
    },
    async during() {
      await sleep(downMs - (Date.now() - downAt));
      const recipients = soak.members.filter((member) => member !== writer);
      const arrived = await Promise.all(recipients.map((member) => soak.hasPost(member, writer.name, text)));
      bringUp();
      note(`link down ${downMs / 1000} s with the post written; ${arrived.some(Boolean) ? 'ARRIVED while down' : 'not there while down'}`);
    },
    async after() {
      bringUp();
    },
  };
}

/**
 * The writer's connections are cut and the post makes it dial. The proxy holds the first OFFER, ANSWER or
 * CANDIDATE on its way from the broker to a peer host, and the broker stops as soon as it is held: the frame
 * dies with the broker's socket, mid-handshake. The broker starts again on the same port and data.
 */
function brokerRestart({ soak, writer, random, note }: FaultContext): Fault {
  const stage = pick(random, ['OFFER', 'ANSWER', 'CANDIDATE'] as const);
  let held: Promise<ProxiedFrame | undefined> = Promise.resolve(undefined);
  return {
    async before() {
      const cut = await soak.cutConnections(writer);
      held = soak.proxy.nextFrame((frame) => frame.type === stage && frame.action === 'delayed', OFFER_WAIT_MS);
      soak.proxy.setMode({ kind: 'delay', types: [stage], directions: ['to-peer'], limit: 1, minMs: 60_000, maxMs: 60_000 });
      note(`cut ${cut} channel(s)`);
    },
    async during() {
      const frame = await held;
      await soak.broker.stop();
      soak.proxy.setMode({ kind: 'pass' });
      const downMs = Math.round(random() * 2_000);
      await sleep(downMs);
      await soak.broker.start();
      note(`${frame ? `${stage} to @${frame.peer} lost with the broker` : `no ${stage} within ${OFFER_WAIT_MS / 1000} s`}, broker down ${downMs} ms`);
    },
    async after() {
      soak.proxy.setMode({ kind: 'pass' });
    },
  };
}

/** The writer's connections are cut and its next handshake goes through the proxy in a faulty mode. */
function faultySignalling(kind: FaultKind, { soak, writer, random, note }: FaultContext): Fault {
  const mode = proxyModeFor(kind, random);
  let mark = 0;
  return {
    async before() {
      const cut = await soak.cutConnections(writer);
      mark = soak.proxy.frames.length;
      soak.proxy.setMode(mode);
      note(`${describeMode(mode)}; cut ${cut} channel(s)`);
    },
    async after() {
      soak.proxy.setMode({ kind: 'pass' });
      const affected = soak.proxy.frames.slice(mark).filter((frame) => frame.action !== 'passed');
      note(`${affected.length} frame(s) ${PAST[mode.kind]}`);
    },
  };
}

/** `text`: the cycle's post, which some faults look for. */
export function createFault(kind: FaultKind, context: FaultContext, text: string): Fault {
  switch (kind) {
    case 'relaunch':
      return relaunch(context);
    case 'worker-sleep':
      return workerSleep(context);
    case 'link-down-up':
      return linkDownUp(context, text);
    case 'broker-restart':
      return brokerRestart(context);
    case 'proxy-drop':
    case 'proxy-duplicate':
    case 'proxy-delay':
    case 'proxy-reorder':
      return faultySignalling(kind, context);
  }
}
