import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigSchema, SECRET_KEY, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { key: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** camelCase → SNAKE: `maxUrlLength` → `MAX_URL_LENGTH`. */
const snake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Peels default/prefault/optional wrappers to reach the object shape beneath, if any. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s: any = schema;
  for (let i = 0; i < 8 && s; i++) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, z.ZodType>;
    s = s.def?.innerType ?? s.def?.in ?? undefined;
  }
  return undefined;
}

/**
 * Environment names come from the schema itself: `onec.password` ↔ `REGATE_ONEC_PASSWORD`,
 * `outbox.maxAttempts` ↔ `REGATE_OUTBOX_MAX_ATTEMPTS`. Walking the schema (rather than splitting names on `_`)
 * keeps the mapping unambiguous for keys that contain underscores in SNAKE form.
 */
export function envKeys(schema: z.ZodType = ConfigSchema, prefix = 'REGATE', path: string[] = []): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const shape = objectShape(schema);
  if (!shape) return out;
  for (const [key, child] of Object.entries(shape)) {
    const name = `${prefix}_${snake(key)}`;
    const childPath = [...path, key];
    if (objectShape(child)) for (const [n, p] of envKeys(child, name, childPath)) out.set(n, p);
    else out.set(name, childPath);
  }
  return out;
}

function setPath(target: Record<string, any>, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

export function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
  const text = readFileSync(file, 'utf8');
  try {
    const data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return (data ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
}

/**
 * Resolves the configuration: the file (YAML or JSON) if given, then REGATE_* variables on top, then the schema's
 * defaults. Structured values (arrays such as auth.users) can be given in the environment as JSON.
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {}): Config {
  const env = opts.env ?? process.env;
  const raw: Record<string, any> = opts.file ? readConfigFile(opts.file) : {};
  for (const [name, path] of envKeys()) {
    const value = env[name];
    if (value === undefined) continue;
    const trimmed = value.trim();
    setPath(raw, path, trimmed.startsWith('[') || trimmed.startsWith('{') ? safeJson(trimmed, name) : value);
  }
  for (const [key, value] of Object.entries(opts.overrides ?? {})) setPath(raw, key.split('.'), value);
  return parseConfig(raw);
}

function safeJson(text: string, name: string) {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${name}: not valid JSON`, [{ key: name, message: 'not valid JSON' }]);
  }
}

export function parseConfig(raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    key: i.path.join('.') || '(root)',
    message: i.code === 'unrecognized_keys' ? `unknown key(s): ${(i as any).keys.join(', ')}` : i.message,
  }));
  throw new ConfigError(`invalid configuration:\n${issues.map((i) => `  ${i.key}: ${i.message}`).join('\n')}`, issues);
}

/** A deep copy with every secret replaced by "***" (kept empty when empty, so "not set" stays visible). */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(maskSecrets) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && typeof v === 'string' && v !== '' ? '***' : maskSecrets(v);
    }
    return out as T;
  }
  return value;
}
