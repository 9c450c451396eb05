import { loadConfiguration } from '../configurations.js';
import { buildModel, type Shape } from '../model.js';
import type { DemoOptions, Row } from './generate.js';
import { fmix, guidFactory, hashString, mulberry32 } from './random.js';

/**
 * What every demo generator of a configuration other than УТ starts from (УНФ, БП, Розница): the configuration loaded
 * from its real dump without the ReGate extension (built for УТ's objects), its model, empty rows per published set,
 * seeded randomness, and `put`, which keeps of a row only what the configuration publishes (what it drops is
 * reported as `skipped`, so a generator that writes a field the dump lacks is seen, not silently served).
 */
export function demoScaffold(options: DemoOptions, label: string) {
  const seed = options.seed ?? 1;
  const guid = guidFactory(seed);
  const seedHash = hashString(String(seed));
  const rngFor = (purpose: string, index = 0) => mulberry32(fmix(hashString(purpose, seedHash) ^ Math.imul(index + 1, 0x9e3779b1)));
  const loaded = loadConfiguration({ ...options.configuration, extension: false });
  const config = loaded.config;
  const model = buildModel(config);
  const rows: Record<string, Row[]> = {};
  for (const s of config.sets) rows[s.name] = [];
  const skipped: Record<string, Set<string>> = {};
  const shapeOf = (set: string): Shape | undefined => {
    const sh = model.shapes.get(set);
    return sh?.kind === 'recordset' ? sh.collections.get('RecordSet') : sh;
  };
  const META = new Set(['Period', 'Recorder', 'Recorder_Type', 'Recorder_Key', 'LineNumber', 'Active', 'RecordType']);
  const fit = (set: string, shape: Shape, row: Row): Row => {
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) {
      const part = shape.collections.get(k);
      if (part && Array.isArray(v)) out[k] = v.map((line) => fit(`${set}.${k}`, part, line as Row));
      else if (shape.propByName.has(k) || shape.propByName.has(`${k}_Base64Data`) || META.has(k)) out[k] = v;
      else (skipped[set] ??= new Set()).add(k);
    }
    return out;
  };
  const put = (set: string, row: Row): Row => {
    const shape = shapeOf(set);
    if (!shape) throw new Error(`${label} demo: ${set} is not published by ${config.name} ${config.version}`);
    const fitted = fit(set, shape, row);
    rows[set].push(fitted);
    return fitted;
  };
  const skippedSorted = () => Object.fromEntries(Object.entries(skipped).map(([k, v]) => [k, [...v].sort()]));
  return {
    seed,
    itemCount: options.items ?? 2000,
    clientCount: options.clients ?? 20,
    guid,
    seedHash,
    rngFor,
    loaded,
    config,
    model,
    rows,
    put,
    skippedSorted,
  };
}
