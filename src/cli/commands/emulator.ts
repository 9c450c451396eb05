import type { Command } from 'commander';

/**
 * `regate emulator`: the 1C emulator as a standalone process, loaded with the demo УТ 11 base — a stand-in 1C for
 * trying ReGate without a real base, and a target for load tests. Faults can be set at start or at run time
 * through POST /__emulator/faults.
 */
export function register(program: Command) {
  program
    .command('emulator')
    .description('run the 1C OData emulator with a generated demo УТ 11 base')
    .option('-p, --port <port>', 'port (0 = random)', '8081')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--publication <name>', 'publication name (URL /<name>/odata/standard.odata)', 'demo')
    .option('--items <n>', 'number of items in the demo base', '2000')
    .option('--seed <seed>', 'generator seed (same seed, same base)', '1')
    .option('--dump <dir>', 'publish what this configuration dump defines (Designer XML, e.g. ../shared/reference/ut-dumps/ut-11.4.2-xml)')
    .option('--configuration <id>', 'embedded real configuration when no --dump: ut-11.5.20 or ut-11.4.2', 'ut-11.5.20')
    .option('--no-extension', 'publish the configuration without the ReGate extension (onec/extension)')
    .option('--user <name:password>', 'Basic auth user (repeatable)', collect, [])
    .option('--no-auth', 'accept requests without credentials')
    .option('--timezone <zone>', 'IANA zone for the server clock (document dates)')
    .option('--admin-port <port>', 'separate port for /__emulator/ (stays up while the OData port is "down")')
    .option('--unpublish <sets>', 'leave these entity sets out of the OData composition (comma-separated), as a too-narrow УстановитьСоставСтандартногоИнтерфейсаOData would')
    .option('--faults <json>', 'initial faults, e.g. \'{"latencyMs":300,"errorRate":0.05,"seed":1}\'')
    .action(async (opts, _cmd: Command) => {
      const { startEmulator } = await import('../../emulator/index.js');
      const { generateDemoBase } = await import('../../emulator/demo/index.js');
      const t0 = Date.now();
      const base = generateDemoBase({ seed: opts.seed, items: Number(opts.items), configuration: configurationChoice(opts) });
      for (const p of base.extensionProblems) console.warn(`Расширение ReGate: ${p}`);
      const users = opts.auth
        ? (opts.user as string[]).length
          ? (opts.user as string[]).map((u) => {
              const i = u.indexOf(':');
              return i < 0 ? { name: u, password: '' } : { name: u.slice(0, i), password: u.slice(i + 1) };
            })
          : [{ name: 'odata', password: 'odata' }]
        : undefined;
      const em = await startEmulator({
        port: Number(opts.port),
        host: opts.host,
        publication: opts.publication,
        users,
        base,
        timezone: opts.timezone,
        adminPort: opts.adminPort === undefined ? undefined : Number(opts.adminPort),
        faults: opts.faults ? JSON.parse(opts.faults) : undefined,
        composition: opts.unpublish ? narrowed(base.config.sets.map((d) => d.name), String(opts.unpublish)) : undefined,
      });
      const items = em.store.count('Catalog_Номенклатура');
      console.log(`1C emulator (${base.config.name} ${base.config.version}, ${base.config.source}${base.extension ? ' + ReGate extension' : ', without the extension'}): ${items} catalog items, ready in ${Date.now() - t0} ms`);
      console.log(`OData:  ${em.url}`);
      console.log(users ? `Users:  ${users.map((u) => `${u.name} / ${u.password || '(empty password)'}`).join(', ')}` : 'Users:  (no authentication)');
      console.log(`Faults: ${em.adminUrl}/faults  (GET; POST JSON to change, e.g. {"latencyMs":500} or {"down":true,"downForMs":5000})`);
      console.log(`Try:    curl -u ${users ? `'${users[0].name}:${users[0].password}'` : 'x:x'} '${em.url}/Catalog_%D0%9D%D0%BE%D0%BC%D0%B5%D0%BD%D0%BA%D0%BB%D0%B0%D1%82%D1%83%D1%80%D0%B0?$format=json&$top=2'`);
      const stop = async () => {
        await em.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/** --dump / --configuration / --no-extension → what the emulator publishes (shared with `regate demo`). */
export function configurationChoice(opts: { dump?: string; configuration?: string; extension?: boolean }) {
  const embedded = opts.configuration ?? 'ut-11.5.20';
  if (embedded !== 'ut-11.5.20' && embedded !== 'ut-11.4.2') throw new Error(`--configuration: ut-11.5.20 или ut-11.4.2, а не ${embedded}`);
  return { dump: opts.dump, embedded: embedded as 'ut-11.5.20' | 'ut-11.4.2', extension: opts.extension !== false };
}

/** Every set of the configuration but the ones named (the composition a careless administrator might set). */
function narrowed(all: string[], unpublish: string): string[] {
  const drop = new Set(unpublish.split(',').map((x) => x.trim()).filter(Boolean));
  const unknown = [...drop].filter((x) => !all.includes(x));
  if (unknown.length) throw new Error(`--unpublish: no such entity set: ${unknown.join(', ')}`);
  return all.filter((x) => !drop.has(x));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
