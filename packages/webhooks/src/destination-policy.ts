import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { AppError } from '@babelfish/core';

/**
 * Which webhook destinations may be called. A webhook URL is user input that makes our servers
 * send requests: without this check any key holder could reach the private network, the Redis
 * and database ports or the cloud metadata service (SSRF). Public addresses are allowed;
 * private, loopback, link-local, CGNAT, multicast and reserved ranges only when the operator
 * allow-lists the host or a CIDR; the metadata endpoints never.
 */

export type DestinationPolicy = {
  /** Host names allowed even when they resolve to a private address (lower case). */
  allowedHosts: ReadonlySet<string>;
  /** Addresses allowed even though they are private (from CIDRs or literal IPs in the allow-list). */
  allowedRanges: BlockList;
  /** Plain http is accepted (for tests and private networks); https is always accepted. */
  allowHttp: boolean;
};

export type CheckedDestination = { url: URL; address: string; family: 4 | 6 };

const privateRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96], ['100::', 64],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv6');
}

// Cloud instance metadata (AWS, GCP, Azure, Alibaba, AWS over IPv6): credentials live there.
const metadataAddresses = new BlockList();
for (const address of ['169.254.169.254', '169.254.170.2', '100.100.100.200']) metadataAddresses.addAddress(address, 'ipv4');
metadataAddresses.addAddress('fd00:ec2::254', 'ipv6');
const metadataHosts = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** Parses WEBHOOK_ALLOWED_HOSTS: comma-separated host names, IP addresses or CIDRs. */
export function parseDestinationPolicy(allowList: string | undefined, options: { allowHttp?: boolean } = {}): DestinationPolicy {
  const allowedHosts = new Set<string>();
  const allowedRanges = new BlockList();
  for (const entry of (allowList ?? '').split(',').map((part) => part.trim().toLowerCase()).filter(Boolean)) {
    const [network, prefixText] = entry.split('/') as [string, string | undefined];
    const family = isIP(network);
    if (family === 0) {
      if (prefixText !== undefined || !/^[a-z0-9.-]+$/.test(network)) throw new Error(`"${entry}" is neither a host name, an IP address nor a CIDR`);
      allowedHosts.add(network);
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`"${entry}" has a bad prefix length`);
    allowedRanges.addSubnet(network, prefix, type);
  }
  return { allowedHosts, allowedRanges, allowHttp: options.allowHttp ?? true };
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** Maps IPv4-mapped IPv6 (::ffff:10.0.0.1) to its IPv4 form, so it meets the IPv4 rules. */
function canonical(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

export function isMetadataAddress(address: string): boolean {
  const ip = canonical(address);
  return metadataAddresses.check(ip, familyOf(ip) === 6 ? 'ipv6' : 'ipv4');
}

export function isPrivateAddress(address: string): boolean {
  const ip = canonical(address);
  return privateRanges.check(ip, familyOf(ip) === 6 ? 'ipv6' : 'ipv4');
}

function refuse(message: string): never {
  throw new AppError('BAD_REQUEST', `Webhook URL refused: ${message}`);
}

/** Checks the URL's form (before any lookup): scheme, no credentials, a host. */
export function parseWebhookUrl(text: string, policy: DestinationPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refuse('not a valid URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) refuse('use https:// (or http://)');
  if (url.username || url.password) refuse('credentials in the URL are not allowed; verify the signature instead');
  if (text.length > 2000) refuse('longer than 2000 characters');
  return url;
}

/**
 * Resolves the URL's host and returns the one address the request must connect to. Every
 * resolved address must pass (an attacker's DNS can answer a public and a private address), and
 * the caller connects to the returned address only, so a second lookup cannot rebind it.
 */
export async function checkDestination(text: string, policy: DestinationPolicy): Promise<CheckedDestination> {
  const url = parseWebhookUrl(text, policy);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (metadataHosts.has(host)) refuse('cloud metadata endpoints are never allowed');
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      refuse(`the host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) refuse(`the host ${host} does not resolve`);
  const hostAllowed = policy.allowedHosts.has(host);
  for (const address of addresses) {
    if (isMetadataAddress(address)) refuse('cloud metadata endpoints are never allowed');
    const ip = canonical(address);
    const rangeAllowed = policy.allowedRanges.check(ip, familyOf(ip) === 6 ? 'ipv6' : 'ipv4');
    if (isPrivateAddress(address) && !hostAllowed && !rangeAllowed) {
      refuse(`${host} is a private, loopback or link-local address (allow-list it in WEBHOOK_ALLOWED_HOSTS)`);
    }
  }
  const address = canonical(addresses[0]!);
  return { url, address, family: familyOf(address) };
}
