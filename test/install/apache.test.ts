import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import { request } from 'node:https';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateKit, resolveOptions, writeKit } from '../../src/install/index.js';

/**
 * The generated Apache TLS vhost, run for real: a private apache2 (own config, unprivileged port, temp dir),
 * a self-signed certificate from openssl, and `regate serve` started from the generated regate.yaml as the backend
 * (its Basic auth checks the scrypt hash `regate install` wrote). Skipped when apache2 or openssl is absent (.ci/run installs both).
 */
const run = promisify(execFile);
const repo = resolve(__dirname, '../..');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const MODULES = '/usr/lib/apache2/modules';
const available = has('apache2') && has('apache2ctl') && has('openssl') && existsSync(`${MODULES}/mod_ssl.so`);
if (!available) console.warn('skip test/install/apache.test.ts: apache2/apache2ctl/openssl not installed (apt-get install apache2 openssl)');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Polls /healthz until the server answers 200. */
async function waitHttp(port: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((r) => {
      const req = httpGet({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
        res.resume();
        r(res.statusCode === 200);
      });
      req.on('error', () => r(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}

/** GET through Apache with TLS; the self-signed certificate is trusted as the CA. */
function get(port: number, path: string, ca: string, auth?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca, servername: 'localhost', headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!available)('generated Apache TLS vhost in a private apache2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regate-apache-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const conf = join(dir, 'httpd.conf');
  const apiPassword = 'Пароль-для-API-7';
  let httpsPort = 0;
  let backend: Server;
  let serve: ChildProcess | undefined;
  const extra: Server[] = [];
  let backendKind = '';
  const seen: IncomingHttpHeaders[] = [];
  let started = false;

  beforeAll(async () => {
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert]);
    const regatePort = await freePort();
    httpsPort = await freePort();
    const options = resolveOptions({ os: 'linux', out: join(dir, 'kit'), serverName: 'localhost', httpsPort, regatePort, cert, key, apiPassword });
    writeKit(options.out, await generateKit(options));

    // The backend is `regate serve` itself, started from the generated regate.yaml (only the database moved to the
    // temp dir). A small recording relay sits between Apache and it, so the test can see the headers Apache adds.
    const servePort = await freePort();
    serve = spawn(process.execPath, [join(repo, 'bin/regate.mjs'), '--config', join(options.out, 'regate.yaml'), 'serve', '--port', String(servePort)], {
      cwd: repo,
      env: { ...process.env, REGATE_DATABASE_PATH: join(dir, 'regate.sqlite'), REGATE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let serveErr = '';
    serve.stderr!.on('data', (c) => (serveErr += c));
    let target = servePort;
    if (await waitHttp(servePort, 20_000)) backendKind = 'regate serve';
    else {
      console.warn(`apache test: regate serve did not start (${serveErr.slice(0, 300)}); using a Basic-auth stand-in`);
      serve.kill();
      const expected = `Basic ${Buffer.from(`richest:${apiPassword}`).toString('base64')}`;
      const standIn = createServer((req, res) => {
        const ok = req.headers.authorization === expected;
        res.writeHead(ok ? 404 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: ok ? 'not_found' : 'unauthorized' } }));
      });
      target = await new Promise<number>((r) => standIn.listen(0, '127.0.0.1', () => r((standIn.address() as AddressInfo).port)));
      extra.push(standIn);
      backendKind = 'stand-in';
    }
    backend = createServer((req, res) => {
      seen.push(req.headers);
      const up = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => backend.listen(regatePort, '127.0.0.1', r));

    // A self-contained httpd.conf: Debian's apache2 otherwise needs /etc/apache2/envvars (APACHE_RUN_DIR …).
    const mods = ['mpm_event', 'authz_core', 'socache_shmcb', 'ssl', 'proxy', 'proxy_http', 'headers'];
    writeFileSync(
      conf,
      [
        `ServerRoot "${dir}"`,
        `PidFile "${dir}/httpd.pid"`,
        `Mutex file:${dir} default`,
        `DefaultRuntimeDir "${dir}"`,
        ...mods.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
        ...(process.getuid?.() === 0 ? ['User nobody', 'Group nogroup'] : []),
        'ServerName localhost',
        `Listen 127.0.0.1:${httpsPort}`,
        `ErrorLog "${dir}/error.log"`,
        'LogLevel warn',
        `Define APACHE_LOG_DIR ${dir}`,
        'StartServers 1',
        'ServerLimit 1',
        'ThreadsPerChild 16',
        'MaxRequestWorkers 16',
        `Include "${options.out}/apache-regate-tls.conf"`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    if (started) spawnSync('apache2', ['-f', conf, '-k', 'stop']);
    // apache2 -k stop returns before the children exit; wait for the pid file to go.
    for (let i = 0; i < 50 && existsSync(join(dir, 'httpd.pid')); i++) await new Promise((r) => setTimeout(r, 100));
    // A service manager stops the daemon with SIGTERM: it must exit by itself (a sync thread started after stop once
    // kept it alive). Killed after 15 s so the failure names the cause rather than the hook's timeout.
    let hung = false;
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      serve.kill('SIGTERM');
      hung = !(await new Promise<boolean>((r) => {
        const t = setTimeout(() => r(false), 15_000);
        serve!.once('exit', () => (clearTimeout(t), r(true)));
      }));
      if (hung) serve.kill('SIGKILL');
    }
    for (const s of [backend, ...extra]) if (s) await new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())));
    rmSync(dir, { recursive: true, force: true });
    if (hung) throw new Error('regate serve did not exit within 15 s of SIGTERM');
  });

  it('passes apache2ctl -t', async () => {
    const r = spawnSync('apache2ctl', ['-f', conf, '-t'], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toMatch(/Syntax OK/);
    expect(r.status).toBe(0);
  });

  it('starts', async () => {
    execFileSync('apache2', ['-f', conf, '-k', 'start']);
    started = true;
    for (let i = 0; i < 50; i++) {
      try {
        await get(httpsPort, '/healthz', readFileSync(cert, 'utf8'));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`apache did not answer: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
  });

  it('accepts TLS 1.2 and TLS 1.3', async () => {
    for (const v of ['-tls1_2', '-tls1_3']) {
      const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${httpsPort}`, '-servername', 'localhost', v, '-CAfile', cert], { input: '', encoding: 'utf8', timeout: 10_000 });
      expect(r.status, `${v}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(v === '-tls1_2' ? /Protocol\s*:\s*TLSv1\.2/ : /TLSv1\.3/);
      expect(r.stdout).toMatch(/Verify return code: 0 \(ok\)/);
    }
  });

  it('refuses TLS 1.1 and 1.0 (the server refuses: the client is allowed to try them)', async () => {
    for (const v of ['-tls1_1', '-tls1']) {
      // SECLEVEL=0 lets OpenSSL 3 offer the old protocol at all; the refusal must then come from Apache.
      const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${httpsPort}`, '-servername', 'localhost', v, '-cipher', 'DEFAULT@SECLEVEL=0'], { input: '', encoding: 'utf8', timeout: 10_000 });
      const out = r.stdout + r.stderr;
      expect(r.status, out).not.toBe(0);
      expect(out).not.toMatch(/no protocols available/);
      expect(out).toMatch(/alert protocol version/);
    }
  });

  it('proxies to ReGate with the Basic credentials, X-Forwarded-Proto, the original Host, and adds HSTS', async () => {
    const ca = readFileSync(cert, 'utf8');
    const anonymous = await get(httpsPort, '/api/v1/no-such-route', ca);
    expect(anonymous.status).toBe(401);
    const wrong = await get(httpsPort, '/api/v1/no-such-route', ca, 'richest:wrong-password');
    expect(wrong.status).toBe(401);
    const ok = await get(httpsPort, '/api/v1/no-such-route', ca, `richest:${apiPassword}`);
    // Authenticated, then ReGate's own 404 for an unknown route (JSON, not Apache's HTML page).
    expect(ok.status).toBe(404);
    expect(ok.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(ok.body).error.code).toBe('not_found');
    expect(ok.headers['strict-transport-security']).toBe('max-age=63072000');
    const last = seen.at(-1)!;
    expect(last['x-forwarded-proto']).toBe('https');
    expect(last.host).toBe(`127.0.0.1:${httpsPort}`);
    expect(last['x-forwarded-for']).toBe('127.0.0.1');
    console.info(`apache test backend: ${backendKind}`);
  });
});
