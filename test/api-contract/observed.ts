import { deref } from './document.js';

/**
 * Answers as the server really gave them, matched to the operation of the document they belong to, and checked
 * against what that operation declares: the status, the media type, and every header beyond the transport ones.
 */
export interface Observation {
  method: string;
  path: string;
  /** The document's path template, e.g. /api/v1/picture/{id}; undefined when no operation matches. */
  template?: string;
  status: number;
  headers: Record<string, string>;
}

/** Headers of HTTP itself, never part of an API contract. */
export const TRANSPORT = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'date', 'connection', 'keep-alive', 'vary', 'content-type', 'strict-transport-security']);

export function templateOf(doc: any, method: string, path: string): string | undefined {
  for (const t of Object.keys(doc.paths)) {
    if (!doc.paths[t][method.toLowerCase()]) continue;
    const re = new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(path)) return t;
  }
  return undefined;
}

export function observe(doc: any, method: string, url: string, res: Response): Observation {
  const path = new URL(url, 'http://x').pathname;
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
  return { method: method.toUpperCase(), path, template: templateOf(doc, method, path), status: res.status, headers };
}

/** What is wrong with one observation against the document ([] when it conforms). */
export function mismatches(doc: any, o: Observation): string[] {
  const where = `${o.method} ${o.path} → ${o.status}`;
  if (!o.template) return [`${where}: no operation in the document`];
  const op = doc.paths[o.template][o.method.toLowerCase()];
  const declared = op.responses[String(o.status)];
  if (!declared) return [`${where}: status not declared (declared: ${Object.keys(op.responses).join(', ')})`];
  const r = deref(doc, declared);
  const out: string[] = [];
  const names = new Map(Object.keys(r.headers ?? {}).map((h) => [h.toLowerCase(), h]));
  for (const h of Object.keys(o.headers)) {
    if (TRANSPORT.has(h)) continue;
    if (!names.has(h)) out.push(`${where}: header ${h} sent but not declared`);
  }
  for (const [lower, name] of names) {
    const decl = deref(doc, r.headers[name]);
    if (decl.required && !(lower in o.headers)) out.push(`${where}: required header ${name} missing`);
  }
  const type = o.headers['content-type']?.split(';')[0].trim();
  const media = Object.keys(r.content ?? {});
  if (type && o.status !== 304) {
    const ok = media.some((m) => m === type || (m.endsWith('/*') && type.startsWith(m.slice(0, -1))));
    if (!ok) out.push(`${where}: content-type ${type} not declared (${media.join(', ') || 'no content'})`);
  }
  if (type && /json$/.test(type) && !/;\s*charset=utf-8/i.test(o.headers['content-type'])) out.push(`${where}: JSON without charset=utf-8 (${o.headers['content-type']})`);
  if (!type && media.length && o.method !== 'HEAD' && o.status !== 304) out.push(`${where}: no content-type, declared ${media.join(', ')}`);
  return out;
}
