import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';

/**
 * A headless Chromium driven over the DevTools protocol, for pages that need clicks and form posts (swagger.test.ts
 * only dumps a DOM). No playwright here and Node 20's global WebSocket is behind a flag, so undici's WebSocket
 * speaks CDP directly: one browser target, flattened session, Page + Runtime domains — about 100 lines.
 */
const CANDIDATES = [process.env.REGATE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
export const chromiumPath = CANDIDATES.find((p) => existsSync(p));
export const chromiumCandidates = CANDIDATES;

export interface Browser {
  goto(url: string): Promise<void>;
  eval<T = unknown>(expression: string): Promise<T>;
  /** Runs `expression` (which submits a form or clicks a link) and waits for the page it leads to. */
  navigateBy(expression: string): Promise<void>;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no chromium');
  const profile = mkdtempSync(join(tmpdir(), 'regate-cdp-'));
  const child: ChildProcess = spawn(
    chromiumPath,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--mute-audio', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`chromium did not start: ${err.slice(-1000)}`)), 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`chromium exited ${code}: ${err.slice(-1000)}`)));
  });
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(msg: any) => void>();
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data));
    if (msg.id && pending.has(msg.id)) {
      const p = pending.get(msg.id)!;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.message} ${msg.error.data ?? ''}`));
      else p.resolve(msg.result);
    } else for (const l of listeners) l(msg);
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Page.enable', {}, sessionId);
  await send('Runtime.enable', {}, sessionId);
  const loaded = (timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        listeners.delete(on);
        reject(new Error('page did not load'));
      }, timeoutMs);
      const on = (msg: any) => {
        if (msg.sessionId === sessionId && msg.method === 'Page.loadEventFired') {
          clearTimeout(t);
          listeners.delete(on);
          resolve();
        }
      };
      listeners.add(on);
    });
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  };
  return {
    async goto(url) {
      const done = loaded();
      await send('Page.navigate', { url }, sessionId);
      await done;
    },
    eval: evaluate,
    async navigateBy(expression) {
      const done = loaded();
      await evaluate(expression);
      await done;
    },
    async close() {
      try {
        ws.close();
      } catch {
        /* closed */
      }
      kill();
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
