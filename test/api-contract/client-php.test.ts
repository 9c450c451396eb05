import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { sign } from '../../src/webhooks/standard.js';
import { orderable } from '../helpers/orderable.js';
import { startDemo, type Demo } from './demo.js';

/**
 * The PHP client (clients/php) as Richest.store's PHP developers run it (issue 15): examples/quickstart.php against
 * the demo prints the stores, a page of goods with the 304 of its ETag, a booking's 1C number and "webhook signature
 * ok" for a webhook ReGate really POSTed to it. Needs php-cli with curl (Debian: apt-get install php-cli php-curl);
 * skips with a message without.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const php = spawnSync('php', ['-r', 'echo extension_loaded("curl") && extension_loaded("json") ? "ok" : "no";']);
const ready = php.status === 0 && php.stdout.toString() === 'ok';
if (!ready) console.log(`PHP client test skipped: ${php.status === 0 ? 'php without ext-curl (apt-get install php-curl)' : 'no php on PATH (apt-get install php-cli php-curl)'}`);
const run = promisify(execFile);
const SECRET = `whsec_${Buffer.from('secret-key-of-the-demo-32-bytes!').toString('base64')}`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!ready)('clients/php', () => {
  let demo: Demo;
  let hookPort: number;
  beforeAll(async () => {
    hookPort = await freePort();
    demo = await startDemo({ listen: true, config: { webhooks: { url: `http://127.0.0.1:${hookPort}/hook`, secret: SECRET } } });
  }, 120_000);
  afterAll(async () => {
    await demo?.close();
  });

  it('is a Composer package (PSR-4, only ext-curl and ext-json) versioned with the API', () => {
    const composer = JSON.parse(readFileSync(join(repo, 'clients/php/composer.json'), 'utf8'));
    expect(composer.version).toBe(VERSION);
    expect(Object.keys(composer.require).sort()).toEqual(['ext-curl', 'ext-json', 'php']);
    expect(composer.autoload['psr-4']).toEqual({ 'ReGate\\Client\\': 'src/' });
    expect(readFileSync(join(repo, 'clients/php/src/Client.php'), 'utf8')).toContain(`public const VERSION = '${VERSION}';`);
  });

  it('Webhook::verify accepts what ReGate signs and refuses a changed body or another secret', async () => {
    const body = JSON.stringify({ id: 'evt_01JDQ8Z5X4N6R2K9T3V7W0Y1AB', type: 'booking.confirmed', data: { orderId: 'RS-O-1', number: 'ТД00-000123' } });
    const ts = Math.floor(Date.now() / 1000);
    const signature = sign(SECRET, 'evt_01JDQ8Z5X4N6R2K9T3V7W0Y1AB', ts, body);
    const script = `spl_autoload_register(fn ($c) => require '${join(repo, 'clients/php/src')}/' . substr($c, 14) . '.php');
      $in = json_decode(stream_get_contents(STDIN), true); $out = [];
      foreach ($in['cases'] as [$secret, $body]) { try { ReGate\\Client\\Webhook::verify($secret, $in['headers'], $body); $out[] = 'ok'; } catch (ReGate\\Client\\WebhookException $e) { $out[] = $e->getMessage(); } }
      echo json_encode($out, JSON_UNESCAPED_UNICODE);`;
    const child = execFile('php', ['-r', script]);
    child.stdin!.end(JSON.stringify({ headers: { 'Webhook-Id': 'evt_01JDQ8Z5X4N6R2K9T3V7W0Y1AB', 'Webhook-Timestamp': String(ts), 'Webhook-Signature': signature }, cases: [[SECRET, body], [SECRET, body.replace('000123', '000124')], ['whsec_b3RoZXI=', body]] }));
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => child.on('close', r));
    expect(JSON.parse(out)).toEqual(['ok', 'подпись не совпадает', 'подпись не совпадает']);
  });

  it('Client: a booking, its cancel (status 6), and an ApiException with code, fields and request id', async () => {
    const { store, items } = orderable(demo.rt.db, 1);
    const script = `spl_autoload_register(fn ($c) => require '${join(repo, 'clients/php/src')}/' . substr($c, 14) . '.php');
      $in = json_decode(stream_get_contents(STDIN), true);
      $api = new ReGate\\Client\\Client($in['url'], 'demo', 'demo');
      $api->client(['clientId' => 'RS-C-php-cancel', 'name' => 'Отмена']);
      $b = $api->booking(['orderId' => 'RS-O-php-cancel', 'clientId' => 'RS-C-php-cancel', 'store' => $in['store'], 'deliveryAddress' => 'Москва', 'items' => [['itemId' => $in['item'], 'quantity' => 1]]], 'php-cancel');
      $c = $api->cancel('RS-O-php-cancel', 'Клиент передумал');
      try { $api->cancel('RS-O-php-нет'); $e = null; } catch (ReGate\\Client\\ApiException $x) { $e = [$x->status, $x->errorCode, $x->fields, $x->requestId !== '']; }
      echo json_encode(['booked' => $b['status'], 'cancelled' => $c['status'], 'error' => $e], JSON_UNESCAPED_UNICODE);`;
    const child = execFile('php', ['-r', script]);
    child.stdin!.end(JSON.stringify({ url: demo.url, store, item: items[0] }));
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => child.on('close', r));
    const r = JSON.parse(out);
    expect([201, 202]).toContain(r.booked);
    expect(r.cancelled).toBe(6);
    expect(r.error).toEqual([404, 'not_found', [{ field: 'orderId', message: expect.any(String) }], true]);
  });

  it('examples/quickstart.php against the demo: stores, a page of goods and its 304, a booking number, webhook signature ok', async () => {
    const { stdout } = await run('php', [join(repo, 'clients/php/examples/quickstart.php'), demo.url], {
      env: { ...process.env, REGATE_WEBHOOK_LISTEN: `127.0.0.1:${hookPort}`, REGATE_WEBHOOK_SECRET: SECRET },
      timeout: 90_000,
    });
    console.log(stdout);
    expect(stdout).toMatch(/^Склад: .+ [0-9a-f-]{36}$/m);
    expect(stdout).toMatch(/^Товары склада «.+» \(всего \d+\):\n {2}\S+ {2}.+ руб\., остаток/m);
    expect(stdout).toContain('Повтор с If-None-Match: 304 Not Modified');
    expect(stdout).toMatch(/^Заказ RS-O-php-\S+: номер в 1С (?!ещё)\S+/m);
    expect(stdout).toMatch(/^webhook signature ok \(booking\.\w+, evt_[0-9A-Z]{26}\)$/m);
  }, 120_000);
});
