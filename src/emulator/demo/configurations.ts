import { selectProfile, type ProfileChoice } from '../../onec/profiles/select.js';
import { loadConfiguration, VARIANT_EMBEDDED } from '../configurations.js';
import { buildModel, modelView } from '../model.js';
import { generateErpDemoBase } from './erp.js';
import { generateUnfDemoBase } from './unf.js';
import { generateBpDemoBase } from './bp.js';
import { generateRoznicaDemoBase } from './roznica.js';
import { generateDemoBase, type DemoBase, type DemoOptions } from './generate.js';

/** A demo base with the profile ReGate chooses for it (what `regate demo` runs ReGate with). */
export type ConfiguredDemoBase = DemoBase & { profile: ProfileChoice };

/** What the configuration of `options` is and which profile reads it: the same choice `regate check --dump` makes. */
export function profileOfConfiguration(options: Pick<DemoOptions, 'configuration' | 'variant'>): ProfileChoice {
  // The vendor configuration alone decides (the ReGate extension adds no marking object).
  const loaded = loadConfiguration({ embedded: VARIANT_EMBEDDED[options.variant ?? 'ut11.5'], ...options.configuration, extension: false });
  return selectProfile({ name: loaded.config.name, version: loaded.config.version, view: modelView(buildModel(loaded.config)) });
}

/**
 * The demo base of any configuration ReGate has a profile for: УТ and ERP/КА through УТ's generator (ERP shares УТ's
 * objects), the others through their own generators. A configuration without one is refused with what it lacks.
 */
export function generateDemoFor(options: DemoOptions): ConfiguredDemoBase {
  const profile = profileOfConfiguration(options);
  switch (profile.id) {
    case 'ut11.5':
    case 'ut11.4':
      return { ...generateDemoBase(options), profile };
    case 'erp':
      return { ...generateErpDemoBase(options), profile };
    case 'unf':
      return { ...generateUnfDemoBase(options), profile };
    case 'bp':
      return { ...generateBpDemoBase(options), profile };
    case 'roznica':
      return { ...generateRoznicaDemoBase(options), profile };
    default:
      throw new Error(`демо-база для ${profile.family} (${profile.reason}) пока не генерируется: regate check --dump показывает, что профиль читает`);
  }
}
