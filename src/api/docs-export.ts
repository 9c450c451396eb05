import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Config } from '../config/index.js';
import { openDb } from '../db/open.js';
import { silentLogger } from '../log.js';
import { CatalogService } from '../catalog/service.js';
import { OrdersService } from '../orders/service.js';
import { BankService } from '../bank/import/service.js';
import { createApp } from './app.js';
import { EventFeed } from '../webhooks/feed.js';

const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'];

/**
 * A static copy of the API documentation: openapi.json generated from the same zod schemas the server validates
 * with (so it cannot drift), plus Swagger UI's files and an index.html that loads ./openapi.json. No server needed
 * beyond static hosting.
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
  return ['openapi.json', 'index.html', ...ASSETS];
}
