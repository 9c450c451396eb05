import { sha256 } from '../import/importer.js';
import type { SourcedStatement } from '../import/types.js';
import type { Party, Statement, StatementDocument } from '../parse/index.js';
import type { BankStatementApi, DateRange } from './api.js';

/**
 * Точка Open Banking statements (developers.tochka.com, «Выписки», permission ReadStatements):
 *   POST {base}/statements  {"Data":{"Statement":{"accountId","startDateTime","endDateTime"}}}
 *        → {"Data":{"Statement":{"statementId","status":"Created",...}}}   (prepared asynchronously)
 *   GET  {base}/accounts/{accountId}/statements/{statementId}
 *        → {"Data":{"Statement":[{"status":"Created"|"Processing"|"Ready"|"Error", "Transaction":[...]}]}}
 * accountId is "<20-digit account>/<BIC>" and goes into the path as is, slash included, as Точка's examples do.
 * Each Transaction: creditDebitIndicator Credit (приход) | Debit, status Booked | Pending, documentNumber,
 * documentProcessDate, description (назначение), Amount {amount, amountNat, currency}, DebtorParty {inn, kpp,
 * name}, DebtorAccount {identification}, DebtorAgent {identification (BIC), accountIdentification (корсчёт),
 * name}, the same Creditor*. Only Booked transactions are imported: a Pending one may still be returned.
 */
export const TOCHKA_DEFAULT_URL = 'https://enter.tochka.com/uapi/open-banking/v1.0';

export interface TochkaOptions {
  url?: string;
  token: string;
  accountId: string;
  /** Give up (until the next run) when the statement is not Ready within this time. */
  readyTimeoutMs: number;
  /** Between GETs while the bank prepares the statement. */
  pollMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class TochkaApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TochkaApiError';
  }
}

export class TochkaStatementApi implements BankStatementApi {
  readonly source = 'tochka';
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly opts: TochkaOptions) {
    if (!/^\d{20}\/\d{9}$/.test(opts.accountId)) throw new TypeError(`bank.api.accountId: ожидается "<20 цифр счёта>/<БИК>", получено "${opts.accountId}"`);
    this.base = (opts.url ?? TOCHKA_DEFAULT_URL).replace(/\/+$/, '');
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((res) => setTimeout(res, ms)));
  }

  async fetchStatement(range: DateRange, signal?: AbortSignal): Promise<SourcedStatement> {
    const init = await this.call('POST', '/statements', { Data: { Statement: { accountId: this.opts.accountId, startDateTime: range.from, endDateTime: range.to } } }, signal);
    const statementId = init?.Data?.Statement?.statementId;
    if (typeof statementId !== 'string' || !statementId) throw new TochkaApiError('Точка: в ответе Init Statement нет statementId');
    const deadline = Date.now() + this.opts.readyTimeoutMs;
    for (;;) {
      const got = await this.call('GET', `/accounts/${this.opts.accountId}/statements/${encodeURIComponent(statementId)}`, undefined, signal);
      const st = (got?.Data?.Statement ?? [])[0];
      if (!st) throw new TochkaApiError(`Точка: выписка ${statementId} не найдена в ответе`);
      if (st.status === 'Ready') {
        const statement = tochkaToStatement(st, this.opts.accountId);
        return { source: this.source, name: `tochka:${statementId} ${range.from}..${range.to}`, hash: statementHash(statement), statement };
      }
      if (st.status === 'Error') throw new TochkaApiError(`Точка: выписка ${statementId} сформирована с ошибкой`);
      if (Date.now() >= deadline) throw new TochkaApiError(`Точка: выписка ${statementId} не готова за ${this.opts.readyTimeoutMs} мс (статус ${st.status})`);
      await this.sleep(this.opts.pollMs ?? 1000, signal);
    }
  }

  private async call(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<any> {
    const res = await this.fetch(this.base + path, {
      method,
      headers: { Authorization: `Bearer ${this.opts.token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal,
    });
    const text = await res.text();
    if (!res.ok) {
      let why = text.slice(0, 300);
      try {
        const j = JSON.parse(text);
        why = j?.message ?? j?.Errors?.[0]?.message ?? why;
      } catch {
        /* not JSON */
      }
      throw new TochkaApiError(`Точка: ${method} ${path} → HTTP ${res.status}: ${why}`, res.status);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new TochkaApiError(`Точка: ${method} ${path} → не JSON`);
    }
  }
}

/** The same payments give the same hash whatever order the bank lists them in. */
function statementHash(st: Statement): string {
  const docs = st.documents.map((d) => [d.ownAccount, d.direction, d.number, d.date, d.amountKopecks, d.payer.account, d.payee.account, d.purpose].join('|')).sort();
  return sha256(JSON.stringify([st.header.accounts, docs]));
}

/** Decimal roubles (JSON number or string, ≤ 2 decimals) → kopecks without going through float arithmetic. */
export function tochkaKopecks(v: unknown): number {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new TochkaApiError(`Точка: сумма "${String(v)}" не в рублях с копейками`);
  const k = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(k)) throw new TochkaApiError(`Точка: сумма "${String(v)}" слишком велика`);
  return k;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() && v.trim() !== '0' ? v.trim() : null);

function party(p: any, acc: any, agent: any): Party {
  return {
    account: str(acc?.identification),
    settlementAccount: null,
    inn: str(p?.inn),
    kpp: str(p?.kpp),
    name: str(p?.name),
    nameLines: [],
    bank: { name: str(agent?.name), city: null, bik: str(agent?.identification), corrAccount: str(agent?.accountIdentification) },
  };
}

/**
 * A Ready Точка statement → the Statement the importer records, so file and API payments go through one matcher
 * and one identity: own account | documentNumber | documentProcessDate | kopecks | DebtorAccount — the same key a
 * 1CClientBankExchange export of the same payment gives (ПлательщикСчет = the payer's account for direct
 * payments), so a payment seen both ways is applied once.
 */
export function tochkaToStatement(st: any, accountId: string): Statement {
  const own = accountId.split('/')[0];
  const documents: StatementDocument[] = [];
  let i = 0;
  for (const t of st?.Transaction ?? []) {
    i++;
    if (t?.status && t.status !== 'Booked') continue;
    const credit = t?.creditDebitIndicator === 'Credit';
    const date = String(t?.documentProcessDate ?? '').slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new TochkaApiError(`Точка: операция ${t?.transactionId ?? i} без documentProcessDate`);
    const payer = party(t.DebtorParty, t.DebtorAccount, t.DebtorAgent);
    const payee = party(t.CreditorParty, t.CreditorAccount, t.CreditorAgent);
    // The own side may be left out of the Transaction: it is the statement's account.
    if (credit) payee.account ??= own;
    else payer.account ??= own;
    documents.push({
      kind: String(t.transactionTypeCode ?? 'Платежное поручение').replace(/ё/g, 'е'),
      number: String(t.documentNumber ?? '').trim(),
      date,
      amountKopecks: tochkaKopecks(t?.Amount?.amount),
      payer,
      payee,
      purpose: String(t.description ?? ''),
      direction: credit ? 'incoming' : 'outgoing',
      ownAccount: own,
      writtenOffAt: credit ? null : date,
      receivedAt: credit ? date : null,
      paidAt: date,
      fields: { ...(t.transactionId ? { transactionId: String(t.transactionId) } : {}), ...(t.paymentId ? { paymentId: String(t.paymentId) } : {}) },
      extra: {},
      line: i,
    });
  }
  const d = (v: unknown) => (typeof v === 'string' && v.length >= 10 ? v.slice(0, 10) : null);
  return {
    header: {
      formatVersion: 'tochka-open-banking-v1.0',
      encoding: 'utf-8',
      declaredEncoding: null,
      sender: 'Точка',
      receiver: null,
      createdAt: typeof st?.creationDateTime === 'string' ? st.creationDateTime : null,
      dateFrom: d(st?.startDateTime),
      dateTo: d(st?.endDateTime),
      accounts: [own],
      documentKinds: [],
      extra: {},
    },
    accounts: [],
    documents,
    warnings: [],
  };
}
