// First step of `npm test`: the broker tests need PostgreSQL 15's binaries, `redis-server` and nginx (they start their own
// servers), the end-to-end tests Debian's Chromium and Firefox ESR, `unshare` and `ip`, and permission to create a network namespace. Installs what is missing when it can (as root with apt,
// like .ci/run), otherwise stops at once with the exact command, before minutes of type checks and builds.
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

const pgBin = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
const executables = [
  { name: 'PostgreSQL 15', file: `${pgBin}/postgres`, variable: 'PG_BIN', apt: 'postgresql', what: 'its bin directory' },
  { name: 'Chromium', file: process.env.CHROME_PATH || '/usr/bin/chromium', variable: 'CHROME_PATH', apt: 'chromium' },
  { name: 'Firefox ESR', file: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr', variable: 'FIREFOX_PATH', apt: 'firefox-esr' },
  // npm run broker:nodes and tests/broker/broker-nodes.test.ts run it as a plain process; no system service is used.
  { name: 'nginx', file: process.env.NGINX_PATH || '/usr/sbin/nginx', variable: 'NGINX_PATH', apt: 'nginx' },
];
const tools = [
  { name: 'unshare', apt: 'util-linux' },
  { name: 'ip', apt: 'iproute2' },
  // Started by tests/support/redis-server.ts on a free loopback port in a temp dir; no system service is used.
  { name: 'redis-server', apt: 'redis-server' },
];

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = () => [...executables.filter((b) => !executable(b.file)), ...tools.filter((t) => !onPath(t.name))];

function stop(lines) {
  console.error(['', 'npm test cannot run the tests on this machine yet:', ...lines.map((l) => `  ${l}`), ''].join('\n'));
  process.exit(1);
}

let absent = missing();
if (absent.length > 0) {
  const packages = [...new Set(absent.map((a) => a.apt))].join(' ');
  const isRoot = process.getuid?.() === 0;
  if (isRoot && onPath('apt-get')) {
    console.log(`Installing ${packages} from Debian (the tests need them)…`);
    const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (run(['update', '-qq']).status !== 0 || run(['install', '-y', '-qq', ...packages.split(' ')]).status !== 0) {
      stop([`apt-get could not install ${packages}. Run: apt-get update && apt-get install -y ${packages}`]);
    }
    absent = missing();
  }
  if (absent.length > 0) {
    stop([
      `Missing: ${absent.map((a) => a.name).join(', ')}.`,
      `Run: sudo apt-get update && sudo apt-get install -y ${packages}`,
      ...absent.filter((a) => a.variable).map((a) => `(or point ${a.variable} at ${a.name}'s ${a.what ?? 'executable'})`),
      'Unit tests (npm run test:unit) need only PostgreSQL 15, redis-server and nginx of this.',
    ]);
  }
}

// The browsers run in a private network namespace, which needs root or CAP_SYS_ADMIN.
const namespace = spawnSync('unshare', ['--net', 'true'], { stdio: 'ignore' });
if (namespace.status !== 0) {
  stop([
    'The end-to-end tests create a private network namespace, which needs root (or CAP_SYS_ADMIN).',
    'Run them as root, e.g.: sudo npm test   — or, for unit tests only: npm run test:unit',
  ]);
}
