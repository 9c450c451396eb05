import { spawn } from 'node:child_process';
import net from 'node:net';

/**
 * More copies of the listening socket, so a busy event loop still takes new connections at once.
 *
 * Since libuv 1.45 (Node 20) a listening socket accepts ONE connection per turn of the event loop
 * (libuv/libuv#3696, "unix: don't accept() connections in a loop"). A turn of ReGate's loop during a booking burst
 * serves every connection that has a request ready, 100-150 ms of work, so 500 connections opened at once by a
 * restarted application server were taken 6-10 per second: the median connection waited 3.9-5.4 s for its first
 * answer though the kernel had completed every handshake in 80 ms (docs/benchmarks.md, strace of the burst).
 *
 * libuv polls each file descriptor on its own, so N descriptors of the one socket accept N connections per turn.
 * Node 20 can neither dup a descriptor nor set SO_REUSEPORT (`reusePort` came in Node 22.12), but passing a handle to
 * another process over an IPC channel dups it (SCM_RIGHTS): a helper process that lives for the hand-over gets the
 * listening handle once and sends it back `copies` times. Each copy is polled by a bare net.Server whose
 * connections are handed to the HTTP(S) server as its own (`emit('connection')`: TLS, keep-alive, timeouts and the
 * parser are the server's). Measured with a server burning 1 ms per request and 500 connections opened at once
 * (2 cores, load 0.7-1.1): connections answered within 8 s 264 of 500 (one descriptor) → 500 of 500 with 32
 * descriptors, the slowest first answer 8.0 s → 1.9 s (16: 2.3 s; 64: 1.3 s).
 *
 * The price: an incoming connection wakes every copy, and all but one accept() find nothing (EAGAIN, ~1-2 µs each):
 * ~50 µs per new connection with 32, nothing per request on a kept-alive connection. Windows is left alone: its
 * libuv accepts through IOCP with several accepts outstanding, not this way.
 */

/** The helper: receives the listening handle, sends it back `copies` times, closes its own and leaves. Its
 *  'message' listener stays on until then: without one the IPC channel no longer holds the process open, and it
 *  left with the first copy still waiting for its acknowledgement. */
const HELPER = `process.on('message', (m, h) => {
  if (!h) return;
  let left = m.copies;
  const next = (err) => {
    if (err || left-- <= 0) { try { h.close(); } catch {} process.disconnect(); return; }
    process.send('copy', h, next);
  };
  next();
});`;

export interface ExtraAcceptors {
  /** Copies listening besides the server's own descriptor. */
  listening: number;
  /** Why there are none or fewer than asked, in words for the log. */
  problem?: string;
  close(): Promise<void>;
}

const none = (problem?: string): ExtraAcceptors => ({ listening: 0, problem, close: async () => {} });

export async function addAcceptors(server: net.Server, copies: number, timeoutMs = 5000): Promise<ExtraAcceptors> {
  if (copies <= 0) return none();
  if (process.platform === 'win32') return none();
  const handle = (server as unknown as { _handle?: unknown })._handle;
  if (!handle) return none('у сервера нет дескриптора прослушивания');
  const extras: net.Server[] = [];
  const close = async () => {
    await Promise.all(extras.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  // NODE_OPTIONS may name loaders (tsx) the helper neither needs nor should pay for.
  const { NODE_OPTIONS: _drop, ...env } = process.env;
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, ['-e', HELPER], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env, windowsHide: true });
  } catch (err) {
    return none(`вспомогательный процесс не запущен: ${(err as Error).message}`);
  }
  const problem = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(`за ${timeoutMs} мс получено ${extras.length} копий из ${copies}`), timeoutMs);
    const done = (why?: string) => {
      clearTimeout(timer);
      resolve(why);
    };
    child.on('error', (err) => done(`вспомогательный процесс: ${err.message}`));
    child.on('exit', () => done(extras.length < copies ? `вспомогательный процесс вышел, получено ${extras.length} копий из ${copies}` : undefined));
    child.on('message', (_m, copy) => {
      if (!copy) return;
      const extra = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => server.emit('connection', socket));
      extra.on('error', () => extra.close());
      extra.listen(copy as net.ListenOptions);
      extras.push(extra);
      if (extras.length === copies) done();
    });
    child.send({ copies }, handle as net.Server);
  });
  // Until it has gone, the helper's own copy would take connections the kernel then resets: wait for its exit.
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
  // The copies must not keep a stopping daemon alive: the server's own handle decides that.
  for (const s of extras) s.unref();
  return { listening: extras.length, problem, close };
}
