import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { NAMESPACE_ADDRESSES } from './private-network';

/**
 * The path between two browsers in the private namespace. Both veth addresses are local to the one namespace,
 * so by default a packet from 10.213.0.1 to 10.213.0.2 (or to 10.213.0.1) takes the loopback shortcut and
 * `ip link set v0 down` interrupts nothing: the kernel keeps the local routes of a downed link's addresses.
 *
 * `routeOverVeth()` makes traffic between the two addresses really cross the veth pair: the `local` table
 * moves behind policy rules that send 10.213.0.1 → 10.213.0.2 out of v0 and 10.213.0.2 → 10.213.0.1 out of
 * v1 (accept_local lets the other end take a packet from an address of its own host), same-address pairs
 * are refused and IPv6 is off, so every ICE candidate pair that works crosses the wire. Then `linkDown()`
 * cuts every data path between the browsers while their broker sockets on 127.0.0.1 stay up, as a lost
 * network path would. `restore()` puts the namespace back as private-network.ts made it.
 */
const [ADDRESS_V0, ADDRESS_V1] = NAMESPACE_ADDRESSES;
const TABLE_V0 = '100';
const TABLE_V1 = '101';
const RULES: ReadonlyArray<readonly string[]> = [
  ['pref', '10', 'iif', 'lo', 'from', ADDRESS_V0, 'to', ADDRESS_V1, 'lookup', TABLE_V0],
  ['pref', '11', 'iif', 'lo', 'from', ADDRESS_V1, 'to', ADDRESS_V0, 'lookup', TABLE_V1],
  ['pref', '12', 'iif', 'lo', 'from', ADDRESS_V0, 'to', ADDRESS_V0, 'unreachable'],
  ['pref', '13', 'iif', 'lo', 'from', ADDRESS_V1, 'to', ADDRESS_V1, 'unreachable'],
];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function tryIp(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // already as wanted
  }
}

const SYSCTL_DEVICES = ['all', 'default', 'lo', 'v0', 'v1'] as const;
/** What routeOverVeth() found, for restore(). */
let savedSysctls: Array<[file: string, value: string]> = [];

function setSysctl(name: string, value: string, family: 'ipv4' | 'ipv6' = 'ipv4'): void {
  for (const device of SYSCTL_DEVICES) {
    const file = `/proc/sys/net/${family}/conf/${device}/${name}`;
    savedSysctls.push([file, readFileSync(file, 'utf8').trim()]);
    writeFileSync(file, value);
  }
}

/** The routes over the wire; a downed link loses them, so `linkUp()` adds them again. */
function addWireRoutes(): void {
  ip('route', 'replace', 'default', 'dev', 'v0');
  ip('route', 'replace', ADDRESS_V1, 'dev', 'v0', 'src', ADDRESS_V0, 'table', TABLE_V0);
  ip('route', 'replace', ADDRESS_V0, 'dev', 'v1', 'src', ADDRESS_V1, 'table', TABLE_V1);
}

export function routeOverVeth(): void {
  setSysctl('accept_local', '1');
  setSysctl('rp_filter', '0');
  // IPv6 link-local candidates (fe80::…%v0, %v1) would take the loopback shortcut past these IPv4 rules: the
  // soak saw posts arrive with the link down until IPv6 was off.
  setSysctl('disable_ipv6', '1', 'ipv6');
  // Without a route of their own (link down) the wire's tables answer "unreachable" instead of falling through to `local`.
  for (const table of [TABLE_V0, TABLE_V1]) ip('route', 'replace', 'unreachable', '10.213.0.0/24', 'table', table);
  addWireRoutes();
  for (const rule of RULES) ip('rule', 'add', ...rule);
  ip('rule', 'add', 'pref', '1000', 'lookup', 'local');
  ip('rule', 'del', 'pref', '0', 'lookup', 'local');
}

/** Takes v0 down: v1 loses its carrier, so the wire between the veth ends is cut both ways. */
export function linkDown(): void {
  ip('link', 'set', 'v0', 'down');
}

export function linkUp(): void {
  ip('link', 'set', 'v0', 'up');
  addWireRoutes();
}

export function restore(): void {
  tryIp('link', 'set', 'v0', 'up');
  tryIp('route', 'replace', 'default', 'dev', 'v0');
  tryIp('rule', 'add', 'pref', '0', 'lookup', 'local');
  tryIp('rule', 'del', 'pref', '1000', 'lookup', 'local');
  for (const rule of RULES) tryIp('rule', 'del', ...rule);
  for (const table of [TABLE_V0, TABLE_V1]) tryIp('route', 'flush', 'table', table);
  for (const [file, value] of savedSysctls.reverse()) writeFileSync(file, value);
  savedSysctls = [];
}
