import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { exportDocs } from '../../src/api/docs-export.js';
import { parseConfig } from '../../src/config/index.js';

/** The document `regate docs export` writes (the one an integrator downloads), parsed. */
export async function exportedDocument(): Promise<any> {
  const out = mkdtempSync(join(tmpdir(), 'regate-contract-doc-'));
  try {
    await exportDocs(parseConfig({}), out, 'https://regate.example.ru');
    return JSON.parse(readFileSync(join(out, 'openapi.json'), 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// ajv-formats is CommonJS with `exports.default`; under ESM interop the callable is one level down.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/**
 * Ajv in JSON Schema 2020-12 mode, as an integrator's tooling would run it: Unicode regexes (Ajv's default), the
 * standard formats (ajv-formats), OpenAPI's `binary` format accepted. `strict: false` because the document root
 * (openapi, info, paths …) is added as one schema so that `#/components/schemas/X` refs resolve.
 */
export function ajvFor(doc: any): { ajv: Ajv2020; validatorAt(pointer: string): ReturnType<Ajv2020['compile']> } {
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ ...doc, $id: 'urn:regate:openapi' });
  return {
    ajv,
    validatorAt(pointer) {
      const v = ajv.getSchema(`urn:regate:openapi#${pointer}`);
      if (!v) throw new Error(`no schema at ${pointer}`);
      return v;
    },
  };
}

export const esc = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ExampleSite {
  /** JSON pointer of the schema the example must satisfy. */
  schemaAt: string;
  /** Where the example stands. */
  at: string;
  value: unknown;
}

/**
 * Every example in the document, with the schema it illustrates: `example`/`examples` of schema objects, and of
 * parameters, headers and media types (against their `schema`).
 */
export function examplesOf(doc: any): ExampleSite[] {
  const sites: ExampleSite[] = [];
  const walk = (node: any, at: string) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
    if ('schema' in node && typeof node.schema === 'object') {
      // parameter, header or media type
      if ('example' in node) sites.push({ schemaAt: `${at}/schema`, at: `${at}/example`, value: node.example });
      if (node.examples && typeof node.examples === 'object' && !Array.isArray(node.examples)) {
        for (const [k, ex] of Object.entries<any>(node.examples)) if (ex && 'value' in ex) sites.push({ schemaAt: `${at}/schema`, at: `${at}/examples/${esc(k)}/value`, value: ex.value });
      }
    } else if (!('value' in node)) {
      if ('example' in node && (node.type !== undefined || node.$ref || node.anyOf || node.oneOf || node.allOf || node.enum || node.const !== undefined || node.properties)) {
        sites.push({ schemaAt: at, at: `${at}/example`, value: node.example });
      }
      if (Array.isArray(node.examples)) node.examples.forEach((v: unknown, i: number) => sites.push({ schemaAt: at, at: `${at}/examples/${i}`, value: v }));
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'example' && k !== 'examples') walk(v, `${at}/${esc(k)}`);
    // examples of media types etc. are values, not schemas: not walked into
  };
  walk(doc, '');
  return sites;
}

/**
 * The OpenAPI Initiative's 3.1 JSON Schema, through @seriousme/openapi-schema-validator (Ajv 2020 under it, with the
 * schema's $dynamicRef dialect handling that a plain Ajv + schema file gets wrong): an external validator, not ours.
 */
export async function validateOas31(doc: any): Promise<{ valid: boolean; version: string; errors?: unknown }> {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const validator = new Validator();
  const r = await validator.validate(structuredClone(doc));
  return { valid: r.valid, version: validator.version, errors: r.errors };
}

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** [method, path, operation] of every path operation. */
export function operations(doc: any): [string, string, any][] {
  const out: [string, string, any][] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) for (const m of METHODS) if (item[m]) out.push([m, path, item[m]]);
  return out;
}

/** Follows a local $ref (one level is all the document uses). */
export const deref = (doc: any, o: any): any => {
  if (!o?.$ref) return o;
  return o.$ref
    .slice(2)
    .split('/')
    .reduce((n: any, k: string) => n?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
};
