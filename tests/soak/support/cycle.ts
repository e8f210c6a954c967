import { writePost } from '../../e2e/support/social';
import { sleep } from '../../e2e/support/wait';
import { connectionLog, eventsBetween, neededRetry } from './connection-log';
import { createFault } from './faults';
import { pick, type FaultKind, type Random } from './schedule';
import { diagnose } from './diagnosis';
import type { Member, SoakScene } from './soak-scene';

export interface CycleOptions {
  /** A post not delivered this long after everyone is online at the broker again makes the cycle stuck. */
  stuckMs: number;
  /** How much longer a stuck cycle keeps watching, to tell "late" from "never". */
  lateMs: number;
}

export interface CycleResult {
  index: number;
  kind: FaultKind;
  writer: string;
  recipients: string[];
  victim: string;
  notes: string[];
  startedAt: number;
  endedAt: number;
  /** Everyone in the cycle online at the broker again ("both sides online"): the cycle's clock starts here. */
  onlineAt?: number;
  /** From onlineAt until each side lists the other Online (a sync connection is ready), both ways, for every recipient. */
  connectedMs?: number;
  /** From onlineAt until every recipient has the post. */
  deliveredMs?: number;
  stuck: boolean;
  /** A stuck cycle's post arrived after all, this long after onlineAt. */
  lateDeliveredMs?: number;
  /** Some connection of the cycle needed a retry (per the peer hosts' connection logs); undefined: no log (n/a). */
  retry?: boolean;
  /** What a stuck cycle looked like at its deadline. */
  diagnosis: string[];
  /** "Can't connect" shown while the cycle waited for its connection (who saw whom), after everyone was online. */
  cantConnect?: string[];
  /** A slow cycle (delivered after `slowMs`): the connection logs of the writer and each recipient, both ways. */
  logs?: string[];
  screenshots: string[];
}

const POLL_MS = 200;
/** Cycles slower than this keep their connection logs in the report (the p95 target). */
const SLOW_MS = 5_000;

async function logsOf(writer: Member, recipients: readonly Member[], from: number): Promise<string[]> {
  const lines: string[] = [];
  for (const [a, b] of recipients.flatMap((r) => [[writer, r], [r, writer]] as const)) {
    const log = await connectionLog(a.popup, b.name);
    const events = log ? eventsBetween(log, from, Date.now()) : [];
    lines.push(`@${a.name}'s log of @${b.name}: ${events.map((e) => `+${((e.at - from) / 1000).toFixed(1)}s ${e.kind} ${e.text}`).join('; ') || 'empty'}`);
  }
  return lines;
}

async function waitUntilOnline(soak: SoakScene, members: readonly Member[], timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const states = await Promise.all(members.map((member) => soak.connectionOf(member)));
    if (states.every((state) => state === 'online')) return Date.now();
    await sleep(POLL_MS);
  }
  return undefined;
}

/** Whether each side lists the other Online; records any "Can't connect" shown on the way into `cantConnect`. */
async function connectedBothWays(soak: SoakScene, writer: Member, recipients: readonly Member[], cantConnect: Set<string>): Promise<boolean> {
  const pairs = recipients.flatMap((recipient) => [[writer, recipient.name], [recipient, writer.name]] as const);
  const seen = await Promise.all(pairs.map(([member, friend]) => soak.presenceOf(member, friend)));
  seen.forEach((presence, i) => {
    if (presence === 'cant_connect') cantConnect.add(`@${pairs[i]![0].name} saw @${pairs[i]![1]}`);
  });
  return seen.every((presence) => presence === 'online');
}

async function deliveredToAll(soak: SoakScene, writer: Member, recipients: readonly Member[], text: string): Promise<boolean> {
  const has = await Promise.all(recipients.map((recipient) => soak.hasPost(recipient, writer.name, text)));
  return has.every(Boolean);
}

async function retryNeeded(writer: Member, recipients: readonly Member[], from: number, to: number): Promise<boolean | undefined> {
  const logs = await Promise.all(
    recipients.flatMap((recipient) => [connectionLog(writer.popup, recipient.name), connectionLog(recipient.popup, writer.name)]),
  );
  const known = logs.filter((log) => log !== undefined);
  if (known.length === 0) return undefined;
  return known.some((log) => neededRetry(eventsBetween(log, from, to)));
}

/**
 * One cycle: a fault, a post written through `writer`'s composer, and a wait until every other member has it.
 * Never throws: a cycle that fails in any way is reported stuck with what went wrong.
 */
export async function runCycle(
  soak: SoakScene,
  index: number,
  kind: FaultKind,
  random: Random,
  options: CycleOptions,
): Promise<CycleResult> {
  const members = [...soak.members];
  const victim = pick(random, members);
  const writer = kind === 'worker-sleep' ? victim : pick(random, members);
  const recipients = members.filter((member) => member !== writer);
  const text = `Soak cycle ${index}: ${kind} by @${writer.name}`;
  const result: CycleResult = {
    index,
    kind,
    writer: writer.name,
    recipients: recipients.map((r) => r.name),
    victim: victim.name,
    notes: [],
    startedAt: Date.now(),
    endedAt: 0,
    stuck: false,
    diagnosis: [],
    screenshots: [],
  };
  const fault = createFault(kind, { soak, writer, victim, random, note: (note) => result.notes.push(note) }, text);
  let deliveredAt: number | undefined;
  try {
    await fault.before();
    if (!fault.during) result.onlineAt = await waitUntilOnline(soak, members, options.stuckMs);
    await writePost(writer.popup, text);
    if (fault.during) {
      await fault.during();
      result.onlineAt = await waitUntilOnline(soak, members, options.stuckMs);
    }
    if (result.onlineAt === undefined) throw new Error(`not everyone was online at the broker within ${options.stuckMs / 1000} s`);
    const clock = result.onlineAt;
    const deadline = clock + options.stuckMs;
    let connectedAt: number | undefined;
    const cantConnect = new Set<string>();
    while (deliveredAt === undefined && Date.now() < deadline + options.lateMs) {
      const [connected, delivered] = await Promise.all([
        connectedAt === undefined ? connectedBothWays(soak, writer, recipients, cantConnect) : true,
        deliveredToAll(soak, writer, recipients, text),
      ]);
      const now = Date.now();
      if (connected && connectedAt === undefined) connectedAt = now;
      if (delivered) deliveredAt = now;
      if (deliveredAt === undefined && now >= deadline && !result.stuck) {
        result.stuck = true;
        result.diagnosis = await diagnose(soak, result, members, text);
        result.screenshots = await soak.scene.screenshotAll(`stuck-${index}-${kind}`);
      }
      if (deliveredAt === undefined) await sleep(POLL_MS);
    }
    result.cantConnect = [...cantConnect];
    // Delivered before anyone was seen Online both ways (the connection closed again meanwhile): connected by then.
    connectedAt ??= deliveredAt;
    if (connectedAt !== undefined && connectedAt <= deadline) result.connectedMs = Math.max(0, connectedAt - clock);
    if (deliveredAt !== undefined) {
      if (result.stuck) result.lateDeliveredMs = deliveredAt - clock;
      else result.deliveredMs = Math.max(0, deliveredAt - clock);
    }
    if (deliveredAt === undefined && !result.stuck) {
      // The deadline passed during the last pause between polls.
      result.stuck = true;
      result.diagnosis = await diagnose(soak, result, members, text);
      result.screenshots = await soak.scene.screenshotAll(`stuck-${index}-${kind}`);
    }
  } catch (error) {
    result.stuck = true;
    result.notes.push(`error: ${String(error).split('\n')[0]?.slice(0, 300)}`);
    if (result.diagnosis.length === 0) {
      result.diagnosis = await diagnose(soak, result, members, text).catch((e: unknown) => [`diagnosis failed: ${String(e)}`]);
      result.screenshots = await soak.scene.screenshotAll(`stuck-${index}-${kind}`).catch(() => []);
    }
  } finally {
    await fault.after?.().catch((error: unknown) => result.notes.push(`undoing the fault failed: ${String(error)}`));
  }
  if ((result.deliveredMs ?? 0) > SLOW_MS) result.logs = await logsOf(writer, recipients, result.startedAt).catch(() => undefined);
  result.endedAt = Date.now();
  result.retry = await retryNeeded(writer, recipients, result.startedAt, result.endedAt).catch(() => undefined);
  return result;
}
