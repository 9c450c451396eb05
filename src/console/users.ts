import { chownSync, existsSync, readFileSync, renameSync, statSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import type { MiddlewareHandler } from 'hono';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { loadConfig, parseConfig, type Config } from '../config/index.js';
import { hashPassword } from '../install/password.js';
import { ApiError } from '../api/errors.js';

/**
 * Users of ReGate, kept in the configuration file as before (`regate install` writes the first one there):
 *  - API users (auth.users): the store's Basic-auth accounts, role `store` (catalogue, orders) or `bank` (also the
 *    bank review list, which shows payers' names, INNs and accounts);
 *  - console users (console.users): people at /console, role `admin` or `accountant`. Kept apart: a console
 *    password never opens the API and the store's password never opens the console.
 *
 * `regate user …` edits the file in place (comments and key order kept, written beside and renamed); a running
 * daemon watches the file and swaps the lists IN PLACE (the same array objects the auth middleware holds), so a new
 * user works and a removed one stops without a restart.
 */
export type UserKind = 'api' | 'console';
export const API_ROLES = ['store', 'bank'] as const;
export const CONSOLE_ROLES = ['admin', 'accountant'] as const;
export type ApiRole = (typeof API_ROLES)[number];
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];
export type ApiUser = Config['auth']['users'][number];
export type ConsoleUser = Config['console']['users'][number];

export const kindOfRole = (role: string): UserKind | undefined =>
  (API_ROLES as readonly string[]).includes(role) ? 'api' : (CONSOLE_ROLES as readonly string[]).includes(role) ? 'console' : undefined;

export class UserFileError extends Error {
  override name = 'UserFileError';
}

const section = (kind: UserKind) => (kind === 'api' ? 'auth' : 'console');

function readDoc(file: string): Document {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = parseDocument(text);
  if (doc.errors.length) throw new UserFileError(`${file}: неверный YAML: ${doc.errors[0].message}`);
  if (doc.contents === null || doc.contents === undefined) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new UserFileError(`${file}: верхний уровень файла — не словарь`);
  return doc;
}

function usersSeq(doc: Document, kind: UserKind, create: boolean): YAMLSeq | undefined {
  let sec = doc.get(section(kind));
  if (!isMap(sec)) {
    if (!create) return undefined;
    sec = new YAMLMap();
    doc.set(section(kind), sec);
  }
  let users = (sec as YAMLMap).get('users');
  if (!isSeq(users)) {
    if (!create) return undefined;
    users = new YAMLSeq();
    (sec as YAMLMap).set('users', users);
  }
  return users as YAMLSeq;
}

const find = (seq: YAMLSeq | undefined, name: string) =>
  seq?.items.find((item) => isMap(item) && item.get('name') === name) as YAMLMap | undefined;

/** Validates the whole file against the schema, then writes beside and renames (a crash never leaves half a file). */
function writeDoc(file: string, doc: Document) {
  try {
    parseConfig(doc.toJS());
  } catch (e) {
    throw new UserFileError(`${file}: после изменения конфигурация не проходит проверку, файл не изменён: ${(e as Error).message}`);
  }
  const tmp = `${file}.tmp-${process.pid}`;
  const before = existsSync(file) ? statSync(file) : undefined;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }), { mode: before ? before.mode & 0o777 : 0o600 });
  // Run as root on a root:regate 0640 file, the new file must stay readable by the service's group.
  if (before && process.getuid?.() === 0) chownSync(tmp, before.uid, before.gid);
  renameSync(tmp, file);
}

export const MIN_PASSWORD = 8;

function checkPassword(password: string) {
  if (password.length < MIN_PASSWORD) throw new UserFileError(`пароль: не короче ${MIN_PASSWORD} символов`);
}

export interface AddUser {
  name: string;
  password: string;
  role: ApiRole | ConsoleRole;
  /** Console users: the person's name for the pages and the audit. */
  fullName?: string;
}

/** Adds a user; an existing name of the same kind is refused (use setPassword / the role option of add --replace). */
export async function addUser(file: string, u: AddUser, opts: { replace?: boolean } = {}): Promise<{ kind: UserKind; created: boolean }> {
  const name = u.name.trim();
  if (!name) throw new UserFileError('имя пользователя пустое');
  const kind = kindOfRole(u.role);
  if (!kind) throw new UserFileError(`роль «${u.role}» неизвестна: ${[...API_ROLES, ...CONSOLE_ROLES].join(', ')}`);
  if (kind === 'api' && u.fullName) throw new UserFileError('--full-name только для пользователей консоли (роли admin, accountant)');
  checkPassword(u.password);
  const doc = readDoc(file);
  const seq = usersSeq(doc, kind, true)!;
  const existing = find(seq, name);
  if (existing && !opts.replace) {
    throw new UserFileError(`пользователь ${kind === 'api' ? 'API' : 'консоли'} «${name}» уже есть; пароль меняет regate user passwd ${name}`);
  }
  const passwordHash = await hashPassword(u.password);
  const entry: Record<string, string> = { name, passwordHash, role: u.role };
  if (u.fullName?.trim()) entry.fullName = u.fullName.trim();
  if (existing) for (const [k, v] of Object.entries(entry)) existing.set(k, v);
  else seq.add(doc.createNode(entry));
  writeDoc(file, doc);
  return { kind, created: !existing };
}

/** Which lists hold this name (a name may be both an API and a console user). */
function kindsOf(doc: Document, name: string): UserKind[] {
  return (['api', 'console'] as const).filter((k) => find(usersSeq(doc, k, false), name));
}

function pickKind(file: string, doc: Document, name: string, kind?: UserKind): UserKind {
  const kinds = kind ? kindsOf(doc, name).filter((k) => k === kind) : kindsOf(doc, name);
  if (kinds.length === 0) throw new UserFileError(`нет ${kind === 'console' ? 'пользователя консоли' : kind === 'api' ? 'пользователя API' : 'пользователя'} «${name}» в ${file}`);
  if (kinds.length > 1) throw new UserFileError(`«${name}» есть и среди пользователей API, и среди пользователей консоли: укажите --api или --console`);
  return kinds[0];
}

export async function removeUser(file: string, name: string, kind?: UserKind): Promise<{ kind: UserKind }> {
  const doc = readDoc(file);
  const k = pickKind(file, doc, name, kind);
  const seq = usersSeq(doc, k, false)!;
  seq.items = seq.items.filter((item) => !(isMap(item) && item.get('name') === name));
  writeDoc(file, doc);
  return { kind: k };
}

export async function setPassword(file: string, name: string, password: string, kind?: UserKind): Promise<{ kind: UserKind }> {
  checkPassword(password);
  const doc = readDoc(file);
  const k = pickKind(file, doc, name, kind);
  find(usersSeq(doc, k, false), name)!.set('passwordHash', await hashPassword(password));
  writeDoc(file, doc);
  return { kind: k };
}

export interface UserRow {
  kind: UserKind;
  name: string;
  role: string;
  fullName?: string;
}

export function listUsers(config: Config): UserRow[] {
  return [
    ...config.auth.users.map((u) => ({ kind: 'api' as const, name: u.name, role: u.role })),
    ...config.console.users.map((u) => ({ kind: 'console' as const, name: u.name, role: u.role, fullName: u.fullName })),
  ];
}

// --- live reload --------------------------------------------------------------------------------------------------

const generations = new WeakMap<object, number>();
/** Bumped each time a list is swapped: middleware built over the list rebuilds its caches (see reloading()). */
export const generationOf = (list: object) => generations.get(list) ?? 0;

function swap<T>(target: T[], next: T[]) {
  const same = target.length === next.length && target.every((u, i) => JSON.stringify(u) === JSON.stringify(next[i]));
  if (same) return false;
  target.splice(0, target.length, ...next);
  generations.set(target, generationOf(target) + 1);
  return true;
}

/** Re-reads the users from the file (with the same REGATE_* overlay) into the live config. Returns what changed. */
export function reloadUsers(config: Config, file: string, env: NodeJS.ProcessEnv = process.env): { api: boolean; console: boolean } {
  const fresh = loadConfig({ file, env });
  return { api: swap(config.auth.users, fresh.auth.users), console: swap(config.console.users, fresh.console.users) };
}

/**
 * Watches the configuration file (stat polling: editors and `regate user` replace the file by rename, which an
 * inotify watch on the old inode would miss) and reloads the users when it changes. A file that does not parse is
 * reported and the users stay as they were. Returns the stop function.
 */
export function watchUsers(
  config: Config,
  file: string,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
  intervalMs = 1000,
): () => void {
  const onChange = (cur: { mtimeMs: number }, prev: { mtimeMs: number }) => {
    if (cur.mtimeMs === prev.mtimeMs) return;
    try {
      const r = reloadUsers(config, file);
      if (r.api || r.console) log.info({ file, apiUsers: config.auth.users.length, consoleUsers: config.console.users.length }, 'users reloaded');
    } catch (e) {
      log.error({ file, err: e }, 'config file changed but does not load; users unchanged');
    }
  };
  watchFile(file, { interval: intervalMs, persistent: false }, onChange);
  return () => unwatchFile(file, onChange);
}

/**
 * Middleware whose inner middleware is rebuilt when the user list is swapped. Wraps the API's Basic auth: it caches
 * a verified credential for minutes, so without the rebuild a removed user (or an old password) would keep working
 * until the cache expired. A rebuild also forgets lockouts, which only an administrator's edit can cause.
 */
export function reloading(list: object, make: () => MiddlewareHandler): MiddlewareHandler {
  let gen = generationOf(list);
  let inner = make();
  return (c, next) => {
    const now = generationOf(list);
    if (now !== gen) {
      gen = now;
      inner = make();
    }
    return inner(c, next);
  };
}

/** 403 unless the authenticated API user has one of `roles` (looked up live, so a role change applies at once). */
export function requireApiRole(users: ApiUser[], roles: readonly ApiRole[]): MiddlewareHandler {
  return async (c, next) => {
    const name = c.get('user' as never) as string | undefined;
    const user = users.find((u) => u.name === name);
    if (!user || !roles.includes(user.role)) {
      throw new ApiError(403, 'forbidden', `Нет прав: нужна роль ${roles.join(' или ')} (regate user add ИМЯ --role bank)`);
    }
    return next();
  };
}
