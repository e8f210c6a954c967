import { BlockList, isIP } from 'node:net';

/**
 * Which peers may tell the broker a client's address through `X-Forwarded-For` (TRUST_PROXY).
 * Never "everyone": the left-most entry is whatever the client wrote, so trusting it would let a
 * client pick a fresh address for every request and void every per-address limit (issue #17).
 */
export type ProxyTrust =
  | { kind: 'none' }
  /** The nearest `hops` peers are proxies, whatever their address: the client is the entry they added. */
  | { kind: 'hops'; hops: number }
  /** Peers at these addresses or CIDR ranges are proxies; the client is the nearest address outside them. */
  | { kind: 'addresses'; addresses: string[] };

const MAX_HOPS = 10;

const RULE =
  'TRUST_PROXY must be a number of proxy hops (1 for one reverse proxy in front of the broker) ' +
  'or a comma-separated list of proxy addresses and CIDR ranges';

/** Reads TRUST_PROXY; returns a sentence saying what is wrong instead of a value it cannot use. */
export function parseProxyTrust(raw: string | undefined): ProxyTrust | { error: string } {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === '0' || value === 'false') return { kind: 'none' };
  // `true` was documented as a synonym of `1`; it keeps that meaning rather than "trust everyone".
  if (value === 'true') return { kind: 'hops', hops: 1 };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) return { error: `${RULE}; ${hops} hops is more than ${MAX_HOPS}.` };
    return { kind: 'hops', hops };
  }
  const addresses = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of addresses) {
    if (!addToList(new BlockList(), entry)) return { error: `${RULE}; "${entry}" is neither.` };
  }
  return { kind: 'addresses', addresses };
}

/**
 * Fastify's `trustProxy` for a ProxyTrust: a function told each address from the socket's peer
 * (hop 0) leftwards through X-Forwarded-For; the client is the first address it does not trust.
 */
export function trustProxyOption(trust: ProxyTrust): false | ((address: string, hop: number) => boolean) {
  switch (trust.kind) {
    case 'none':
      return false;
    case 'hops':
      return (_address, hop) => hop < trust.hops;
    case 'addresses': {
      const proxies = new BlockList();
      for (const entry of trust.addresses) addToList(proxies, entry);
      return (address) => {
        const family = isIP(address);
        return family !== 0 && proxies.check(address, family === 6 ? 'ipv6' : 'ipv4');
      };
    }
  }
}

/** Adds an address or CIDR range; false when `entry` is neither. */
function addToList(list: BlockList, entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  try {
    if (prefix === undefined) list.addAddress(address, type);
    else if (/^\d{1,3}$/.test(prefix)) list.addSubnet(address, Number(prefix), type);
    else return false;
    return true;
  } catch {
    return false; // a prefix too long for the family, or an address the list cannot hold (a zone id)
  }
}
