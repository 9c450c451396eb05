import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Точка's Open Banking statements API (v1.0), as its public documentation describes it:
 * Bearer auth, Init Statement (POST /statements, asynchronous: the first GETs answer "Processing"), Get Statement
 * (GET /accounts/{account}/{bic}/statements/{id}) with Transaction[] once "Ready". Transactions are filtered by
 * documentProcessDate against the asked period, as the bank does. Records every request for assertions.
 */
export interface FakeTransaction {
  transactionId: string;
  creditDebitIndicator: 'Credit' | 'Debit';
  status: 'Booked' | 'Pending';
  documentNumber: string;
  documentProcessDate: string; // yyyy-mm-dd
  description: string;
  amount: number | string;
  debtor: { inn?: string; kpp?: string; name: string; account: string; bic?: string };
  creditor?: { inn?: string; name: string; account: string; bic?: string };
}

export interface TochkaFake {
  base: string; // …/uapi/open-banking/v1.0
  requests: { method: string; path: string; auth: string | undefined; body: any }[];
  transactions: FakeTransaction[];
  /** GETs answering "Processing" before "Ready", per statement. */
  processingPolls: number;
  /** Make every statement end "Error". */
  failStatements: boolean;
  close(): Promise<void>;
}

export async function startTochkaFake(opts: { token: string; accountId: string; transactions?: FakeTransaction[]; processingPolls?: number }): Promise<TochkaFake> {
  const prefix = '/uapi/open-banking/v1.0';
  const statements = new Map<string, { from: string; to: string; polls: number; created: string }>();
  const fake: TochkaFake = {
    base: '',
    requests: [],
    transactions: opts.transactions ?? [],
    processingPolls: opts.processingPolls ?? 1,
    failStatements: false,
    close: async () => undefined,
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { code: String(status), id: randomUUID(), message, Errors: [{ errorCode: code, message, url: '' }] });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return error(res, 400, 'InvalidRequest', 'body is not JSON');
    }
    const path = (req.url ?? '').split('?')[0];
    fake.requests.push({ method: req.method ?? '', path, auth: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${opts.token}`) return error(res, 401, 'Unauthorized', 'Invalid token');
    if (!path.startsWith(prefix)) return error(res, 404, 'NotFound', 'no such path');
    const rest = path.slice(prefix.length);

    if (req.method === 'POST' && rest === '/statements') {
      const s = body?.Data?.Statement;
      if (!s?.accountId || !s?.startDateTime || !s?.endDateTime) return error(res, 400, 'InvalidRequest', 'Data.Statement.accountId, startDateTime, endDateTime are required');
      if (s.accountId !== opts.accountId) return error(res, 403, 'Forbidden', 'no access to this account');
      const id = randomUUID();
      const created = new Date().toISOString();
      statements.set(id, { from: s.startDateTime, to: s.endDateTime, polls: 0, created });
      return send(res, 200, {
        Data: { Statement: { accountId: s.accountId, statementId: id, status: 'Created', startDateTime: s.startDateTime, endDateTime: s.endDateTime, creationDateTime: created } },
        Links: { self: `${fake.base}/statements` },
        Meta: { totalPages: 1 },
      });
    }

    const m = /^\/accounts\/(\d{20}\/\d{9})\/statements\/([\w-]+)$/.exec(rest);
    if (req.method === 'GET' && m) {
      if (m[1] !== opts.accountId) return error(res, 403, 'Forbidden', 'no access to this account');
      const st = statements.get(m[2]);
      if (!st) return error(res, 404, 'NotFound', 'statement not found');
      const ready = st.polls++ >= fake.processingPolls;
      const base = { accountId: m[1], statementId: m[2], startDateTime: st.from, endDateTime: st.to, creationDateTime: st.created };
      const statement = fake.failStatements
        ? { ...base, status: 'Error' }
        : !ready
          ? { ...base, status: 'Processing' }
          : {
              ...base,
              status: 'Ready',
              startDateBalance: 0,
              endDateBalance: 0,
              Transaction: fake.transactions
                .filter((t) => t.documentProcessDate >= st.from.slice(0, 10) && t.documentProcessDate <= st.to.slice(0, 10))
                .map((t) => ({
                  transactionId: t.transactionId,
                  paymentId: `p-${t.transactionId}`,
                  creditDebitIndicator: t.creditDebitIndicator,
                  status: t.status,
                  documentNumber: t.documentNumber,
                  transactionTypeCode: 'Платёжное поручение',
                  documentProcessDate: t.documentProcessDate,
                  description: t.description,
                  Amount: { amount: t.amount, amountNat: t.amount, currency: 'RUB' },
                  DebtorParty: { inn: t.debtor.inn ?? '', name: t.debtor.name, kpp: t.debtor.kpp ?? '' },
                  DebtorAccount: { schemeName: 'RU.CBR.PAN', identification: t.debtor.account },
                  DebtorAgent: { schemeName: 'RU.CBR.BICFI', name: 'ПАО СБЕРБАНК', identification: t.debtor.bic ?? '044525225', accountIdentification: '30101810400000000225' },
                  ...(t.creditor
                    ? {
                        CreditorParty: { inn: t.creditor.inn ?? '', name: t.creditor.name },
                        CreditorAccount: { schemeName: 'RU.CBR.PAN', identification: t.creditor.account },
                        CreditorAgent: { schemeName: 'RU.CBR.BICFI', name: 'ТОЧКА ПАО БАНКА "ФК ОТКРЫТИЕ"', identification: t.creditor.bic ?? '044525999' },
                      }
                    : {}),
                })),
            };
      return send(res, 200, { Data: { Statement: [statement] }, Links: { self: `${fake.base}${rest}` }, Meta: { totalPages: 1 } });
    }
    return error(res, 404, 'NotFound', `no route ${req.method} ${rest}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
