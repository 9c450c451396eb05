import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPE_NAMES } from '../../src/webhooks/events.js';
import { CATALOG_EVENT } from '../../src/catalog/webhooks.js';
import { ajvFor, deref, examplesOf, exportedDocument, operations, validateOas31 } from './document.js';

/**
 * The document as generators and validators read it (issue 15): Swagger UI compiles `pattern` with `new RegExp(p)`,
 * Ajv with the `u` flag, PHP generators with preg_match. Every pattern must mean the same to all three, every
 * example must pass its own schema under Ajv 2020, and the document must validate against the OpenAPI 3.1 schema.
 */
let doc: any;
beforeAll(async () => {
  doc = await exportedDocument();
});

const patternsOf = (node: any, at = ''): { at: string; pattern: string }[] => {
  if (!node || typeof node !== 'object') return [];
  const own = typeof node.pattern === 'string' ? [{ at, pattern: node.pattern }] : [];
  return [...own, ...Object.entries(node).flatMap(([k, v]) => patternsOf(v, `${at}/${k}`))];
};

const php = spawnSync('php', ['-v']).status === 0;
if (!php) console.log('PCRE check skipped: no php on PATH (apt-get install php-cli)');

describe('patterns', () => {
  it('carry no JavaScript flags and compile the same with and without the u flag', () => {
    const all = patternsOf(doc);
    expect(all.length).toBeGreaterThanOrEqual(13); // the 13 places of issue 15, and the new ones
    for (const { at, pattern } of all) {
      expect(pattern, at).not.toMatch(/\/[a-z]*$/); // "…$/u", "…$/i" was the bug
      expect(pattern, at).not.toMatch(/\\[pPdDwWsSu]/); // \p{L} needs /u; \d, \w widen under PCRE UCP; \u is not PCRE
      expect(() => new RegExp(pattern), at).not.toThrow();
      expect(() => new RegExp(pattern, 'u'), at).not.toThrow();
    }
  });

  it('every example value matches its pattern in Swagger UI (no flag) and Ajv (u flag) alike', () => {
    const sites = examplesOf(doc);
    let checked = 0;
    for (const s of sites) {
      const schema = deref(doc, s.schemaAt.split('/').slice(1).reduce((n: any, k) => n?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc));
      if (typeof schema?.pattern === 'string' && typeof s.value === 'string') {
        expect(new RegExp(schema.pattern).test(s.value), `${s.at}: ${s.value}`).toBe(true);
        expect(new RegExp(schema.pattern, 'u').test(s.value), `${s.at}: ${s.value}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it.skipIf(!php)('PCRE (PHP preg_match, /u) compiles every pattern and agrees with JavaScript on samples', () => {
    const samples = ['RS-O-5001', 'Заказ-Ёлка/15', 'заказ_№1', '5c8a1f3e-2b4d-4e6f-8a9b-0C1D2E3F4A5B', '5c8a1f3e2b4d4e6f8a9b0c1d2e3f4a5b', '7707083893', '500100732259', '770701001', '220220******1234', 'Müller.Straße:7', 'ÆØÅ', '漢字', '١٢٣', 'a b', ''];
    const patterns = [...new Set(patternsOf(doc).map((p) => p.pattern))];
    // '/' stands escaped in the patterns (openapi-generator's PHP wraps them in /…/ as they are); ~ delimits here
    for (const p of patterns) expect(p).not.toContain('~');
    const script = `$in = json_decode(stream_get_contents(STDIN), true); $out = [];
      foreach ($in['patterns'] as $p) { $re = '~' . $p . '~u'; $row = [];
        foreach ($in['samples'] as $s) { $r = @preg_match($re, $s); $row[] = $r === false ? null : $r === 1; } $out[] = $row; }
      echo json_encode($out);`;
    const out = JSON.parse(execFileSync('php', ['-r', script], { input: JSON.stringify({ patterns, samples }) }).toString());
    patterns.forEach((p, i) => {
      const js = samples.map((s) => new RegExp(p, 'u').test(s));
      expect(out[i], `PCRE vs JS for ${p}`).toEqual(js);
    });
  });

  it('orderId/clientId accept what they accepted before for Latin, Cyrillic, digits and . _ : - / (property test)', async () => {
    const { EXTERNAL_ID } = await import('../../src/api/schemas/orders.js');
    const before = /^[\p{L}\p{N}._:\-/]+$/u;
    const alphabet = [...'abcxyzABCXYZ0123456789._:-/абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙЯЩЪЫЬЭЮЇІЄҐїієґўЎ'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 64 }), (chars) => {
        const s = chars.join('');
        expect(EXTERNAL_ID.test(s)).toBe(before.test(s));
        expect(EXTERNAL_ID.test(s)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // the same refusals: spaces, control characters, symbols
    for (const bad of ['a b', 'a\u0000', 'a@b', 'a#b', 'a+b', 'a,b', '']) expect(EXTERNAL_ID.test(bad), bad).toBe(before.test(bad));
  });

  it('GUIDs: upper, lower and mixed case accepted as with the old /i pattern', async () => {
    const { GUID } = await import('../../src/api/schemas/common.js');
    const before = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    fc.assert(
      fc.property(fc.uuid(), fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }), (u, up) => {
        const s = [...u].map((ch, i) => (up[i] ? ch.toUpperCase() : ch)).join('');
        expect(GUID.test(s)).toBe(before.test(s));
      }),
      { numRuns: 1000 },
    );
    for (const bad of ['5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5', 'zc8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b', '5c8a1f3e2b4d4e6f8a9b0c1d2e3f4a5b']) expect(GUID.test(bad)).toBe(false);
  });
});

describe('the document as tools read it', () => {
  it('validates against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator)', async () => {
    const r = await validateOas31(doc);
    expect(r.errors ?? [], String(JSON.stringify(r.errors)).slice(0, 2000)).toEqual([]);
    expect(r.version).toBe('3.1');
    expect(r.valid).toBe(true);
    // and it is not vacuous: a response without its description is refused
    const broken = structuredClone(doc);
    delete broken.paths['/api/v1/state'].get.responses['200'].description;
    expect((await validateOas31(broken)).valid).toBe(false);
  });

  it('every example passes its own schema under Ajv 2020 (formats and Unicode patterns on)', () => {
    const { validatorAt } = ajvFor(doc);
    const sites = examplesOf(doc);
    const failures: string[] = [];
    for (const s of sites) {
      const v = validatorAt(s.schemaAt);
      if (!v(s.value)) failures.push(`${s.at}: ${JSON.stringify(v.errors?.slice(0, 3))}`);
    }
    console.log(`Ajv 2020: ${sites.length} examples checked, ${failures.length} failing`);
    expect(sites.length).toBeGreaterThan(80);
    expect(failures).toEqual([]);
  });

  it('Ajv does reject a wrong example (the walker is not vacuous)', () => {
    const { validatorAt } = ajvFor(doc);
    const body = validatorAt('/components/schemas/BookingRequest');
    const good = doc.components.schemas.BookingRequest.example;
    expect(body(good)).toBe(true);
    expect(body({ ...good, store: 'not-a-guid' })).toBe(false);
    expect(body({ ...good, orderId: 'RS O 5001' })).toBe(false);
  });

  it('every operation has a unique operationId', () => {
    const ids = operations(doc).map(([m, p, op]) => op.operationId ?? `${m} ${p}: none`);
    const hooks = Object.values<any>(doc.webhooks ?? {}).flatMap((item) => Object.values<any>(item).map((op) => op.operationId));
    expect(ids.every((id) => /^[a-z][A-Za-z]+$/.test(id)), ids.join(', ')).toBe(true);
    expect(new Set([...ids, ...hooks]).size).toBe(ids.length + hooks.length);
    expect(ids.length).toBeGreaterThanOrEqual(15);
  });

  it('the webhooks section documents every event type with its payload', () => {
    // Every order event, and the catalogue's push (issue 17), which has a body of its own.
    expect(Object.keys(doc.webhooks).sort()).toEqual([...EVENT_TYPE_NAMES, CATALOG_EVENT].sort());
    for (const type of EVENT_TYPE_NAMES) {
      const media = doc.webhooks[type].post.requestBody.content['application/json'];
      expect(media.schema.$ref).toBe('#/components/schemas/WebhookEvent');
      expect(media.example.event ?? media.example.type).toBe(type);
    }
    const catalog = doc.webhooks[CATALOG_EVENT].post.requestBody.content['application/json'];
    expect(catalog.schema.$ref).toBe('#/components/schemas/CatalogChangedEvent');
    expect(catalog.example.type).toBe(CATALOG_EVENT);
  });

  it('middleware answers are declared: 429 and 504 everywhere, 413/415 with a body, 503 with Retry-After under /api/v1', () => {
    for (const [m, path, op] of operations(doc)) {
      const where = `${m.toUpperCase()} ${path}`;
      expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['429', '504']));
      if (op.requestBody) expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['413', '415']));
      if (path.startsWith('/api/v1/')) expect(deref(doc, op.responses['503']).headers['Retry-After'], where).toBeDefined();
      for (const [code, r] of Object.entries<any>(op.responses)) expect(deref(doc, r).headers?.['X-Request-Id'], `${where} ${code}`).toBeDefined();
    }
  });
});
