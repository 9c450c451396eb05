import { chownSync, existsSync, readFileSync, writeFileSync, renameSync, statSync } from 'node:fs';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { parseConfig } from '../config/index.js';
import { hashPassword } from './password.js';

/**
 * Adds the API user or replaces its password hash in a YAML config file, keeping every other key, comment and the
 * order of the file (yaml's Document API edits in place). The result must still pass the config schema, otherwise
 * nothing is written. Returns whether the user was new.
 */
export async function upsertUser(file: string, name: string, password: string): Promise<{ created: boolean }> {
  if (!name.trim()) throw new Error('user name is empty');
  if (password.length < 8) throw new Error('password: at least 8 characters');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`${file}: not valid YAML: ${doc.errors[0].message}`);
  if (doc.contents === null || doc.contents === undefined) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new Error(`${file}: the top level is not a mapping`);

  let auth = doc.get('auth');
  if (!isMap(auth)) {
    auth = new YAMLMap();
    doc.set('auth', auth);
  }
  let users = (auth as YAMLMap).get('users');
  if (!isSeq(users)) {
    users = new YAMLSeq();
    (auth as YAMLMap).set('users', users);
  }
  const hash = await hashPassword(password);
  const seq = users as YAMLSeq;
  const existing = seq.items.find((item) => isMap(item) && item.get('name') === name) as YAMLMap | undefined;
  if (existing) existing.set('passwordHash', hash);
  else seq.add(doc.createNode({ name, passwordHash: hash }));

  parseConfig(doc.toJS());
  // Write beside and rename: a crash mid-write must not leave a truncated config the service cannot start with.
  const tmp = `${file}.tmp-${process.pid}`;
  const before = existsSync(file) ? statSync(file) : undefined;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }), { mode: before ? before.mode & 0o777 : 0o600 });
  // Run as root on a root:regate 0640 file, the new file must stay readable by the service's group.
  if (before && process.getuid?.() === 0) chownSync(tmp, before.uid, before.gid);
  renameSync(tmp, file);
  return { created: !existing };
}
