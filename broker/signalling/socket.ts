import { WebSocket } from 'ws';
import { errorFrame } from './messages';

const MESSAGE_TOO_BIG = 1009;

/**
 * `ws` closes a socket whose frame exceeds maxPayload (code 1009) without telling our code first;
 * it does so by calling close(), so this override sends the PeerJS ERROR `too_large` just before
 * the close frame, which lets the client tell this refusal from an outage.
 */
export class SignallingSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    if (code === MESSAGE_TOO_BIG && this.readyState === WebSocket.OPEN) {
      this.send(errorFrame('too_large'));
      super.close(code, 'too_large');
      return;
    }
    super.close(code, reason);
  }
}
