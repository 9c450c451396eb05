import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/index.js';
import { exportDocs } from '../../src/api/docs-export.js';

// The contract Richest.store's developers read: every operation documented in Russian, with the basic scheme,
// declared errors and an example for every request and JSON response.
const out = mkdtempSync(join(tmpdir(), 'regate-docs-'));
await exportDocs(parseConfig({}), out, 'https://regate.example.ru');
const spec = JSON.parse(readFileSync(join(out, 'openapi.json'), 'utf8'));

const resolve = (schema: any): any => (schema?.$ref ? spec.components.schemas[schema.$ref.split('/').pop()] : schema);
const hasExample = (schema: any): boolean => {
  const s = resolve(schema);
  if (!s) return false;
  if (s.example !== undefined || s.examples !== undefined) return true;
  if (s.type === 'object' && s.properties) return Object.values(s.properties).every((p: any) => hasExample(p) || resolve(p)?.type !== undefined);
  return false;
};

describe('OpenAPI 3.1 and the static docs export', () => {
  it('is OpenAPI 3.1 with the basic auth scheme applied globally and the given server', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.components.securitySchemes.basicAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'basic' }));
    expect(spec.security).toEqual([{ basicAuth: [] }]);
    expect(spec.servers[0].url).toBe('https://regate.example.ru');
  });

  it('documents every method of the specification', () => {
    for (const m of ['state', 'city', 'citystore', 'storetable', 'assortment', 'client', 'clientupd', 'booking', 'paycard', 'bookingstate', 'refund', 'bank/unmatched']) {
      expect(spec.paths[`/api/v1/${m}`], m).toBeDefined();
    }
  });

  it('every API operation: Russian summary, 400 and 401 declared, an example for its request body and 2xx JSON answer', () => {
    for (const [path, ops] of Object.entries<any>(spec.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries<any>(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.summary, where).toMatch(/[а-яё]/i);
        expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['400', '401']));
        const body = op.requestBody?.content?.['application/json']?.schema;
        if (body) expect(resolve(body).example, `${where} request example`).toBeDefined();
        for (const [code, r] of Object.entries<any>(op.responses)) {
          const schema = r.content?.['application/json']?.schema;
          if (code.startsWith('2') && schema) expect(hasExample(schema), `${where} ${code} example`).toBe(true);
        }
      }
    }
  });

  it('status codes are enums with their names in the description', () => {
    const brief = spec.components.schemas.OrderBrief;
    const status = brief.properties.status;
    expect(JSON.stringify(status)).toContain('возврат денег');
    expect(status.enum ?? status.anyOf?.map((x: any) => x.const)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('writes a static Swagger UI folder that loads ./openapi.json', () => {
    for (const f of ['index.html', 'swagger-ui-bundle.js', 'swagger-ui.css']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain("url: './openapi.json'");
  });
});
