import type { WebhookEvent } from './types.js';

/**
 * Checks a webhook from ReGate (Standard Webhooks): webhook-signature `v1,<base64 HMAC-SHA256 over
 * "<webhook-id>.<webhook-timestamp>.<raw body>">`, the key being the bytes after `whsec_` (base64). Pass the body
 * exactly as received — parsing and re-serialising JSON changes the bytes and the signature with them. WebCrypto
 * only (Node 18+, browsers, workers).
 */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;
const header = (h: HeaderBag, name: string): string | undefined => {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
};

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toBase64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));

/** A plain ArrayBuffer copy: what both the DOM's and Node's WebCrypto typings accept. */
const buffer = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

function keyBytes(secret: string): ArrayBuffer {
  return buffer(secret.startsWith('whsec_') ? fromBase64(secret.slice(6)) : new TextEncoder().encode(secret));
}

/** The signature ReGate sends for these values (`v1,<base64>`). */
export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', keyBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `v1,${toBase64(await crypto.subtle.sign('HMAC', key, buffer(new TextEncoder().encode(`${id}.${timestamp}.${body}`))))}`;
}

function sameBytes(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The event when the signature is good and fresh (5 minutes either way by default); otherwise throws. */
export async function verifyWebhook(secret: string, headers: HeaderBag, body: string, opts: { toleranceSec?: number; now?: number } = {}): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signature) throw new WebhookVerificationError('нет заголовков webhook-id, webhook-timestamp или webhook-signature');
  const ts = Number(timestamp);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > (opts.toleranceSec ?? 300)) throw new WebhookVerificationError('webhook-timestamp слишком старый или из будущего');
  const expected = await signWebhook(secret, id, ts, body);
  if (!signature.split(' ').some((s) => sameBytes(s, expected))) throw new WebhookVerificationError('подпись не совпадает');
  return JSON.parse(body) as WebhookEvent;
}
