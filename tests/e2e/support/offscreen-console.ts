import WebSocket from 'ws';
import type { ConsoleLog } from './console-log';

interface DevToolsEntry {
  url: string;
  webSocketDebuggerUrl?: string;
}

interface ConsoleEvent {
  method?: string;
  params?: {
    type?: string;
    args?: Array<{ value?: unknown; description?: string; type?: string }>;
    exceptionDetails?: { text?: string; exception?: { description?: string } };
  };
}

const POLL_MS = 1_000;

/**
 * Copies the console of Chromium's offscreen document (the peer host) into the user's log. Playwright lists
 * no offscreen documents, so this attaches to the document's own DevTools endpoint — again whenever the
 * extension recreates it. `Runtime.enable` replays what it logged before the attach.
 */
export class OffscreenConsole {
  private readonly sockets = new Map<string, WebSocket>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly debuggingPort: number,
    private readonly offscreenUrl: string,
    private readonly log: ConsoleLog,
  ) {}

  start(): void {
    if (this.timer) return;
    const poll = (): void => {
      void this.attachNew().finally(() => {
        if (this.timer) this.timer = setTimeout(poll, POLL_MS);
      });
    };
    this.timer = setTimeout(poll, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const socket of this.sockets.values()) socket.terminate();
    this.sockets.clear();
  }

  private async attachNew(): Promise<void> {
    let list: DevToolsEntry[];
    try {
      list = (await (await fetch(`http://127.0.0.1:${this.debuggingPort}/json/list`)).json()) as DevToolsEntry[];
    } catch {
      return; // the browser is quitting
    }
    for (const entry of list) {
      const url = entry.webSocketDebuggerUrl;
      if (entry.url !== this.offscreenUrl || !url || this.sockets.has(url) || !this.timer) continue;
      const socket = new WebSocket(url);
      this.sockets.set(url, socket);
      socket.on('open', () => socket.send(JSON.stringify({ id: 1, method: 'Runtime.enable' })));
      socket.on('message', (data) => this.write(JSON.parse(String(data)) as ConsoleEvent));
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(url));
    }
  }

  private write(event: ConsoleEvent): void {
    if (event.method === 'Runtime.consoleAPICalled') {
      const text = (event.params?.args ?? [])
        .map((arg) => (arg.value !== undefined ? (typeof arg.value === 'string' ? arg.value : JSON.stringify(arg.value)) : (arg.description ?? arg.type)))
        .join(' ');
      this.log.write(`offscreen ${event.params?.type ?? 'log'}`, text);
    } else if (event.method === 'Runtime.exceptionThrown') {
      const details = event.params?.exceptionDetails;
      this.log.write('offscreen pageerror', details?.exception?.description ?? details?.text ?? 'an uncaught exception');
    }
  }
}
