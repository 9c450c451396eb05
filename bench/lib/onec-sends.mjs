/**
 * Preloaded into the ReGate child of the booking suite (`--import`, so into every thread it starts): when each request
 * to 1C went onto its socket. With the 1C stand-in's own record of when it read each request and let each session go
 * (bench/proc/emulator.ts), the suite splits the time 1C's sessions sat idle between calls into ReGate's part (1C's
 * answer written → ReGate's next request written) and the stand-in's (that request written → read by the stand-in,
 * which shares the bench's 2 cores). Both sides stamp process.hrtime (CLOCK_MONOTONIC: one clock for all processes of
 * the host) and name the connection by ReGate's local port (the stand-in's remote port). Bench-only: nothing in src/
 * knows about it. undici publishes `undici:client:sendHeaders` once a request's headers are written to the socket.
 *
 * BENCH_ONEC_SENDS=<file>: lines "<local port> <µs>", appended every 200 ms and at exit by each thread.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_ONEC_SENDS;
if (file) {
  let lines = '';
  const flush = () => {
    if (!lines) return;
    const out = lines;
    lines = '';
    appendFileSync(file, out);
  };
  diagnostics_channel.channel('undici:client:sendHeaders').subscribe((m) => {
    const port = m?.socket?.localPort;
    if (port) lines += `${port} ${process.hrtime.bigint() / 1000n}\n`;
  });
  setInterval(flush, 200).unref();
  process.on('exit', flush);
}
