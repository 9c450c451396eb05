import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderable } from '../helpers/orderable.js';
import { ajvFor, operations } from './document.js';
import { DEMO_USER, startDemo, type Demo } from './demo.js';

/**
 * `regate docs export DIR` (issue 15): the document, Swagger UI, a Postman collection made from the document and
 * the two clients. The collection is then run, request by request with its example values, against the demo: every
 * operation answers 2xx or 4xx with them (a 5xx or a refused example would be the collection lying).
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = mkdtempSync(join(tmpdir(), 'regate-export-'));
let demo: Demo;
let doc: any;
let collection: any;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(repo, 'bin/regate.mjs'), 'docs', 'export', out, '--server', 'https://regate.example.ru'], { cwd: repo, timeout: 60_000 });
  doc = JSON.parse(readFileSync(join(out, 'openapi.json'), 'utf8'));
  collection = JSON.parse(readFileSync(join(out, 'regate.postman_collection.json'), 'utf8'));
  demo = await startDemo();
}, 120_000);
afterAll(async () => {
  await demo?.close();
  rmSync(out, { recursive: true, force: true });
});

const requests = () => collection.item.flatMap((folder: any) => folder.item.map((i: any) => ({ folder: folder.name, ...i })));

describe('regate docs export DIR', () => {
  it('writes the document, Swagger UI, the Postman collection and both clients', () => {
    for (const f of ['openapi.json', 'index.html', 'swagger-ui-bundle.js', 'regate.postman_collection.json', 'clients/php/composer.json', 'clients/php/src/Client.php', 'clients/php/examples/quickstart.php', 'clients/ts/package.json', 'clients/ts/src/types.ts', 'clients/ts/src/client.ts']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(existsSync(join(out, 'clients/ts/node_modules'))).toBe(false);
  });

  it('the collection (Postman v2.1) has one request per operation, with Basic auth from variables', () => {
    expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(collection.info.version).toBe(doc.info.version);
    expect(collection.variable.find((v: any) => v.key === 'baseUrl').value).toBe('https://regate.example.ru');
    expect(collection.auth.type).toBe('basic');
    const ops = operations(doc).map(([m, p]) => `${m.toUpperCase()} /${p.split('/').filter(Boolean).map((s: string) => s.replace(/^\{(.+)\}$/, ':$1')).join('/')}`);
    const reqs = requests().map((r: any) => `${r.request.method} /${r.request.url.path.join('/')}`);
    expect(reqs.sort()).toEqual(ops.sort());
    // bodies are the document's examples, valid against the request schema
    const { validatorAt } = ajvFor(doc);
    for (const [m, p, op] of operations(doc)) {
      if (!op.requestBody) continue;
      const r = requests().find((x: any) => x.request.method === m.toUpperCase() && `/${x.request.url.path.join('/')}` === p);
      const v = validatorAt(`/paths/${p.replace(/\//g, '~1')}/${m}/requestBody/content/application~1json/schema`);
      expect(v(JSON.parse(r.request.body.raw)), `${m} ${p}`).toBe(true);
    }
  });

  it('every request of the collection, sent to the demo with its example values, gets a 2xx or a 4xx', async () => {
    const { store, items } = orderable(demo.rt.db, 1);
    const auth = 'Basic ' + Buffer.from(`${DEMO_USER.name}:${DEMO_USER.password}`).toString('base64');
    const tally: string[] = [];
    for (const r of requests()) {
      const req = r.request;
      let path = '/' + req.url.path.map((s: string) => (s.startsWith(':') ? encodeURIComponent(req.url.variable.find((v: any) => v.key === s.slice(1)).value) : s)).join('/');
      const query = (req.url.query ?? []).filter((q: any) => !q.disabled);
      if (query.length) path += '?' + query.map((q: any) => `${q.key}=${encodeURIComponent(q.value)}`).join('&');
      const headers: Record<string, string> = {};
      for (const h of req.header) if (!h.disabled) headers[h.key] = h.value;
      if (req.auth?.type !== 'noauth') headers.Authorization = auth;
      const res = await demo.rt.app.request(path, { method: req.method, headers, body: req.body?.raw });
      tally.push(`${req.method} ${path.split('?')[0]} → ${res.status}`);
      expect(res.status, `${req.method} ${path}: ${await res.clone().text()}`).toBeLessThan(500);
      expect([2, 3, 4]).toContain(Math.floor(res.status / 100));
    }
    console.log(`Postman collection against the demo:\n  ${tally.join('\n  ')}`);
    // and with the demo's own ids in place of the examples, the catalogue and booking requests succeed
    const booking = requests().find((r: any) => r.request.url.path.join('/') === 'api/v1/booking').request;
    const body = { ...JSON.parse(booking.body.raw), store, items: [{ itemId: items[0], quantity: 1 }] };
    await demo.rt.app.request('/api/v1/client', { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ clientId: body.clientId, name: 'Postman' }) });
    const res = await demo.rt.app.request('/api/v1/booking', { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect([201, 202]).toContain(res.status);
  });
});
