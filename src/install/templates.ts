import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** install/templates/ at the repository root (src/install → ../../install/templates). */
export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../install/templates');
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function readTemplate(name: string): string {
  return readFileSync(join(TEMPLATES_DIR, name), 'utf8');
}

/**
 * `{{name}}` is replaced by vars[name]; `{{#name}}…{{/name}}` is kept only when vars[name] is truthy (the marker
 * lines themselves disappear). An unknown placeholder is an error rather than a silent empty string: a generated
 * Apache config with an empty path would still parse and fail at run time.
 */
export function render(template: string, vars: Record<string, string | number | boolean | undefined>): string {
  const sections = template.replace(/^[ \t]*\{\{#(\w+)\}\}[ \t]*\r?\n([\s\S]*?)^[ \t]*\{\{\/\1\}\}[ \t]*\r?\n/gm, (_m, name: string, body: string) =>
    vars[name] ? body : '',
  );
  return sections.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined || typeof v === 'boolean') throw new Error(`template placeholder {{${name}}} has no value`);
    return String(v);
  });
}

/** Escapes text for an XML attribute or element (the 1C connection string carries quotes: Srvr="host"). */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
