import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import { configOf } from '../context.js';

/**
 * `regate check`: read the base's $metadata (or a saved EDMX with --metadata) and print, set by set and field by
 * field, what the active profile (onec.profile) needs and what is missing. Exit code 1 when anything required is
 * missing, 2 when 1C could not be read. A too-narrow composition (УстановитьСоставСтандартногоИнтерфейсаOData)
 * and a missing ReGate extension are the usual findings.
 */

export interface CheckOptions {
  /** A saved $metadata file instead of asking 1C. */
  metadata?: string;
  /** A configuration dump (Designer XML): check offline against what a base of that configuration publishes. */
  dump?: string;
  /** With --dump: merge onec/extension as installing it would (default true); false = the vendor base alone. */
  extension?: boolean;
  json?: boolean;
  /** List present fields too (default: only sets, and missing fields). */
  verbose?: boolean;
}

export interface CheckResult {
  ok: boolean;
  text: string;
  json: unknown;
}

export async function runCheck(config: Config, opts: CheckOptions = {}): Promise<CheckResult> {
  const lines0: string[] = [];
  const { ODataClient, parseMetadata, checkRequirements, redactUrl } = await import('../../onec/index.js');
  const { getProfile, requirements, detectFeatures } = await import('../../onec/profiles/index.js');
  let md;
  let source: string;
  let profile = getProfile(config.onec.profile, config);
  let explain: ((set: string, field?: string) => string) | undefined;
  let variant = '';
  if (opts.dump) {
    // Offline: what a base with this configuration (and the extension, unless --no-extension) would publish.
    const { loadConfiguration } = await import('../../emulator/configurations.js');
    const { buildModel, modelView } = await import('../../emulator/model.js');
    const { metadataXml } = await import('../../emulator/metadata.js');
    const { explainMissingField, explainMissingSet } = await import('../../onec/dump/explain.js');
    const loaded = loadConfiguration({ dump: opts.dump, extension: opts.extension !== false });
    const model = buildModel(loaded.config);
    md = parseMetadata(metadataXml(model, () => true));
    const shapeOf = (set: string) => model.shapes.get(set.replace(/_RecordType$/, '')) ?? model.shapes.get(set);
    const features = detectFeatures(modelView(model));
    const id = loaded.config.version.startsWith('11.4') ? 'ut11.4' : 'ut11.5';
    config = { ...config, onec: { ...config.onec, profile: id, extension: loaded.extension } };
    profile = getProfile(id, config, features);
    variant = Object.entries(features).map(([k, v]) => `${k}=${v}`).join(', ');
    source = `${opts.dump} (${loaded.config.name} ${loaded.config.version}${loaded.extension ? ' + onec/extension' : ', without the extension'})`;
    explain = (set, field) => (field === undefined ? explainMissingSet(loaded.md, set) : explainMissingField(loaded.md, set, field, shapeOf(set)));
    for (const p of loaded.extensionProblems) lines0.push(`Расширение ReGate не применится: ${p}`);
  } else if (opts.metadata) {
    const { readFileSync } = await import('node:fs');
    md = parseMetadata(readFileSync(opts.metadata, 'utf8'));
    source = opts.metadata;
  } else {
    const client = ODataClient.fromConfig(config.onec);
    try {
      md = await client.metadata();
    } finally {
      await client.close();
    }
    source = redactUrl(config.onec.url);
  }
  // Without the ReGate extension, what only the extension provides is not required.
  const needed = requirements(profile, config).filter((r) => config.onec.extension || !r.extension);
  const report = checkRequirements(md, needed);

  const lines: string[] = [...lines0];
  lines.push(`Profile ${profile.id} (${profile.family}) against ${source}: ${md.entitySets.size} sets published`);
  if (variant) lines.push(`Variant chosen from what it publishes: ${variant}`);
  lines.push('');
  for (const s of report.sets) {
    const setOk = s.present && s.virtualPresent !== false && s.missing.length === 0;
    const tags = [s.extension ? 'extension' : '', s.written ? 'written' : '', s.publishedAs && s.publishedAs !== s.set ? `as ${s.publishedAs}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`${setOk ? 'OK     ' : 'MISSING'} ${s.set}${tags ? ` (${tags})` : ''}`);
    if (!s.present) {
      lines.push(explain ? `          ${explain(s.set)}; needed for ${s.why.join('; ')}` : `          not published: add it to the OData composition; needed for ${s.why.join('; ')}`);
      continue;
    }
    const vt = needed.find((r) => r.set === s.set)?.virtual;
    if (s.virtualPresent === false) lines.push(`          no ${vt} virtual table declared for this register`);
    for (const f of s.fields) {
      if (f.present && !opts.verbose) continue;
      lines.push(`          ${f.present ? 'ok     ' : 'missing'} ${f.name}${f.present ? '' : ` — needed for ${f.why.join(', ')}${explain ? `: ${explain(s.set, f.name)}` : ''}`}`);
    }
    if (!opts.verbose && s.fields.length) {
      const n = s.fields.filter((f) => f.present).length;
      lines.push(`          ${n}/${s.fields.length} fields present`);
    }
  }
  lines.push('');
  lines.push(
    report.ok
      ? `All ${report.sets.length} sets and their fields are published.`
      : `${report.missingSets} set(s) and ${report.missingFields} field(s) missing.` +
          (needed.some((r) => r.extension) ? ' Fields named ReGate_* come with the ReGate extension (onec.extension).' : ''),
  );
  return { ok: report.ok, text: lines.join('\n'), json: { profile: profile.id, features: profile.features, source, ...report } };
}

export function register(program: Command) {
  program
    .command('check')
    .description('read 1C $metadata and report, set by set and field by field, what the active profile needs and what is missing')
    .option('--metadata <file>', 'check a saved $metadata (EDMX) file instead of connecting to 1C')
    .option('--dump <dir>', 'check offline against a configuration dump (Designer XML), with onec/extension merged')
    .option('--no-extension', 'with --dump: the vendor configuration alone (ReGate runs with onec.extension: false)')
    .option('--json', 'print the report as JSON')
    .option('-v, --verbose', 'list present fields too')
    .action(async (opts: CheckOptions, cmd: Command) => {
      const config = configOf(cmd);
      let result: CheckResult;
      try {
        result = await runCheck(config, opts);
      } catch (e) {
        console.error(`${opts.dump ? 'cannot read the configuration dump' : 'cannot read the 1C $metadata'}: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 2;
        return;
      }
      console.log(opts.json ? JSON.stringify(result.json, null, 2) : result.text);
      process.exitCode = result.ok ? 0 : 1;
    });
}
