import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.js';
import { openDb } from '../db/open.js';
import { silentLogger } from '../log.js';
import { CatalogService } from '../catalog/service.js';
import { OrdersService } from '../orders/service.js';
import { BankService } from '../bank/import/service.js';
import { createApp } from './app.js';
import { postmanCollection } from './schemas/postman.js';
import { EventFeed } from '../webhooks/feed.js';

const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'];

/** clients/ of the source tree (beside src/); a release build without it exports the document alone. */
const CLIENTS = fileURLToPath(new URL('../../clients', import.meta.url));

/**
 * Everything an integrator needs, for the demonstration server (issue 15): openapi.json generated from the same zod
 * schemas the server validates with (so it cannot drift), Swagger UI's files and an index.html that loads
 * ./openapi.json, a Postman collection made from the document, and the PHP and TypeScript clients (whose types the
 * contract tests hold to this same document). No server needed beyond static hosting.
 */
export async function exportDocs(config: Config, out: string, serverUrl?: string): Promise<string[]> {
  const db = openDb(':memory:');
  const catalog = new CatalogService(db, { retail: '', tier1: '', tier2: '' });
  const orders = new OrdersService(db, catalog, { confirmWindowMs: 0, maxDepth: 1 });
  const app = createApp({
    config: { ...config, server: { ...config.server, publicUrl: serverUrl ?? config.server.publicUrl ?? 'https://regate.example.ru' } },
    logger: silentLogger,
    services: { catalog, orders, bank: new BankService(db), events: new EventFeed(db, { retentionDays: config.webhooks.eventsRetentionDays }), health: { ready: async () => ({ ready: true, checks: [] }) } },
  });
  const spec = await (await app.request('/openapi.json')).text();
  db.close();
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'openapi.json'), spec);
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  for (const f of ASSETS) copyFileSync(join(dist, f), join(out, f));
  writeFileSync(
    join(out, 'index.html'),
    `<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <title>ReGate API</title>
  <link rel="stylesheet" href="swagger-ui.css">
  <link rel="icon" href="favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script src="swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: './openapi.json', dom_id: '#swagger-ui', deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
  </script>
</body>
</html>
`,
  );
  const base = serverUrl ?? config.server.publicUrl ?? 'https://regate.example.ru';
  writeFileSync(join(out, 'regate.postman_collection.json'), JSON.stringify(postmanCollection(JSON.parse(spec), { baseUrl: base === '/' ? 'http://127.0.0.1:8080' : base }), null, 2));
  const files = ['openapi.json', 'index.html', ...ASSETS, 'regate.postman_collection.json'];
  if (existsSync(CLIENTS)) {
    // sources only: no node_modules, build output or Composer's vendor/
    const skip = new Set(['node_modules', 'dist', 'vendor']);
    cpSync(CLIENTS, join(out, 'clients'), { recursive: true, filter: (src) => !skip.has(src.split(/[\\/]/).pop()!) });
    files.push(...listFiles(join(out, 'clients')).map((f) => relative(out, f)));
  }
  return files;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}
