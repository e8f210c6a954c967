import { refusalCode } from '@/core/signalling';
import type { PeerErrorInfo } from '../ports';

/**
 * What a PeerJS error means for the peer host. The broker refuses a signalling socket with
 * a PeerJS `server-error` whose message starts with a code (docs/signalling.md).
 */
export type ErrorVerdict =
  | { kind: 'displaced' }
  | { kind: 'expired' }
  | { kind: 'session_invalid'; code: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'ignore' };

const SESSION_INVALID = new Set(['auth_missing', 'auth_invalid', 'auth_revoked', 'id_mismatch']);

export function judgePeerError(error: PeerErrorInfo): ErrorVerdict {
  switch (error.type) {
    case 'server-error': {
      const code = refusalCode(error.message);
      if (code === 'signed_in_elsewhere') return { kind: 'displaced' };
      if (code === 'auth_expired') return { kind: 'expired' };
      if (code && SESSION_INVALID.has(code)) return { kind: 'session_invalid', code };
      return { kind: 'retry', reason: code ?? 'server_error' };
    }
    case 'network':
    case 'socket-error':
    case 'socket-closed':
    case 'disconnected':
    case 'unavailable-id':
      return { kind: 'retry', reason: error.type };
    default:
      // peer-unavailable, webrtc, … concern one data connection, not the broker link.
      return { kind: 'ignore' };
  }
}
