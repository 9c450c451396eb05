import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './templates.js';

export const EXTENSION_DIR = join(REPO_ROOT, 'onec/extension');

export interface AdoptResult {
  /** Adopted objects whose ExtendedConfigurationObject now holds the base's id. */
  mapped: { object: string; id: string }[];
  /** Adopted objects the base dump does not have: the extension cannot be applied to that base as is. */
  missing: string[];
}

const FOLDERS: Record<string, string> = {
  Language: 'Languages', Catalog: 'Catalogs', Document: 'Documents', InformationRegister: 'InformationRegisters',
  AccumulationRegister: 'AccumulationRegisters', CommonModule: 'CommonModules', Role: 'Roles',
};

/**
 * Copies onec/extension to `outDir` with every placeholder ExtendedConfigurationObject replaced by the id of the
 * same-named object in a dump of the base configuration (Конфигуратор → Выгрузить конфигурацию в файлы, or
 * `/DumpConfigToFiles`): the object's `uuid` attribute in, e.g., `Catalogs/Номенклатура.xml`. The extension maps by
 * name anyway (KeepMappingToExtendedConfigurationObjectsByIDs = false); this makes the sources exactly what the
 * designer would dump for that base.
 */
export function adoptFromBaseDump(baseDump: string, outDir: string, extensionDir = EXTENSION_DIR): AdoptResult {
  if (!existsSync(join(baseDump, 'Configuration.xml'))) throw new Error(`${baseDump}: no Configuration.xml — not a configuration dump`);
  cpSync(extensionDir, outDir, { recursive: true });
  const result: AdoptResult = { mapped: [], missing: [] };
  for (const [kind, folder] of Object.entries(FOLDERS)) {
    const dir = join(outDir, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.xml') && statSync(join(dir, f)).isFile())) {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      // Only the object's own property (first occurrence, before ChildObjects); own child attributes have none.
      const m = text.match(/<ExtendedConfigurationObject>([0-9a-f-]{36})<\/ExtendedConfigurationObject>/);
      if (!m) continue;
      const name = file.replace(/\.xml$/, '');
      const baseFile = join(baseDump, folder, file);
      const id = existsSync(baseFile) ? readFileSync(baseFile, 'utf8').match(new RegExp(`<${kind} uuid="([0-9a-f-]{36})"`))?.[1] : undefined;
      if (!id) {
        result.missing.push(`${kind}.${name}`);
        continue;
      }
      writeFileSync(path, text.replace(m[0], `<ExtendedConfigurationObject>${id}</ExtendedConfigurationObject>`));
      result.mapped.push({ object: `${kind}.${name}`, id });
    }
  }
  return result;
}
