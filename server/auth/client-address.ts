// Who is on the other end of a request: the socket's address, stamped on the request before Next sees it, and
// X-Forwarded-For only as far as the configured trusted proxies vouch for it.
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { Socket } from "node:net";

/**
 * The header that carries the socket's address to route handlers. Whatever a client sends under this name is
 * overwritten before Next reads the request (Next itself only sets X-Forwarded-For when the client did not).
 */
export const REMOTE_ADDRESS_HEADER = "x-epsilon-remote-address";

/** Set once the stamp is installed in this process; until then the header could be the client's own. */
const STAMPED = Symbol.for("epsilon-ledger.remote-address-stamped");
type StampFlag = { [STAMPED]?: true };

/**
 * Writes every incoming request's socket address into REMOTE_ADDRESS_HEADER, replacing any value the client sent.
 * Node publishes `http.server.request.start` synchronously before the server's request listeners (Next's) run.
 * Called once by the dashboard server as it starts (server/serve-cli.ts); calling it again does nothing.
 */
export function stampRemoteAddresses(): void {
  const flag = globalThis as StampFlag;
  if (flag[STAMPED]) return;
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const remote = socket.remoteAddress;
    if (remote) request.headers[REMOTE_ADDRESS_HEADER] = remote;
    else delete request.headers[REMOTE_ADDRESS_HEADER];
  });
  flag[STAMPED] = true;
}

/** The socket's address as stamped; null when the stamp is not installed (the header would then be forgeable). */
export function stampedRemoteAddress(headers: Record<string, string | string[] | undefined>): string | null {
  if (!(globalThis as StampFlag)[STAMPED]) return null;
  const value = headers[REMOTE_ADDRESS_HEADER];
  return typeof value === "string" ? value : null;
}

/**
 * One spelling per address, so that a throttle key and a proxy match do not depend on how it was written:
 * IPv6 compressed and lower-case, IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as dual-stack sockets report IPv4
 * clients) as plain IPv4. Null for anything that is not an IP address.
 */
export function canonicalAddress(raw: string): string | null {
  const text = raw.trim();
  const kind = isIP(text);
  if (kind === 4) return text;
  if (kind !== 6) return null;
  let v6: string;
  try {
    v6 = new URL(`http://[${text}]`).hostname.slice(1, -1);
  } catch {
    // A zone index (fe80::1%eth0) is no URL host; keep it as written.
    return text.toLowerCase();
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** An address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`); null when it is neither. */
export function parseProxyRange(raw: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [address = "", prefixText, ...rest] = raw.trim().split("/");
  const kind = isIP(address);
  if (kind === 0 || rest.length > 0) return null;
  const bits = kind === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  return { address, prefix, family: kind === 4 ? "ipv4" : "ipv6" };
}

/** Whether an address belongs to one of the trusted proxies. */
export type TrustedProxies = (address: string) => boolean;

/** The matcher for TRUSTED_PROXIES' entries (already validated by server/env.ts). */
export function trustedProxies(ranges: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const raw of ranges) {
    const range = parseProxyRange(raw);
    if (!range) throw new Error(`Not an IP address or CIDR range: ${raw}`);
    list.addSubnet(range.address, range.prefix, range.family);
  }
  return (address) => {
    const canonical = canonicalAddress(address);
    if (!canonical) return false;
    return list.check(canonical, isIP(canonical) === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * The client's address. The socket's peer is the last hop; while that hop is a trusted proxy, the address it
 * recorded (the last X-Forwarded-For entry not yet used) is the hop before it. The first hop that is not a
 * trusted proxy is the client: entries to its left are whatever it chose to send and are never read. When every
 * hop is a trusted proxy, the leftmost one is the client; an entry that is not an IP address ends the walk at the
 * proxy that wrote it. Null without a socket address.
 */
export function clientAddress(remote: string | null, forwardedFor: string | null, trusted: TrustedProxies): string | null {
  let hop = remote === null ? null : canonicalAddress(remote);
  if (hop === null) return null;
  const forwarded = (forwardedFor ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  while (trusted(hop)) {
    const previous = forwarded.pop();
    const address = previous === undefined ? null : canonicalAddress(previous);
    if (address === null) return hop;
    hop = address;
  }
  return hop;
}
