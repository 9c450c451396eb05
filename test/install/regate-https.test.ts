import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/index.js';
import { openDb } from '../../src/db/open.js';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { CatalogService } from '../../src/catalog/service.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';

// ReGate's own HTTPS (without Apache/IIS in front): TLS 1.2 minimum, checked with a real openssl client.
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'regate-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
let server: RunningServer;

describe.skipIf(!hasOpenssl)('ReGate serve over HTTPS', () => {
  beforeAll(async () => {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert]);
    expect(r.status).toBe(0);
    const config = parseConfig({
      server: { host: '127.0.0.1', port: 0, tls: { cert, key } },
      auth: { users: [{ name: 'магазин', passwordHash: await hashPassword('секрет') }] },
    });
    const db = openDb(':memory:');
    const app = createApp({ config, logger: silentLogger, services: { catalog: new CatalogService(db, { retail: 'a', tier1: 'b', tier2: 'c' }), health: { ready: async () => ({ ready: true, checks: [] }) } } });
    server = await startServer(app, config);
  });
  afterAll(async () => server?.close());

  // Asynchronous on purpose: the server runs in this process, a spawnSync would block it from answering.
  const sClient = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', ...args], { timeout: 10_000 });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (status) => resolve({ status, stdout, stderr }));
      p.stdin.end();
    });

  it('accepts TLS 1.2 and 1.3 with the configured certificate', async () => {
    expect(server.url).toMatch(/^https:/);
    for (const v of ['-tls1_2', '-tls1_3']) {
      const r = await sClient(v, '-CAfile', cert);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(v === '-tls1_2' ? /Protocol\s*:\s*TLSv1\.2/ : /TLSv1\.3/);
      expect(r.stdout).toMatch(/Verify return code: 0 \(ok\)/);
    }
  });

  it('refuses TLS 1.1 and 1.0 (the server refuses; the client is allowed to offer them)', async () => {
    for (const v of ['-tls1_1', '-tls1']) {
      const r = await sClient(v, '-cipher', 'DEFAULT@SECLEVEL=0');
      const out = r.stdout + r.stderr;
      expect(r.status, out).not.toBe(0);
      expect(out).not.toMatch(/no protocols available/);
      expect(out).toMatch(/alert protocol version|unsupported protocol|wrong version/i);
    }
  });

  it('answers the API with a UTF-8 Basic login over TLS', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/api/v1/city`, { ca: readFileSync(cert), headers: { Authorization: 'Basic ' + Buffer.from('магазин:секрет').toString('base64') } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});

describe('plain HTTP', () => {
  it('is refused on a non-loopback address unless explicitly allowed', async () => {
    const db = openDb(':memory:');
    const config = parseConfig({ server: { host: '0.0.0.0', port: 0 } });
    const app = createApp({ config, logger: silentLogger, services: { health: { ready: async () => ({ ready: true, checks: [] }) } } });
    await expect(startServer(app, config)).rejects.toThrow(/refusing plain HTTP on 0\.0\.0\.0/);
    const allowed = await startServer(app, parseConfig({ server: { host: '0.0.0.0', port: 0, allowPlainHttp: true } }));
    expect(allowed.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    await allowed.close();
    db.close();
  });
});
