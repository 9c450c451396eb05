import type { ClientInput, Row } from '../../onec/profiles/index.js';
import { readAll } from '../../onec/read.js';
import { hasAccountingSettlements, readAccountingClientBalance } from '../../onec/accounting.js';
import { PermanentError, type ClaimedJob, type Json } from '../../outbox/index.js';
import type { DeliveryContext } from './context.js';

export interface EnsuredClient {
  clientId: string;
  partnerKey: string;
  counterpartyKey: string | null;
  /** The partner existed in 1C before this call (found by external id or ИНН). */
  found: boolean;
}

interface ClientRow {
  id: string;
  name: string;
  inn: string | null;
  kpp: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  partner_key: string | null;
  counterparty_key: string | null;
  conflict: string | null;
  /** When ReGate adopted an existing 1C company by its ИНН (migration 023); null when ReGate created the client. */
  adopted_at: string | null;
}

/**
 * The client's ИНН belongs to another store client (issue 13.1). Permanent: retrying cannot make the company
 * someone else's. `owner` is the other store client's id.
 */
export class ClientConflictError extends PermanentError {
  constructor(
    readonly clientId: string,
    readonly inn: string,
    readonly owner: string,
  ) {
    super(`client ${clientId}: ИНН ${inn} belongs to store client ${owner} (partner already bound); not shared`);
    this.name = 'ClientConflictError';
  }
}

/**
 * Who else owns the partner (or counterparty) an ИНН led to: another local client holding its key, or, with the
 * extension, the store client id 1C keeps on it. Identity is the external id; an ИНН is public, so adopting a
 * company already bound to another store client by its ИНН alone would let anyone see its balance, book on it and
 * rename it (clientupd). A company bound to nobody is adopted: an existing 1C customer registering in the store.
 */
async function ownerOf(ctx: DeliveryContext, clientId: string, partnerKey: string, counterparty: Row): Promise<string | undefined> {
  const local = ctx.db.prepare(`SELECT id FROM clients WHERE (partner_key = ? OR counterparty_key = ?) AND id != ? LIMIT 1`).pluck().get(partnerKey, String(counterparty.Ref_Key), clientId) as string | undefined;
  if (local) return local;
  if (!ctx.ext) return undefined;
  const bound = (id: string | null) => (id && id !== clientId ? id : undefined);
  const onCounterparty = bound(ctx.profile.map.toClient({}, counterparty).externalId);
  if (onCounterparty) return onCounterparty;
  const partner = (await ctx.find('client', { partnerKey })).find((r) => String(r.Ref_Key) === partnerKey);
  return partner ? bound(ctx.profile.map.toClient(partner, null).externalId) : undefined;
}

function clientRow(ctx: DeliveryContext, clientId: string): ClientRow {
  const c = ctx.db.prepare(`SELECT * FROM clients WHERE id = ?`).get(clientId) as ClientRow | undefined;
  if (!c) throw new PermanentError(`client ${clientId} is not in the local database`);
  return c;
}

/** ИНН of 10 digits is an organisation, 12 digits an entrepreneur (or a person with an ИНН), none a person. */
export function profileInput(c: ClientRow): ClientInput {
  const inn = c.inn?.trim() || undefined;
  const kind: ClientInput['kind'] = inn?.length === 10 ? 'company' : inn?.length === 12 ? 'entrepreneur' : 'person';
  return {
    externalId: c.id,
    name: c.name,
    inn,
    kpp: c.kpp ?? undefined,
    kind,
    phone: c.phone ?? undefined,
    email: c.email ?? undefined,
    address: c.address ?? undefined,
    // The store sends one name: it is the full name too (a clientupd of the name left НаименованиеПолное as it was).
    fullName: c.name,
  };
}

const EMPTY_REF = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/**
 * The contact rows to write: ours, and every row of the object that is not of a kind we write. A PATCH replaces a
 * tabular part whole (WRITE-RULES §1.7: DIALECT.md 52-54), so sending ours alone dropped the legal address, the
 * second phone and everything else a manager had entered. A row of ours from before kinds were written (no Вид)
 * is recognised by its Тип.
 */
export function mergeContacts(existing: unknown, ours: Row[]): Row[] {
  const kinds = new Set(ours.map((r) => String(r.Вид_Key ?? '')));
  const types = new Set(ours.map((r) => String(r.Тип ?? '')));
  const kept = (Array.isArray(existing) ? (existing as Row[]) : [])
    .filter((r) => {
      const kind = typeof r.Вид_Key === 'string' ? r.Вид_Key : '';
      return !kind || EMPTY_REF.test(kind) ? !types.has(String(r.Тип ?? '')) : !kinds.has(kind);
    })
    .map(({ Ref_Key: _owner, LineNumber: _n, ...r }) => r);
  return [...kept, ...ours.map(({ LineNumber: _n, ...r }) => r)].map((r, i) => ({ LineNumber: i + 1, ...r }));
}

/**
 * Finds the client's Партнер (and Контрагент) in 1C, creating what is missing, and stores their keys locally.
 * Idempotent and safe to repeat after a lost answer: the partner is looked up by ReGate_ВнешнийИдентификатор (or,
 * without the extension, through a Контрагент with the same ИНН) before anything is created, and the partner's
 * key is committed locally the moment it is known. Serialised per client in this process, so client.ensure and a
 * booking of the same new client never both create one.
 */
export function ensureClient(ctx: DeliveryContext, clientId: string): Promise<EnsuredClient> {
  return ctx.exclusive(`client:${clientId}`, async () => {
    let c = clientRow(ctx, clientId);
    if (c.conflict) throw new ClientConflictError(clientId, c.inn ?? '', c.conflict);
    if (c.partner_key && c.counterparty_key) return { clientId, partnerKey: c.partner_key, counterpartyKey: c.counterparty_key, found: true };
    const { build } = ctx.profile;
    const input = profileInput(c);
    let found = !!c.partner_key;
    let partnerKey = c.partner_key;
    let counterpartyKey: string | null = null;

    if (!partnerKey) {
      if (ctx.ext) {
        const rows = await ctx.find('client', { externalId: clientId });
        partnerKey = (rows.find((r) => !r.DeletionMark)?.Ref_Key as string | undefined) ?? (rows[0]?.Ref_Key as string | undefined) ?? null;
      }
      if (!partnerKey && input.inn) {
        // Without the extension the profile finds clients by ИНН only; with it, an existing 1C client with the
        // same ИНН is adopted rather than duplicated.
        const rows = await ctx.find('counterparty', { inn: input.inn });
        const cp = rows.find((r) => !r.DeletionMark && r.Партнер_Key) ?? rows.find((r) => r.Партнер_Key);
        if (cp) {
          const owner = await ownerOf(ctx, clientId, String(cp.Партнер_Key), cp);
          if (owner) {
            // Recorded so that `client` and `booking` answer 409 at once from now on; clientupd with another ИНН clears it.
            ctx.db.prepare(`UPDATE clients SET conflict = ?, updated_at = ? WHERE id = ?`).run(owner, ctx.now().toISOString(), clientId);
            throw new ClientConflictError(clientId, input.inn, owner);
          }
          partnerKey = String(cp.Партнер_Key);
          counterpartyKey = String(cp.Ref_Key);
          ctx.db.prepare(`UPDATE clients SET adopted_at = ? WHERE id = ?`).run(ctx.now().toISOString(), clientId);
        }
      }
      found = !!partnerKey;
      if (!partnerKey) {
        const created = await ctx.create(ctx.writeSet('partner'), build.partnerBody(input, ctx.config));
        partnerKey = String(created.Ref_Key);
      }
      // Committed before the counterparty is attempted: a retry then never creates a second partner.
      ctx.db.prepare(`UPDATE clients SET partner_key = ? WHERE id = ?`).run(partnerKey, clientId);
    }

    if (!counterpartyKey) {
      const rows = ctx.ext
        ? await ctx.find('counterparty', { externalId: clientId })
        : await ctx.find('counterparty', { partnerKey });
      const mine = rows.filter((r) => r.Партнер_Key === partnerKey);
      counterpartyKey = (mine.find((r) => !r.DeletionMark)?.Ref_Key as string | undefined) ?? (mine[0]?.Ref_Key as string | undefined) ?? null;
      if (!counterpartyKey && !ctx.ext) {
        const byPartner = await ctx.find('counterparty', { partnerKey });
        counterpartyKey = (byPartner[0]?.Ref_Key as string | undefined) ?? null;
      }
      if (!counterpartyKey) {
        const created = await ctx.create(ctx.writeSet('counterparty'), build.counterpartyBody(input, { partnerKey }, ctx.config));
        counterpartyKey = String(created.Ref_Key);
      }
    }
    ctx.db.prepare(`UPDATE clients SET partner_key = ?, counterparty_key = ?, updated_at = ? WHERE id = ?`).run(partnerKey, counterpartyKey, ctx.now().toISOString(), clientId);
    c = clientRow(ctx, clientId);
    return { clientId, partnerKey, counterpartyKey, found };
  });
}

/**
 * The client's prepayment: РасчетыСКлиентами Balance over the partner's settlement analytics keys. Stored in
 * clients.balance_kopecks (what the client has paid in advance, ≥ 0) with the moment it was read.
 */
export async function refreshBalance(ctx: DeliveryContext, clientId: string, partnerKey: string): Promise<number> {
  let prepaid = 0;
  if (hasAccountingSettlements(ctx.profile)) {
    // БП keeps settlements on accounts 62.01 / 62.02 by subconto Контрагенты (onec/accounting.ts): the partner is the
    // counterparty there, one Catalog_Контрагенты item.
    prepaid = (await readAccountingClientBalance(ctx.onec, ctx.profile, partnerKey))?.prepaid ?? 0;
  } else {
    // A configuration whose settlements ReGate cannot read has no balance to report: nothing is read or stored.
    if (!ctx.profile.reads.clientAnalytics || !ctx.profile.reads.clientBalance) return 0;
    const keys = (await readAll(ctx.onec, ctx.spec('clientAnalytics'), { partnerKey })).map((r) => String(r.Ref_Key));
    if (keys.length) {
      const rows = await readAll(ctx.onec, ctx.spec('clientBalance'), { analyticsKeys: keys });
      prepaid = ctx.profile.map.toClientBalance(rows).prepaid;
    }
  }
  const kopecks = Math.round(prepaid * 100);
  ctx.db.prepare(`UPDATE clients SET balance_kopecks = ?, balance_at = ? WHERE id = ?`).run(kopecks, ctx.now().toISOString(), clientId);
  return kopecks;
}

/** JOB.clientEnsure { clientId } → { found, partnerKey, counterpartyKey, balanceKopecks } */
export async function handleClientEnsure(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { clientId } = job.payload as { clientId: string };
  let c: EnsuredClient;
  try {
    c = await ensureClient(ctx, clientId);
  } catch (e) {
    // Done, not dead: the answer (409) is the outcome, and a dead job would hold the client's later clientupd.
    if (e instanceof ClientConflictError) return { conflict: e.owner, inn: e.inn };
    throw e;
  }
  const balanceKopecks = await refreshBalance(ctx, clientId, c.partnerKey);
  return { found: c.found, partnerKey: c.partnerKey, counterpartyKey: c.counterpartyKey, balanceKopecks };
}

/** JOB.clientUpdate { clientId } → PATCH the partner and counterparty with what is stored locally now. */
export async function handleClientUpdate(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { clientId } = job.payload as { clientId: string };
  let ensured: EnsuredClient;
  try {
    ensured = await ensureClient(ctx, clientId);
  } catch (e) {
    // A client whose ИНН is another's has nothing in 1C to update; a dead job here would hold the client's key, and
    // with it the clientupd that fixes the ИНН.
    if (e instanceof ClientConflictError) return { conflict: e.owner, inn: e.inn };
    throw e;
  }
  const row = clientRow(ctx, clientId);
  const input = profileInput(row);
  // Every owned field is sent (not only the changed ones): the contact tabular part is replaced whole, and a
  // PATCH of the current state is idempotent under retries and reordering.
  const { partner, counterparty } = ctx.profile.build.clientPatch(input);
  // A company adopted by its ИНН was the accountant's record before the shop's: its names, ИНН/КПП and legal form
  // stay as 1C has them (a shop's display name «Ромашка» must not replace the full legal name invoices carry).
  const kept = row.adopted_at ? [...keepIdentity(partner), ...keepIdentity(counterparty)] : [];
  await patchKeepingContacts(ctx, 'partner', ensured.partnerKey, partner);
  if (ensured.counterpartyKey) await patchKeepingContacts(ctx, 'counterparty', ensured.counterpartyKey, counterparty);
  return { partnerKey: ensured.partnerKey, counterpartyKey: ensured.counterpartyKey, ...(kept.length ? { keptAsInOneC: [...new Set(kept)] } : {}) };
}

/** The identity fields of a client record a clientupd does not change on an adopted company: removed, named. */
const IDENTITY = ['Description', 'НаименованиеПолное', 'ЮрФизЛицо', 'ИНН', 'КПП'];
function keepIdentity(patch: Row): string[] {
  const kept = IDENTITY.filter((f) => f in patch);
  for (const f of kept) delete patch[f];
  return kept;
}

/**
 * PATCH of a partner or counterparty whose contact rows are merged with what 1C has (mergeContacts), sent with
 * If-Match on the version read: a manager's edit in between is refused (412) and retried from a fresh read rather
 * than overwritten.
 */
async function patchKeepingContacts(ctx: DeliveryContext, write: 'partner' | 'counterparty', key: string, patch: Row): Promise<void> {
  if (!Object.keys(patch).length) return;
  const set = ctx.writeSet(write);
  let ifMatch: string | undefined;
  if (Array.isArray(patch.КонтактнаяИнформация)) {
    const current = await ctx.get(set, key);
    patch = { ...patch, КонтактнаяИнформация: mergeContacts(current.КонтактнаяИнформация, patch.КонтактнаяИнформация as Row[]) };
    ifMatch = typeof current.DataVersion === 'string' && current.DataVersion ? current.DataVersion : undefined;
  }
  await ctx.update(set, key, patch, { ifMatch });
}
