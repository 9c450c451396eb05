import type { Context } from 'hono';

const LOOPBACK = new Set(['127.0.0.1', '::1']);
// Headers a reverse proxy adds (Apache mod_proxy: X-Forwarded-For; our Apache and IIS templates also set
// X-Forwarded-Proto). Their presence means the loopback peer is relaying someone else.
const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-real-ip'];

/** The TCP peer: the Node server's socket address ('' when the app is called without one, as in tests). */
export function peerAddress(c: Context): string {
  const raw = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? '';
  return raw.startsWith('::ffff:') ? raw.slice(7) : raw;
}

export function isLoopback(address: string): boolean {
  return LOOPBACK.has(address) || address.startsWith('127.');
}

export function isProxied(c: Context): boolean {
  for (const h of FORWARDED) if (c.req.header(h) !== undefined) return true;
  return false;
}

/**
 * A request made on this machine, not relayed: only such a request may read /metrics without credentials. Behind
 * Apache or IIS every request arrives from 127.0.0.1, so a loopback peer that carries forwarding headers is treated
 * as remote.
 */
export function isDirectLoopback(c: Context): boolean {
  return isLoopback(peerAddress(c)) && !isProxied(c);
}

/**
 * The client's address for logs, rate limits and lockout. X-Forwarded-For is believed only from a loopback peer
 * (our proxy) and only its last entry: the one the proxy itself appended. Earlier entries are whatever the client
 * chose to send.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  const peer = peerAddress(c);
  if (trustProxy && isLoopback(peer)) {
    const xff = c.req.header('x-forwarded-for');
    if (xff) {
      const last = xff.slice(xff.lastIndexOf(',') + 1).trim();
      if (last) return last.startsWith('::ffff:') ? last.slice(7) : last;
    }
  }
  return peer || 'local';
}
