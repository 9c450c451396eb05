import { buildExtension, EXTENSION_DIR, writeExtension } from './extension/build.js';
import { targetFromDump } from './extension/targets.js';

export { EXTENSION_DIR };

export interface AdoptResult {
  /** Adopted objects, each with the base's id as its ExtendedConfigurationObject. */
  mapped: { object: string; id: string }[];
  /** Objects the profile uses that the base does not have: not adopted, so the extension still applies. */
  missing: string[];
}

/**
 * Writes the ReGate extension built for the base whose configuration dump is `baseDump` (Конфигуратор → Выгрузить
 * конфигурацию в файлы, or `/DumpConfigToFiles`): that base's object ids, modes and dump format, only the objects it
 * has. Kept for callers of the earlier API; `regate install --onec-base-dump` goes through src/install/onec-kit.ts.
 */
export function adoptFromBaseDump(baseDump: string, outDir: string): AdoptResult {
  const build = buildExtension(targetFromDump(baseDump));
  writeExtension(build, outDir);
  return { mapped: build.adopted.map((o) => ({ object: o.fullName, id: o.uuid })), missing: build.absent.map((o) => o.fullName) };
}
