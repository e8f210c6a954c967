import { REFUSAL_MESSAGES, type RefusalCode } from '../../core/signalling';

/** The PeerJS ERROR frame that refuses or ends a socket; its message starts with the code (docs/signalling.md). */
export const errorFrame = (code: RefusalCode): string =>
  JSON.stringify({ type: 'ERROR', payload: { msg: `${code}: ${REFUSAL_MESSAGES[code]}` } });
