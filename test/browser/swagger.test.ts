import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { parseConfig } from '../../src/config/index.js';
import { buildHarness } from '../fuzz/harness.js';

/**
 * The Swagger UI page at /docs, rendered by a real headless Chromium against a running ReGate (startServer over a
 * real app): every operation of /openapi.json must appear in the DOM, with its path, method and summary.
 *
 * Why `--dump-dom --virtual-time-budget` and not a DevTools client: no playwright here, Node 20's WebSocket is
 * behind a flag, and virtual time makes Chromium wait until the page's scripts, fetches and timers settle (up to
 * the budget) before printing the DOM: one process, no protocol. Measured: ~2 s for the whole run on this box.
 *
 * Debian's chromium (`apt-get install chromium`, .ci/run installs it); REGATE_CHROMIUM overrides the binary.
 * Skips with a message when there is none.
 */
const CANDIDATES = [process.env.REGATE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
const chromium = CANDIDATES.find((p) => existsSync(p));
if (!chromium) console.log(`browser test skipped: no Chromium at ${CANDIDATES.join(', ')} (apt-get install chromium)`);

const FLAGS = [
  '--headless',
  '--no-sandbox', // root in CI containers; the page is our own
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage', // small /dev/shm in containers crashes renderers
  '--mute-audio',
];

/** Runs Chromium once and returns the DOM after `budgetMs` of virtual time. */
function dumpDom(url: string, budgetMs: number): Promise<{ dom: string; stderr: string; ms: number }> {
  const profile = mkdtempSync(join(tmpdir(), 'regate-chromium-'));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a hung Chromium is killed with all its helpers (by our child's id only)
    const child = spawn(chromium!, [...FLAGS, `--user-data-dir=${profile}`, `--virtual-time-budget=${budgetMs}`, '--dump-dom', url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let dom = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (dom += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`chromium exited ${code ?? signal}: ${stderr.slice(-2000)}`));
      else resolve({ dom, stderr, ms: performance.now() - started });
    });
  });
}

const decode = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');

/** The id Swagger UI gives an operation's block: its operationId, else method + path with non-word characters as _. */
const swaggerOpId = (method: string, path: string, operationId?: string) => (operationId ?? `${method}${path}`).replace(/\W/g, '_');

interface DocOp {
  method: string;
  path: string;
  tag: string;
  summary: string;
  operationId?: string;
}

describe.skipIf(!chromium)('Swagger UI at /docs in headless Chromium', () => {
  let server: RunningServer;
  let ops: DocOp[];
  let dom = '';
  /** Webhook operations: Swagger UI renders them as blocks of their own, after the paths. */
  let webhooks = 0;

  beforeAll(async () => {
    const h = buildHarness();
    server = await startServer(h.app, parseConfig({}), { host: '127.0.0.1', port: 0 });
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, any>>; webhooks?: Record<string, Record<string, any>> };
    webhooks = Object.values(doc.webhooks ?? {}).reduce((n, item) => n + Object.keys(item).length, 0);
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, o]) => ({ method, path, tag: o.tags?.[0] ?? 'default', summary: o.summary ?? '', operationId: o.operationId })),
    );
    // Virtual time: 10 s is far more than the page needs; a slow CI box gets one retry with a larger budget.
    for (const budget of [10_000, 30_000]) {
      const r = await dumpDom(`${server.url}/docs`, budget);
      dom = decode(r.dom);
      console.log(`Chromium rendered /docs in ${r.ms.toFixed(0)} ms (virtual time budget ${budget} ms), ${r.dom.length} bytes of DOM`);
      if (ops.every((o) => dom.includes(`data-path="${o.path}"`))) break;
    }
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('the page loaded the spec (title, no Swagger load error) from the locally served assets', () => {
    expect(dom).toContain('class="swagger-ui"');
    expect(dom).toMatch(/<h[12][^>]*class="title"[^>]*>ReGate API/);
    expect(dom).not.toMatch(/Failed to load API definition|Fetch error/);
    expect(ops.length).toBeGreaterThanOrEqual(14);
  });

  it('every operation of /openapi.json is rendered: its block id, method, path and Russian summary', () => {
    const missing: string[] = [];
    for (const o of ops) {
      const id = `operations-${o.tag}-${swaggerOpId(o.method, o.path, o.operationId)}`;
      const block = dom.indexOf(`id="${id}"`);
      if (block === -1) {
        missing.push(`${o.method.toUpperCase()} ${o.path}: no block #${id}`);
        continue;
      }
      const next = dom.indexOf('id="operations-', block + 1);
      const html = dom.slice(block, next === -1 ? undefined : next);
      if (!html.includes(`data-path="${o.path}"`)) missing.push(`${o.method.toUpperCase()} ${o.path}: path not in its block`);
      if (!new RegExp(`opblock-summary-method[^>]*>${o.method.toUpperCase()}<`).test(html)) missing.push(`${o.method.toUpperCase()} ${o.path}: method not shown`);
      if (o.summary && !html.includes(o.summary)) missing.push(`${o.method.toUpperCase()} ${o.path}: summary «${o.summary}» not shown`);
    }
    console.log(`Swagger UI: ${ops.length - missing.length} of ${ops.length} operations rendered`);
    expect(missing).toEqual([]);
    // and nothing beyond them: one block per operation
    expect(dom.match(/class="opblock opblock-/g)?.length).toBe(ops.length + webhooks);
  });
});
