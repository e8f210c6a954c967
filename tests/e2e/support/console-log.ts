import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Appends timestamped lines to a browser's log file in the artifacts folder. */
export class ConsoleLog {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  write(source: string, text: string): void {
    appendFileSync(this.file, `${new Date().toISOString()} [${source}] ${text}\n`);
  }
}
