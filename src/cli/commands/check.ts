import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import { configGiven, configOf } from '../context.js';

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
  const { getProfile, requirements, detectFeatures, selectProfile, EXTENSION_PROFILES } = await import('../../onec/profiles/index.js');
  let md;
  let source: string;
  let profile = getProfile(config.onec.profile, config);
  let explain: ((set: string, field?: string) => string) | undefined;
  let settings: { key: string; ok: boolean; text: string }[] = [];
  let variant = '';
  if (opts.dump) {
    // Offline: what a base with this configuration (and the extension, unless --no-extension) would publish.
    const { loadConfiguration } = await import('../../emulator/configurations.js');
    const { buildModel, modelView } = await import('../../emulator/model.js');
    const { metadataXml } = await import('../../emulator/metadata.js');
    const { explainMissingField, explainMissingSet } = await import('../../onec/dump/explain.js');
    // Which configuration the dump is decides the profile (src/onec/profiles/select.ts); the ReGate extension is built
    // for УТ's objects, so only УТ and ERP/КА are checked with it.
    const bare = loadConfiguration({ dump: opts.dump, extension: false });
    const choice = selectProfile({ name: bare.config.name, version: bare.config.version, view: modelView(buildModel(bare.config)) });
    const utShaped = EXTENSION_PROFILES.includes(choice.id);
    const loaded = utShaped ? loadConfiguration({ dump: opts.dump, extension: opts.extension !== false }) : bare;
    lines0.push(`Конфигурация: ${choice.family} — ${choice.reason}`);
    const model = buildModel(loaded.config);
    md = parseMetadata(metadataXml(model, () => true));
    const shapeOf = (set: string) => model.shapes.get(set.replace(/_RecordType$/, '')) ?? model.shapes.get(set);
    const features = detectFeatures(modelView(model));
    const id = choice.id;
    config = { ...config, onec: { ...config.onec, profile: id, extension: loaded.extension } };
    profile = getProfile(id, config, features);
    if (utShaped) variant = Object.entries(features).map(([k, v]) => `${k}=${v}`).join(', ');
    source = `${opts.dump} (${loaded.config.name} ${loaded.config.version}${loaded.extension ? ' + onec/extension' : ', без расширения ReGate'})`;
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
      // The keys and names the configuration points at, and the defaults taken from the base (src/onec/profiles/settings.ts).
      const { verifySettings } = await import('../../onec/profiles/settings.js');
      settings = await verifySettings(client, profile, config).catch((e: unknown) => [{ key: 'settings', ok: false, text: `настройки не проверены: ${e instanceof Error ? e.message : String(e)}` }]);
    } finally {
      await client.close();
    }
    source = redactUrl(config.onec.url);
  }
  // Without the ReGate extension, what only the extension provides is not required.
  const needed = requirements(profile, config).filter((r) => config.onec.extension || !r.extension);
  const report = checkRequirements(md, needed);
  // What the configuration cannot offer at all (БП, Розница): said, not hidden among present sets.
  for (const l of profile.limits ?? []) lines0.push(`Не поддерживается: ${l}`);

  const lines: string[] = [...lines0];
  lines.push(`Профиль ${profile.id} (${profile.family}), источник ${source}: опубликовано наборов: ${md.entitySets.size}`);
  if (variant) lines.push(`Вариант выбран по опубликованному: ${variant}`);
  lines.push('');
  for (const s of report.sets) {
    const setOk = s.present && s.virtualPresent !== false && s.missing.length === 0;
    const tags = [s.extension ? 'расширение' : '', s.written ? 'запись' : '', s.publishedAs && s.publishedAs !== s.set ? `как ${s.publishedAs}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`${setOk ? 'есть' : 'НЕТ '}  ${s.set}${tags ? ` (${tags})` : ''}`);
    if (!s.present) {
      lines.push(explain ? `      ${explain(s.set)}; нужен для: ${s.why.join('; ')}` : `      не опубликован: добавьте в состав OData; нужен для: ${s.why.join('; ')}`);
      continue;
    }
    const vt = needed.find((r) => r.set === s.set)?.virtual;
    if (s.virtualPresent === false) lines.push(`      у регистра не объявлена виртуальная таблица ${vt}`);
    for (const f of s.fields) {
      if (f.present && !opts.verbose) continue;
      lines.push(`      ${f.present ? 'есть' : 'нет '}  ${f.name}${f.present ? '' : ` — нужно для: ${f.why.join(', ')}${explain ? `: ${explain(s.set, f.name)}` : ''}`}`);
    }
    if (!opts.verbose && s.fields.length) {
      const n = s.fields.filter((f) => f.present).length;
      lines.push(`      опубликовано полей: ${n} из ${s.fields.length}`);
    }
  }
  lines.push('');
  lines.push(
    report.ok
      ? `Все нужные наборы (${report.sets.length}) и их поля опубликованы.`
      : `Не хватает наборов: ${report.missingSets}, полей: ${report.missingFields}.` +
          (needed.some((r) => r.extension) ? ' Наборы и поля ReGate_* появляются с расширением ReGate (onec.extension).' : ''),
  );
  if (settings.length) {
    lines.push('', 'Настройки (regate.yaml) против базы:');
    for (const s of settings) lines.push(`${s.ok ? 'да ' : 'НЕТ'}  ${s.text}`);
  }
  const settingsOk = settings.every((s) => s.ok);
  return { ok: report.ok && settingsOk, text: lines.join('\n'), json: { profile: profile.id, family: profile.family, features: profile.features, limits: profile.limits ?? [], source, ...report, settings } };
}

export function register(program: Command) {
  program
    .command('check')
    .description('прочитать $metadata базы 1С и показать по наборам и полям, что нужно активному профилю (onec.profile) и чего не хватает')
    .option('--metadata <file>', 'проверить сохранённый файл $metadata (EDMX) вместо обращения к 1С')
    .option('--dump <dir>', 'проверить без 1С по выгрузке конфигурации (XML Конфигуратора или проект EDT) вместе с расширением onec/extension')
    .option('--no-extension', 'с --dump: конфигурация поставщика без расширения ReGate (ReGate работает с onec.extension: false)')
    .option('--json', 'отчёт в JSON')
    .option('-v, --verbose', 'показывать и опубликованные поля')
    .action(async (opts: CheckOptions, cmd: Command) => {
      // Without a configuration the 1C address is the demo emulator's default, and the answer (a refused
      // connection, or a 401 from whatever listens there) would mislead: say what is missing instead.
      if (!opts.metadata && !opts.dump && !configGiven(cmd, ['REGATE_ONEC_URL'])) {
        console.error(
          'Нет конфигурации: не указан файл (--config) и не задана переменная REGATE_ONEC_URL, поэтому неизвестно, где 1С.\n' +
            '  regate --config /etc/regate/regate.yaml check      (Windows: regate --config C:\\ReGate\\regate.yaml check)\n' +
            '  или без 1С: regate check --metadata metadata.xml | regate check --dump <выгрузка конфигурации>',
        );
        process.exitCode = 2;
        return;
      }
      const config = configOf(cmd);
      let result: CheckResult;
      try {
        result = await runCheck(config, opts);
      } catch (e) {
        const { redactUrl } = await import('../../onec/index.js');
        console.error(`${opts.dump ? 'не удалось прочитать выгрузку конфигурации' : `не удалось прочитать $metadata 1С (${redactUrl(config.onec.url)})`}: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 2;
        return;
      }
      console.log(opts.json ? JSON.stringify(result.json, null, 2) : result.text);
      process.exitCode = result.ok ? 0 : 1;
    });
}
