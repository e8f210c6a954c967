import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Chromium's own log line prefix: `[pid:tid:MMDD/HHMMSS.micros:LEVEL:file.cc:line]`, in local time. */
const LINE = /^\[\d+:\d+:(\d{2})(\d{2})\/(\d{2})(\d{2})(\d{2})\.(\d{6}):([A-Z]+):([^\]]+)\] (.*)$/;
/** The WebRTC parts of Chromium that say why a connection failed (SDP, ICE, SCTP, data channels). */
const WEBRTC = /third_party\/webrtc\/|\/peerconnection\//;

/**
 * What WebRTC in `user`'s Chromium logged to stderr between `from` and `to` (ms since the epoch): the
 * product itself logs little, and these lines (e.g. "ICE candidates can't be added without any remote
 * session description") tell which step of a handshake failed.
 */
export function webrtcErrorsBetween(artifactsDir: string, user: string, from: number, to: number): string[] {
  const file = path.join(artifactsDir, `${user}-chromium-stderr.log`);
  if (!existsSync(file)) return [];
  const year = new Date(from).getFullYear();
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const match = LINE.exec(line);
      if (!match) return [];
      const [, month, day, hours, minutes, secs, micros, , where, message] = match;
      const at = new Date(year, Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(secs), Number(micros) / 1000).getTime();
      if (at < from || at > to || !WEBRTC.test(where ?? '')) return [];
      return [`+${((at - from) / 1000).toFixed(1)}s ${where?.replace(/^third_party\/webrtc\//, '')}: ${message}`];
    });
}
