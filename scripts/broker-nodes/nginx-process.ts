import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { nginxConfig } from './nginx-config';

/** Debian's nginx (`apt-get install nginx`, or nginx-light); NGINX_PATH points elsewhere. */
export const NGINX = process.env.NGINX_PATH || '/usr/sbin/nginx';
const START_TIMEOUT_MS = 10_000;

/** nginx as a plain foreground process (no service) with deploy/nginx.conf made local, its files in `dir`. */
export class NginxProcess {
  private constructor(private readonly child: ChildProcess) {}

  /** Throws with the command that installs nginx when it is missing (checked before anything else starts). */
  static require(): void {
    try {
      accessSync(NGINX, constants.X_OK);
    } catch {
      throw new Error(`nginx is missing (${NGINX}). Run: sudo apt-get install -y nginx   (or point NGINX_PATH at it)`);
    }
  }

  static async start(options: { port: number; upstreams: readonly number[]; dir: string }): Promise<NginxProcess> {
    NginxProcess.require();
    // As root, nginx's workers run as an unprivileged user, which must reach its temp directories.
    const asRoot = process.getuid?.() === 0;
    const tmp = join(options.dir, 'tmp');
    mkdirSync(join(tmp, 'body'), { recursive: true });
    mkdirSync(join(tmp, 'proxy'), { recursive: true });
    if (asRoot) {
      chmodSync(options.dir, 0o711);
      for (const sub of ['', 'body', 'proxy']) chownSync(join(tmp, sub), idOf('-u', 'nobody'), idOf('-g', 'nobody'));
    }
    const file = join(options.dir, 'nginx.conf');
    writeFileSync(file, nginxConfig({ ...options, user: asRoot ? 'nobody nogroup' : undefined }));
    const errorLog = join(options.dir, 'nginx-error.log');
    const args = ['-p', options.dir, '-c', file, '-e', errorLog, '-g', 'daemon off;'];
    const check = spawnSync(NGINX, ['-t', ...args.slice(0, 6)], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx refused the generated ${file}:\n${check.stderr}`);
    const child = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await listening(options.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`nginx did not start:\n${output}${safeRead(errorLog)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return new NginxProcess(child);
  }

  /** SIGTERM: nginx's fast shutdown, which closes the sockets it carries. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function idOf(flag: '-u' | '-g', name: string): number {
  const answer = spawnSync('id', [flag, name], { encoding: 'utf8' });
  const id = Number(answer.stdout.trim());
  if (answer.status !== 0 || !Number.isInteger(id)) throw new Error(`There is no "${name}" system user or group for nginx's workers.`);
  return id;
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
