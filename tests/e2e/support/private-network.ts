import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/**
 * The e2e suite runs in a network namespace of its own: loopback plus a veth pair (10.213.0.1 ↔ 10.213.0.2)
 * with a default route, so Firefox gathers ICE host candidates (it gathers none without a default route)
 * while nothing the browsers or the broker do can reach a real network.
 */
export const NAMESPACE_ENV = 'PEERWALL_E2E_NETNS';
export const NAMESPACE_ADDRESSES = ['10.213.0.1', '10.213.0.2'] as const;

const SETUP_SCRIPT = [
  'set -e',
  'ip link set lo up',
  'ip link add v0 type veth peer name v1',
  `ip addr add ${NAMESPACE_ADDRESSES[0]}/24 dev v0`,
  `ip addr add ${NAMESPACE_ADDRESSES[1]}/24 dev v1`,
  'ip link set v0 up',
  'ip link set v1 up',
  'ip route add default dev v0',
  'exec "$@"',
].join('; ');

/**
 * Runs this very command again inside a fresh private network namespace and exits with its status.
 * Does nothing when already inside one. Called at the top of tests/e2e/vitest.config.ts.
 */
export function reexecInPrivateNetwork(): void {
  if (process.env[NAMESPACE_ENV] === '1') return;
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const result = spawnSync('unshare', ['--net', 'sh', '-c', SETUP_SCRIPT, 'netns', ...command], {
    stdio: 'inherit',
    env: { ...process.env, [NAMESPACE_ENV]: '1' },
  });
  if (result.error) {
    console.error(
      `The e2e suite could not create its private network namespace (${result.error.message}).\n` +
        'It needs `unshare` and `ip` (util-linux, iproute2) and permission to create network namespaces (root or CAP_SYS_ADMIN).',
    );
    process.exit(1);
  }
  if (result.status === null) {
    console.error(`The e2e suite was stopped by ${result.signal ?? 'a signal'}.`);
    process.exit(1);
  }
  process.exit(result.status);
}

/** Throws unless this process sees exactly the private namespace's interfaces (lo, v0, v1). */
export function assertInPrivateNetwork(): void {
  const interfaces = networkInterfaces();
  const names = Object.keys(interfaces).sort();
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((entry) => entry.family === 'IPv4')
    .map((entry) => entry.address)
    .sort();
  const expected = ['127.0.0.1', ...NAMESPACE_ADDRESSES].sort();
  const inside =
    process.env[NAMESPACE_ENV] === '1' &&
    names.join(',') === 'lo,v0,v1' &&
    addresses.join(',') === expected.join(',');
  if (!inside) {
    throw new Error(
      `The e2e suite must run inside its private network namespace, but it sees interfaces ${names.join(', ')} ` +
        `with addresses ${addresses.join(', ')}. Start it with \`npm run test:e2e\`, which re-executes itself under \`unshare --net\`.`,
    );
  }
}
