import { friendPresence } from '../../e2e/support/social';
import { connectionLog, eventsBetween } from './connection-log';
import type { CycleResult } from './cycle';
import type { Member, SoakScene } from './soak-scene';
import { webrtcErrorsBetween } from './webrtc-errors';

const TIMELINE_MAX = 40;

/**
 * What everyone in a stuck cycle shows and says: the Friends lists, the peer hosts' views, whether the post is
 * there, the proxy's frames, WebRTC's errors and (once the product answers it) the connection logs.
 */
export async function diagnose(
  soak: SoakScene,
  result: Pick<CycleResult, 'writer' | 'startedAt'>,
  members: readonly Member[],
  text: string,
): Promise<string[]> {
  const lines: string[] = [];
  for (const member of members) {
    const others = members.filter((other) => other !== member);
    const shown = await Promise.all(
      others.map(async (other) => `@${other.name} ${(await friendPresence(member.popup, other.name).catch(() => undefined)) ?? '(not listed)'}`),
    );
    const friends = await soak.friendsSeenBy(member).catch(() => []);
    const views = friends
      .filter((friend) => others.some((other) => other.name === friend.handle))
      .map((friend) => `@${friend.handle} ${friend.presence}${friend.waiting ? `, ${friend.waiting} waiting` : ''}${friend.problem ? `, "${friend.problem}"` : ''}`);
    lines.push(`@${member.name} (${await soak.connectionOf(member)}): Friends shows ${shown.join(', ')}; host says ${views.join(', ')}`);
  }
  const writer = soak.member(result.writer);
  const has = await Promise.all(members.filter((m) => m !== writer).map(async (m) => `@${m.name} ${(await soak.hasPost(m, writer.name, text)) ? 'has' : 'lacks'} it`));
  lines.push(`the post: ${has.join(', ')}`);
  const frames = soak.proxy.frames.filter((frame) => frame.at >= result.startedAt);
  const counts = new Map<string, number>();
  for (const frame of frames) {
    const key = `${frame.type} ${frame.direction === 'to-peer' ? '→' : '←'}@${frame.peer} ${frame.action}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  lines.push(`proxy saw: ${[...counts].map(([key, count]) => `${key}×${count}`).join(', ') || 'no signalling frame'}`);
  const timeline = frames
    .slice(0, TIMELINE_MAX)
    .map((f) => `+${((f.at - result.startedAt) / 1000).toFixed(1)}s ${f.type} ${f.direction === 'to-peer' ? '→' : '←'}@${f.peer}${f.action === 'passed' ? '' : ` ${f.action}`}`);
  if (timeline.length > 0) lines.push(`proxy timeline: ${timeline.join(', ')}${frames.length > TIMELINE_MAX ? ', …' : ''}`);
  for (const member of members) {
    const errors = webrtcErrorsBetween(soak.scene.artifactsDir, member.name, result.startedAt, Date.now());
    if (errors.length > 0) lines.push(`@${member.name}'s WebRTC: ${errors.slice(0, 12).join(' | ')}${errors.length > 12 ? ` | … ${errors.length - 12} more` : ''}`);
  }
  for (const member of members) {
    for (const other of members.filter((m) => m !== member)) {
      const log = await connectionLog(member.popup, other.name);
      if (!log) continue;
      const events = eventsBetween(log, result.startedAt, Date.now());
      lines.push(`@${member.name}'s log of @${other.name}: ${events.map((e) => `+${((e.at - result.startedAt) / 1000).toFixed(1)}s ${e.kind} ${e.text}`).join('; ') || 'empty'}`);
    }
  }
  return lines;
}
