import { spawnSync } from 'node:child_process';

function tc(args: string[]): void {
  const result = spawnSync('tc', args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`tc ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}. It needs iproute2's tc (apt-get install -y iproute2) and the e2e namespace (root).`);
  }
}

/**
 * Slows every UDP packet on the loopback of the test's private network (the data channels between the
 * browsers, which all go over it) to `rate`, leaving TCP — the broker and the browsers' DevTools — as fast
 * as before: a large photo then takes long enough to arrive that a browser can be closed while it does.
 * Resolves with the function that lifts it.
 */
export function slowUdp(rate = '1mbit'): () => void {
  // HTB and u32 only: the kernels this runs on may lack netem and prio.
  tc(['qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10']);
  tc(['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit', 'quantum', '200000']);
  tc(['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', rate, 'ceil', rate]);
  tc(['qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '200']);
  tc(['filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'u32', 'match', 'ip', 'protocol', '17', '0xff', 'flowid', '1:20']);
  return () => tc(['qdisc', 'del', 'dev', 'lo', 'root']);
}
