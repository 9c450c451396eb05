/**
 * The HTTP side: node:http, no framework — the emulator must control raw bytes (a Location header in raw UTF-8,
 * an IIS HTML page for over-long URLs, destroyed sockets for lost responses), which frameworks hide.
 *
 * Paths: /<publication>/odata/standard.odata/<resource>; the fault admin lives outside it at /__emulator/.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { atomEntry, atomFeed, serviceDocument } from './atom.js';
import { err, errorJson, errorXml, ODataError } from './errors.js';
import type { Faults } from './faults.js';
import type { FilterContext } from './filter.js';
import { metadataXml } from './metadata.js';
import { recorderFieldOf, type Shape } from './model.js';
import { parseSelection, QueryCache, runQuery, serialize } from './query.js';
import type { Row, Store } from './store.js';
import { virtualTable } from './virtual.js';

export interface HandlerOptions {
  publication: string;
  users?: { name: string; password: string }[];
  composition?: string[];
  maxUrlLength: number;
  /** Origin as clients reach it (http://host:port), resolved after listen. */
  origin: () => string;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  json: boolean;
  /** $format=application/json;odata=nometadata: no odata.metadata, no navigation links. */
  noMeta: boolean;
  base: string;
}

const IIS_404 =
  '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n' +
  '<html xmlns="http://www.w3.org/1999/xhtml">\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>\r\n' +
  '<title>404 - File or directory not found.</title>\r\n</head>\r\n<body>\r\n<div id="header"><h1>Server Error</h1></div>\r\n' +
  '<div id="content">\r\n <div class="content-container"><fieldset>\r\n  <h2>404 - File or directory not found.</h2>\r\n' +
  '  <h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3>\r\n' +
  ' </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n';

/** Responses the fault dice chose to lose. */
const lost = new WeakSet<ServerResponse>();

/** Writes status + headers + body; header values may hold any Unicode (sent as raw UTF-8 bytes). */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  if (res.destroyed || res.headersSent) return;
  if (lost.has(res)) {
    // Lost response: the work is done (a write is applied), the answer never leaves.
    res.socket?.destroy();
    return;
  }
  const buf = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  // Node refuses header characters above U+00FF; 1C sends the Location with raw UTF-8 Cyrillic [LIVE]. Re-reading
  // the UTF-8 bytes as latin1 makes Node write exactly those bytes.
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) raw[k] = /[^\x00-\xff]/.test(v) ? Buffer.from(v, 'utf8').toString('latin1') : v;
  raw['Content-Length'] = String(buf?.length ?? 0);
  res.writeHead(status, raw);
  res.end(buf);
}

function sendError(c: Ctx, e: ODataError): void {
  const headers = { 'Content-Type': c.json ? 'application/json;charset=utf-8' : 'application/xml;charset=utf-8', DataServiceVersion: '3.0;' };
  send(c.res, e.status, headers, c.json ? errorJson(e) : errorXml(e));
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseQuery(qs: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of qs.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    // No '+' → space: 1C refused '+' for space live; a literal '+' stays a '+'.
    out[safeDecode(k)] = safeDecode(v);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Splits a resource path on '/' outside parentheses (Condition='A/B…' contains slashes). */
function splitPath(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of path) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === '/' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** `guid'…'` | `Ref_Key=guid'…',LineNumber=1` | `Period=datetime'…',Валюта_Key=guid'…'` → native key values. */
function parseKey(shape: Shape, src: string): Row {
  const parts: string[] = [];
  let cur = '';
  let inStr = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === "'") inStr = !inStr;
    if (ch === ',' && !inStr) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const key: Row = {};
  for (const part of parts) {
    const m = /^\s*(?:([\p{L}\p{N}_]+)\s*=\s*)?(.*?)\s*$/su.exec(part)!;
    const name = m[1] ?? shape.keys[0];
    const lit = m[2];
    const prop = shape.propByName.get(name);
    if (!prop || !shape.keys.includes(name)) throw err.segment(name);
    let v: unknown;
    let g: RegExpExecArray | null;
    if ((g = /^guid'([0-9a-fA-F-]{36})'$/.exec(lit))) v = g[1].toLowerCase();
    else if ((g = /^datetime'(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)'$/.exec(lit))) v = g[1].length === 16 ? `${g[1]}:00` : g[1];
    else if ((g = /^'(.*)'$/s.exec(lit))) v = g[1].replace(/''/g, "'");
    else if (/^-?\d+(\.\d+)?$/.test(lit)) v = Number(lit);
    else if (lit === 'true' || lit === 'false') v = lit === 'true';
    else throw err.parseValue(lit, prop.type);
    if (prop.type === 'Edm.Guid' && (typeof v !== 'string' || !/^[0-9a-f-]{36}$/.test(v))) throw err.parseValue(String(v), 'Edm.Guid');
    key[name] = v;
  }
  for (const k of shape.keys) if (!(k in key)) throw err.segment(k);
  return key;
}

function keyLiteral(shape: Shape, row: Row): string {
  const lit = (name: string) => {
    const p = shape.propByName.get(name)!;
    const v = row[name];
    if (p.type === 'Edm.Guid') return `guid'${v}'`;
    if (p.type === 'Edm.DateTime') return `datetime'${v}'`;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return `'${String(v).replace(/'/g, "''")}'`;
  };
  if (shape.keys.length === 1 && shape.keys[0] === 'Ref_Key') return `(${lit('Ref_Key')})`;
  return `(${shape.keys.map((k) => `${k}=${lit(k)}`).join(',')})`;
}

export function createHandler(store: Store, faults: Faults, opts: HandlerOptions) {
  const prefix = `/${opts.publication}/odata/standard.odata`;
  const published = (name: string) => {
    if (!opts.composition) return store.model.shapes.has(name);
    const owner = store.model.shapes.get(name)?.def.name;
    return opts.composition.includes(name) || (!!owner && opts.composition.includes(owner));
  };
  const cache = new QueryCache();
  // Virtual tables recomputed only after a write: Balance over the 100k-item demo's 238,000 stock records takes
  // ~1.1 s (a live base: 2–19 s), and clients ask for it page after page.
  const virtualCache = new Map<string, { version: number; result: ReturnType<typeof virtualTable> }>();
  const fctx: FilterContext = {
    shapeOf: (set) => store.model.shapes.get(set),
    getRow: (set, key) => {
      try {
        return store.get(set, key);
      } catch {
        return undefined;
      }
    },
  };

  const authOk = (req: IncomingMessage): boolean => {
    if (!opts.users?.length) return true;
    const h = req.headers.authorization;
    if (!h || !/^basic /i.test(h)) return false;
    const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return false;
    const [name, password] = [decoded.slice(0, i), decoded.slice(i + 1)];
    return opts.users.some((u) => u.name === name && u.password === password);
  };

  async function handleOData(c: Ctx, resource: string, q: Record<string, string>): Promise<void> {
    const { req, res } = c;
    const method = (req.headers['x-http-method'] as string | undefined)?.toUpperCase() ?? req.method ?? 'GET';
    if (resource === '' || resource === '/') {
      const sets = [...store.model.shapes.keys()].filter(published);
      return send(res, 200, { 'Content-Type': c.json ? 'application/json;charset=utf-8' : 'application/xml;charset=utf-8', DataServiceVersion: '3.0;' }, serviceDocument(c.base, sets, c.json));
    }
    const segs = splitPath(resource.replace(/^\//, ''));
    if (segs[0] === '$metadata') {
      return send(res, 200, { 'Content-Type': 'application/xml;charset=utf-8', DataServiceVersion: '3.0;' }, metadataXml(store.model, published));
    }
    const m = /^([^(]+)(?:\((.*)\))?$/s.exec(segs[0]);
    if (!m) throw err.unknownSet(segs[0]);
    const setName = m[1];
    const shape = store.model.shapes.get(setName);
    if (!shape || !published(setName)) throw err.unknownSet(setName);
    const keySrc = m[2];
    const rest = segs.slice(1);
    const jsonHeaders = { 'Content-Type': c.json ? 'application/json;charset=utf-8' : 'application/atom+xml;charset=utf-8', DataServiceVersion: '3.0;' };

    const sendCollection = (sh: Shape, rows: Row[] | (() => Row[]), metaName: string, cached = false) => {
      const sel = parseSelection(sh, fctx, q.$select, q.$expand);
      // "Использование параметра $inlinecount приводит к игнорированию параметров $skip и $top" (guide 17.4.6.2).
      const inline = q.$inlinecount === 'allpages';
      const paging = inline ? {} : { top: q.$top, skip: q.$skip };
      // Filters may navigate into other sets, so any write invalidates (store.writes is the version).
      const { page, count } = runQuery(sh, rows, { filter: q.$filter, orderby: q.$orderby, ...paging }, fctx, cached ? { cache, version: store.writes } : undefined);
      if (c.json) {
        const body: Row = c.noMeta ? {} : { 'odata.metadata': `${c.base}/$metadata#${metaName}` };
        if (inline) body['odata.count'] = String(count);
        const so = { links: !c.noMeta };
        body.value = page.map((r) => serialize(sh, r, sel, fctx, so));
        return send(res, 200, jsonHeaders, JSON.stringify(body));
      }
      const idOf = (r: Row) => (sh.keys.length ? `${c.base}/${sh.name}${keyLiteral(sh, r)}` : `${c.base}/${metaName}`);
      return send(res, 200, jsonHeaders, atomFeed(c.base, sh, page.map((r) => serialize(sh, r, sel, fctx)), idOf, inline ? count : undefined));
    };
    const sendEntity = (status: number, sh: Shape, row: Row, extra: Record<string, string> = {}) => {
      const sel = parseSelection(sh, fctx, q.$select, q.$expand);
      if (c.json) {
        const fields = serialize(sh, row, sel, fctx, { links: !c.noMeta });
        const body = c.noMeta ? fields : { 'odata.metadata': `${c.base}/$metadata#${sh.name}/@Element`, ...fields };
        return send(res, status, { ...jsonHeaders, ...extra }, JSON.stringify(body));
      }
      return send(res, status, { ...jsonHeaders, ...extra }, atomEntry(c.base, sh, serialize(sh, row, sel, fctx), `${c.base}/${sh.name}${keyLiteral(sh, row)}`));
    };
    const readJson = async (): Promise<Row> => {
      const buf = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(buf.toString('utf8'));
      } catch {
        throw err.badJson();
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw err.internal();
      return body as Row;
    };

    // Collection-level: GET, POST, /$count, virtual tables.
    if (keySrc === undefined) {
      if (rest.length === 0) {
        if (method === 'GET') return sendCollection(shape, () => store.list(setName), setName, true);
        if (method === 'POST') {
          if (shape.kind === 'tabular') {
            await readBody(req);
            throw err.tabularPost();
          }
          const body = await readJson();
          const row = store.insert(setName, body);
          if (shape.kind === 'inforeg') return sendEntity(200, shape, row);
          return sendEntity(201, shape, row, { Location: `${c.base}/${setName}${keyLiteral(shape, row)}` });
        }
        throw new ODataError(405, '0', `Метод ${method} не поддерживается для ${setName}`);
      }
      if (rest.length === 1 && rest[0] === '$count') {
        const { count } = runQuery(shape, () => store.list(setName), { filter: q.$filter }, fctx, { cache, version: store.writes });
        return send(res, 200, { 'Content-Type': 'text/plain;charset=utf-8', DataServiceVersion: '3.0;' }, String(count));
      }
      const vm = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(rest[0]);
      if (rest.length === 1 && vm && method === 'GET') {
        const vkey = `${setName}/${vm[1]}(${vm[2] ?? ''})`;
        let hit = virtualCache.get(vkey);
        if (!hit || hit.version !== store.writes) {
          hit = { version: store.writes, result: virtualTable(store, fctx, setName, vm[1], vm[2] ?? '') };
          virtualCache.set(vkey, hit);
          if (virtualCache.size > 32) virtualCache.delete(virtualCache.keys().next().value!);
        }
        const v = hit.result;
        return sendCollection(v.shape, v.rows, v.shape.name);
      }
      throw err.segment(rest.join('/'));
    }

    const key = parseKey(shape, keySrc);
    if (rest.length === 0) {
      switch (method) {
        case 'GET': {
          const row = store.get(setName, key);
          if (!row) throw err.notFound(setName);
          return sendEntity(200, shape, row);
        }
        case 'PATCH':
        case 'MERGE':
        case 'PUT': {
          const body = await readJson();
          if (shape.kind === 'recordset') {
            const records = Array.isArray(body.RecordSet) ? (body.RecordSet as Row[]) : [];
            const rf = recorderFieldOf(shape);
            const recorderSet = typeof key.Recorder_Type === 'string' ? key.Recorder_Type.replace(/^StandardODATA\./, '') : undefined;
            store.writeRecords(setName, String(key[rf]), records, recorderSet);
            return sendEntity(200, shape, store.get(setName, key) ?? { ...key, RecordSet: [] });
          }
          const row = store.update(setName, key, body);
          return sendEntity(200, shape, row);
        }
        case 'DELETE':
          store.remove(setName, key);
          return send(res, 204, { DataServiceVersion: '3.0;' });
        default:
          throw new ODataError(405, '0', `Метод ${method} не поддерживается`);
      }
    }
    const action = /^([A-Za-z]+)(?:\(\))?$/.exec(rest[0])?.[1];
    if (rest.length === 1 && (action === 'Post' || action === 'Unpost') && method === 'POST') {
      await readBody(req);
      if (action === 'Post') store.post(setName, String(key.Ref_Key));
      else store.unpost(setName, String(key.Ref_Key));
      return send(res, 200, { DataServiceVersion: '3.0;' });
    }
    if (rest.length === 1 && method === 'GET') {
      // A navigation property: Catalog_X(guid'…')/ЕдиницаИзмерения
      const row = store.get(setName, key);
      if (!row) throw err.notFound(setName);
      const storage = shape.propByName.get(`${rest[0]}_Base64Data`);
      if (storage?.storage) {
        // The navigation property of a ХранилищеЗначения gives the bytes themselves (§17.4).
        const type = String(row[`${rest[0]}_Type`] || 'application/octet-stream');
        return send(res, 200, { 'Content-Type': type }, Buffer.from(String(row[storage.name] ?? ''), 'base64'));
      }
      const nav = shape.navByName.get(rest[0]);
      if (nav) {
        const target = store.model.shapes.get(nav.target);
        const trow = target && fctx.getRow(nav.target, String(row[nav.field]));
        if (!target || !trow) throw err.notFound(nav.target);
        return sendEntity(200, target, trow);
      }
    }
    throw err.segment(rest.join('/'));
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
    const path = safeDecode(rawPath);
    if (path.startsWith('/__emulator/')) return admin(req, res, path, faults, store.options);
    if (Buffer.byteLength(rawQuery) > opts.maxUrlLength) {
      // IIS request filtering (maxQueryString 2048) answers before 1C sees the request.
      return send(res, 404, { 'Content-Type': 'text/html', Server: 'Microsoft-IIS/10.0' }, IIS_404);
    }
    if (!(path === prefix || path.startsWith(`${prefix}/`))) {
      return send(res, 404, { 'Content-Type': 'text/html' }, IIS_404);
    }
    if ((req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') && req.headers['content-length'] === undefined && !req.headers['transfer-encoding']) {
      // IIS refuses a bodyless POST without Content-Length: 0 [LIVE].
      return send(res, 411, { 'Content-Type': 'text/html', Server: 'Microsoft-IIS/10.0' }, '<h2>Length Required</h2>');
    }
    const q = parseQuery(rawQuery);
    const accept = String(req.headers.accept ?? '');
    const fmt = q.$format?.toLowerCase();
    const json = fmt ? fmt === 'json' || fmt.startsWith('application/json') : /application\/json/.test(accept);
    const noMeta = /odata=nometadata/i.test(fmt ?? accept);
    const c: Ctx = { req, res, json, noMeta, base: `${opts.origin()}${prefix}` };
    if (!authOk(req)) {
      return send(res, 401, { 'WWW-Authenticate': `Basic realm="${opts.publication}"`, 'Content-Type': 'text/plain;charset=utf-8' }, 'Unauthorized');
    }

    // Faults: session pool, latency, then the dice.
    const got = await faults.acquire();
    if (!got) {
      return send(res, 503, { 'Content-Type': 'text/plain;charset=utf-8', 'Retry-After': '1' }, 'Service Unavailable: превышено время ожидания свободного сеанса (poolTimeout)');
    }
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        faults.release();
      }
    };
    res.on('close', release);
    try {
      const delay = faults.delayMs();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const fate = faults.decide();
      if (fate === 'timeout') return; // never answer; the slot frees when the client gives up
      if (fate === 'error') return sendError(c, err.internal());
      if (fate === 'lost') lost.add(res);
      await handleOData(c, path.slice(prefix.length), q);
    } catch (e) {
      if (e instanceof ODataError) return sendError(c, e);
      sendError(c, err.internal());
    } finally {
      faults.touch();
      if (res.writableEnded || res.destroyed) release();
    }
  };
}


/** The admin endpoint alone, for a separate listener that stays up while the OData one is "down". */
export function createAdminHandler(faults: Faults, options?: Record<string, boolean>) {
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => admin(req, res, safeDecode((req.url ?? '/').split('?')[0]), faults, options);
}

async function admin(req: IncomingMessage, res: ServerResponse, path: string, faults: Faults, options?: Record<string, boolean>): Promise<void> {
  const json = { 'Content-Type': 'application/json;charset=utf-8' };
  try {
    // Functional options of the emulated base (Constant_* in a real one): GET them, POST {"Имя": true|false}.
    if (path === '/__emulator/options' && options) {
      if (req.method === 'POST') {
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
        for (const [k, v] of Object.entries(body)) options[k] = v === true;
      }
      return send(res, 200, json, JSON.stringify(options));
    }
    if (path === '/__emulator/faults' && req.method === 'GET') return send(res, 200, json, JSON.stringify(faults.config));
    if (path === '/__emulator/faults' && (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT')) {
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      const { downForMs, ...patch } = body as Record<string, unknown> & { downForMs?: number };
      if (req.method === 'PUT') await faults.reset();
      // Answer first: going down closes this very connection.
      const next = { ...faults.config, ...patch };
      send(res, 200, json, JSON.stringify(next));
      await faults.set(patch);
      if (downForMs && faults.config.down) setTimeout(() => void faults.up(), downForMs).unref();
      return;
    }
    if (path === '/__emulator/faults/reset' && req.method === 'POST') {
      await readBody(req);
      return send(res, 200, json, JSON.stringify(await faults.reset()));
    }
    if (path === '/__emulator/health') return send(res, 200, json, JSON.stringify({ ok: true, inProgress: faults.inProgress }));
    send(res, 404, json, JSON.stringify({ error: 'unknown admin path' }));
  } catch (e) {
    send(res, 400, json, JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
  }
}
