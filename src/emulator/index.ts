/**
 * The 1C emulator: an HTTP server speaking 1C's standard OData dialect over its own in-memory store. It is the
 * test bench and the demo's embedded 1C, so it reproduces the platform's quirks (see
 * ../shared/reference/onec-odata/DIALECT.md): Int64 as strings, $inlinecount as a string, $expand only with
 * $select, `in` refused, raw UTF-8 Location, the real error codes, Atom without $format, and fault injection.
 *
 * Data contract (the demo generator produces it): `{ config, rows }` where rows[setName] holds rows with
 * published field names and NATIVE values — Int64 as numbers, Edm.DateTime as naive 'YYYY-MM-DDTHH:mm:ss',
 * references as guid strings, composite `X` + `X_Type` ('StandardODATA.Catalog_…'), tabular parts inline as arrays
 * under the part's name (LineNumber numbers), and for registers the records (dimensions, resources, Period,
 * Recorder_Key, RecordType 'Receipt'|'Expense', LineNumber optional) under the register's name. Missing
 * properties get the platform's empty values; missing Ref_Key/DataVersion are assigned.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Faults, type FaultConfig } from './faults.js';
import { buildModel } from './model.js';
import type { ConfigurationDef, PostingHook } from './schema/types.js';
import { createAdminHandler, createHandler } from './server.js';
import { Store, type Row } from './store.js';

export type { FaultConfig } from './faults.js';
export { Faults } from './faults.js';
export { Store, type Row } from './store.js';
export { buildModel, type Model, type Shape } from './model.js';

export interface EmulatorBase {
  config: ConfigurationDef;
  rows?: Record<string, Row[]>;
  /** The base's functional options (the demo's settings); startEmulator's own option wins. */
  functionalOptions?: Record<string, boolean>;
}

export interface EmulatorOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Publication name: the URL is http://host:port/<publication>/odata/standard.odata. Default 'demo'. */
  publication?: string;
  /** Basic auth users (UTF-8 logins, Cyrillic allowed). None = no auth. */
  users?: { name: string; password: string }[];
  base: EmulatorBase;
  /** Published set names (owners publish their tabular/_RecordType sets). Others answer 404. Default: all. */
  composition?: string[];
  /** IANA zone for the server's "now" (document dates). Default: the process zone. */
  timezone?: string;
  faults?: FaultConfig;
  /**
   * Functional options of the emulated base (Constant_* in a real one) its handlers consult, e.g.
   * { ИспользоватьАвтоматическиеСкидкиВПродажах: true }. Changeable at run time: POST /__emulator/options.
   */
  functionalOptions?: Record<string, boolean>;
  /** Posting handlers by document set for sets whose definition has no onPost (e.g. ut11Posting). */
  posting?: Record<string, PostingHook>;
  /**
   * A separate port for /__emulator/ (0 = random) that stays up while the OData listener is "down", so another
   * process can bring it back. Without it the admin endpoint shares the OData port (use downForMs then).
   */
  adminPort?: number;
  /** Query strings longer than this (bytes) get IIS's HTML 404. Default 2048 (IIS maxQueryString). */
  maxUrlLength?: number;
}

export interface Emulator {
  /** http://host:port/<publication>/odata/standard.odata */
  url: string;
  port: number;
  store: Store;
  faults: Faults;
  /** Admin endpoint base: http://host:port/__emulator (the admin port when one was asked for). */
  adminUrl: string;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const publication = opts.publication ?? 'demo';
  const model = buildModel(opts.base.config);
  const store = new Store(model, { timezone: opts.timezone, posting: opts.posting, functionalOptions: { ...opts.base.functionalOptions, ...opts.functionalOptions } });
  if (opts.base.rows) store.load(opts.base.rows);
  const faults = new Faults(opts.faults);
  let port = opts.port ?? 0;
  const hostForUrl = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const handler = createHandler(store, faults, {
    publication,
    users: opts.users,
    composition: opts.composition,
    maxUrlLength: opts.maxUrlLength ?? 2048,
    origin: () => `http://${hostForUrl}:${port}`,
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const closeListener = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  faults.onDownChange = async (down) => {
    if (down) await closeListener();
    else if (!server.listening) await listen();
  };
  let adminServer: Server | undefined;
  let adminPort = 0;
  if (opts.adminPort !== undefined) {
    const admin = createAdminHandler(faults, store.options);
    adminServer = createServer((req, res) => void admin(req, res));
    await new Promise<void>((resolve, reject) => {
      adminServer!.once('error', reject);
      adminServer!.listen(opts.adminPort, host, () => resolve());
    });
    adminPort = (adminServer.address() as AddressInfo).port;
  }
  if (opts.faults?.down) {
    // Start "down": the port is reserved by a first listen so `up` re-listens on a known port.
    await listen();
    await closeListener();
  } else await listen();
  return {
    url: `http://${hostForUrl}:${port}/${publication}/odata/standard.odata`,
    get port() {
      return port;
    },
    store,
    faults,
    get adminUrl() {
      return `http://${hostForUrl}:${adminServer ? adminPort : port}/__emulator`;
    },
    async close() {
      faults.onDownChange = undefined;
      await closeListener();
      if (adminServer) {
        await new Promise<void>((resolve) => adminServer!.close(() => resolve()));
        adminServer.closeAllConnections();
      }
    },
  };
}
