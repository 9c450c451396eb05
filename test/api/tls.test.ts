import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { openDb } from '../../src/db/open.js';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { CatalogService } from '../../src/catalog/service.js';
import { silentLogger } from '../../src/log.js';

// Issue 13.8: ReGate's own TLS accepted static-RSA and CBC-SHA1 suites and sent no HSTS. Now: Mozilla's
// "intermediate" profile (ECDHE/DHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2, TLS 1.3 suites) and HSTS.
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'regate-tls13-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
let server: RunningServer;

describe.skipIf(!hasOpenssl)('ReGate TLS: Mozilla intermediate, HSTS', () => {
  beforeAll(async () => {
    // RSA: the key type that makes static-RSA key exchange possible at all
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert]);
    expect(r.status).toBe(0);
    const config = parseConfig({ server: { host: '127.0.0.1', port: 0, tls: { cert, key } } });
    const db = openDb(':memory:');
    const app = createApp({ config, logger: silentLogger, services: { catalog: new CatalogService(db, { retail: 'a', tier1: 'b', tier2: 'c' }), health: { ready: async () => ({ ready: true, checks: [] }) } } });
    server = await startServer(app, config);
  });
  afterAll(async () => server?.close());

  const handshake = (ciphers: string) =>
    new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers: `${ciphers}:@SECLEVEL=0` }, () => {
        const name = s.getCipher().name;
        s.end();
        resolve(name);
      });
      s.on('error', (e) => resolve(`refused: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });

  it('refuses static RSA and CBC-SHA1 suites on TLS 1.2', async () => {
    for (const c of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384']) {
      expect(await handshake(c), c).toMatch(/^refused/);
    }
  });

  it('accepts the intermediate suites', async () => {
    expect(await handshake('ECDHE-RSA-AES128-GCM-SHA256')).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    expect(await handshake('ECDHE-RSA-CHACHA20-POLY1305')).toBe('ECDHE-RSA-CHACHA20-POLY1305');
  });

  it('answers with Strict-Transport-Security', async () => {
    const hsts = await new Promise<string | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/healthz', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.headers['strict-transport-security'] as string | undefined);
      })
        .on('error', reject)
        .end();
    });
    expect(hsts).toMatch(/^max-age=\d{7,}/);
  });
});
