/**
 * `npx tsx src/install/regenerate-composition.ts` — brings onec/odata-composition.txt and the copy embedded in the
 * data processor (onec/epf/…/Ext/ObjectModule.bsl) to what the profiles require now: the union of every profile's
 * requirements with and without the extension, plus what only the extension's role reads; «?» on a set not every
 * profile needs. Sets already listed keep their place and section; new ones go to the end of the section of their
 * configuration family; sets no profile needs any more are dropped. test/onec-xml checks the result.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/index.js';
import { getProfile, PROFILE_IDS, requirements, type ProfileId } from '../onec/profiles/index.js';
import { EXTRA_READ, OWN_REGISTERS } from './extension/plan.js';
import { COMPOSITION_FILE } from './composition.js';
import { REPO_ROOT } from './templates.js';

const setsOf = (id: ProfileId, extension: boolean) => {
  const config = parseConfig({ onec: { profile: id, extension } });
  return new Set(requirements(getProfile(id, config), config).map((r) => r.set));
};

export function compositionNeeds(): { union: Set<string>; always: Set<string>; firstProfile: Map<string, ProfileId> } {
  const firstProfile = new Map<string, ProfileId>();
  for (const id of PROFILE_IDS) for (const ext of [true, false]) for (const s of setsOf(id, ext)) if (!firstProfile.has(s)) firstProfile.set(s, id);
  const extra = [...EXTRA_READ.map((f) => f.replace('.', '_')), ...OWN_REGISTERS.map((r) => `InformationRegister_${r}`)];
  const union = new Set([...firstProfile.keys(), ...extra]);
  const always = new Set([...union].filter((n) => PROFILE_IDS.every((id) => setsOf(id, false).has(n))));
  return { union, always, firstProfile };
}

function regenerate(): { added: string[]; removed: string[] } {
  const { union, always, firstProfile } = compositionNeeds();
  const lines = readFileSync(COMPOSITION_FILE, 'utf8').split('\n');
  const listed = new Set<string>();
  const removed: string[] = [];
  const out: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (!t || t.startsWith('#')) {
      out.push(line);
      continue;
    }
    const name = t.replace(/^\?/, '');
    if (!union.has(name)) {
      removed.push(name);
      continue;
    }
    listed.add(name);
    out.push(`${always.has(name) ? '' : '?'}${name}`);
  }
  const added = [...union].filter((n) => !listed.has(n)).sort();
  // New sets of УТ-shaped profiles go before the section of other configurations, the rest at the end.
  const other = (n: string) => ['unf', 'bp', 'roznica'].includes(firstProfile.get(n) ?? '');
  const othersAt = out.findIndex((l) => l.startsWith('# Другие конфигурации'));
  const mine = added.filter((n) => !other(n)).map((n) => `${always.has(n) ? '' : '?'}${n}`);
  const theirs = added.filter(other).map((n) => `?${n}`);
  while (out.length && out[out.length - 1].trim() === '') out.pop();
  if (othersAt > 0 && mine.length) out.splice(othersAt, 0, '# Добавлено профилями УТ 11 / КА, ERP', ...mine, '');
  else out.push(...mine);
  out.push(...theirs, '');
  writeFileSync(COMPOSITION_FILE, out.join('\n'));

  // The data processor's copy: the Строки.Добавить block, same order, its file's BOM and CRLF kept.
  const epfRoot = join(REPO_ROOT, 'onec/epf');
  for (const dir of readdirSync(epfRoot, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const file = join(epfRoot, dir.name, 'Ext/ObjectModule.bsl');
    const text = readFileSync(file, 'utf8');
    const names = out.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const re = /(\tСтроки\.Добавить\("[^"]+"\);\r\n)+/;
    if (!re.test(text)) throw new Error(`${file}: no Строки.Добавить block`);
    writeFileSync(file, text.replace(re, names.map((n) => `\tСтроки.Добавить("${n}");\r\n`).join('')));
  }
  return { added, removed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = regenerate();
  console.log(`onec/odata-composition.txt: +${r.added.length} (${r.added.join(', ')}), -${r.removed.length} (${r.removed.join(', ')})`);
}
