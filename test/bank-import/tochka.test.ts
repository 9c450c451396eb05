import { mkdtempSync, readdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.js';
import { paymentKey, parseStatement } from '../../src/bank/index.js';
import { BankService, bankServiceFromConfig } from '../../src/bank/import/index.js';
import { TochkaApiError, TochkaStatementApi, apiFromConfig, lookbackRange, tochkaKopecks } from '../../src/bank/sources/index.js';
import { parseConfig } from '../../src/config/index.js';
import { addClient, addOrder, freshDb, order, snapshot } from './helpers.js';
import { ACC_A, CLIENT_A_INN, OWN, OWN_BIK, bytesOf } from './statement.js';
import { startTochkaFake, type FakeTransaction, type TochkaFake } from './tochka-fake.js';

const TOKEN = 'jwt-test-token';
const ACCOUNT_ID = `${OWN}/${OWN_BIK}`;
const NOW = new Date('2026-11-28T09:00:00.000Z'); // 12:00 in Moscow

const credit = (over: Partial<FakeTransaction>): FakeTransaction => ({
  transactionId: 't-1',
  creditDebitIndicator: 'Credit',
  status: 'Booked',
  documentNumber: '101',
  documentProcessDate: '2026-11-27',
  description: 'Оплата по счету ТД00-000123 от 25.11.2026, в т.ч. НДС',
  amount: 1080,
  debtor: { inn: CLIENT_A_INN, kpp: '770701001', name: 'ООО "Альфа"', account: ACC_A },
  creditor: { inn: '7736207543', name: 'ООО "Наш магазин"', account: OWN, bic: OWN_BIK },
  ...over,
});

let fake: TochkaFake;
let db: Db;
const api = (over: Partial<ConstructorParameters<typeof TochkaStatementApi>[0]> = {}) =>
  new TochkaStatementApi({ url: fake.base, token: TOKEN, accountId: ACCOUNT_ID, readyTimeoutMs: 5000, pollMs: 5, ...over });
const service = (client = api(), extra: Partial<ConstructorParameters<typeof BankService>[1]> = {}) =>
  new BankService(db, { api: { client, lookbackDays: 3 }, now: () => NOW, ...extra });

beforeEach(async () => {
  fake = await startTochkaFake({ token: TOKEN, accountId: ACCOUNT_ID, processingPolls: 2 });
  db = freshDb();
  addClient(db, 'C-A', CLIENT_A_INN);
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 108000 });
  addOrder(db, { id: 'O-2', client: 'C-A', number: 'ТД00-000124', amountKopecks: 50050 });
});
afterEach(async () => {
  await fake.close();
});

describe('Точка statements API adapter (against a local fake)', () => {
  it('asks Init Statement with the account and period, polls until Ready, maps Booked transactions (Pending left out)', async () => {
    fake.transactions = [
      credit({}),
      credit({ transactionId: 't-2', documentNumber: '102', amount: '500.5', description: 'Оплата', debtor: { inn: CLIENT_A_INN, name: 'ООО "Альфа"', account: ACC_A } }),
      credit({ transactionId: 't-3', documentNumber: '103', status: 'Pending', amount: 10 }),
      credit({ transactionId: 't-4', documentNumber: '7', creditDebitIndicator: 'Debit', amount: 99.99, description: 'Аренда', debtor: { name: 'ООО "Наш магазин"', account: OWN }, creditor: { inn: '7710140679', name: 'Арендодатель', account: '40702810000000000500' } }),
      credit({ transactionId: 't-5', documentNumber: '104', documentProcessDate: '2026-11-20' }), // outside the period
    ];
    const s = await api().fetchStatement({ from: '2026-11-25', to: '2026-11-28' });
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/uapi/open-banking/v1.0/statements',
      auth: `Bearer ${TOKEN}`,
      body: { Data: { Statement: { accountId: ACCOUNT_ID, startDateTime: '2026-11-25', endDateTime: '2026-11-28' } } },
    });
    // Created → Processing, Processing → Ready: three GETs
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
    expect(fake.requests[1].path).toMatch(new RegExp(`/accounts/${OWN}/${OWN_BIK}/statements/`));
    expect(s.source).toBe('tochka');
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.statement.header.accounts).toEqual([OWN]);
    expect(s.statement.documents.map((d) => [d.number, d.direction, d.amountKopecks, d.date, d.ownAccount])).toEqual([
      ['101', 'incoming', 108000, '2026-11-27', OWN],
      ['102', 'incoming', 50050, '2026-11-27', OWN],
      ['7', 'outgoing', 9999, '2026-11-27', OWN],
    ]);
    expect(s.statement.documents[0].payer).toMatchObject({ inn: CLIENT_A_INN, kpp: '770701001', account: ACC_A, bank: { bik: '044525225' } });
    expect(s.statement.documents[0].kind).toBe('Платежное поручение');
  });

  it('the same payment read from a 1C file and from Точка has the same identity: applied once', async () => {
    fake.transactions = [credit({})];
    const fromFile = parseStatement(
      bytesOf([{ number: '101', date: '27.11.2026', amount: '1080.00', payerAcc: ACC_A, payerInn: CLIENT_A_INN, payerName: 'ООО "Альфа"', purpose: 'Оплата по счету ТД00-000123 от 25.11.2026, в т.ч. НДС' }]),
    ).documents[0];
    const fromApi = (await api().fetchStatement({ from: '2026-11-27', to: '2026-11-27' })).statement.documents[0];
    expect(paymentKey(fromApi)).toBe(paymentKey(fromFile));

    const bank = service();
    bank.importBytes(bytesOf([{ number: '101', date: '27.11.2026', amount: '1080.00', payerAcc: ACC_A, payerInn: CLIENT_A_INN, payerName: 'ООО "Альфа"', purpose: 'Оплата по счету ТД00-000123' }]), { source: 'folder', name: 'kl_to_1c.txt' });
    const r = await bank.run();
    expect(r.api?.error).toBeUndefined();
    expect(r.api?.report).toMatchObject({ incoming: 1, known: 1, newPayments: 0 });
    expect(order(db, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 108000 });
    expect(db.prepare(`SELECT COUNT(*) FROM payments`).pluck().get()).toBe(1);
  });

  it('scheduled runs: the lookback window overlaps; unchanged answers change nothing, a new transaction is applied alone', async () => {
    fake.transactions = [credit({})];
    const bank = service();
    const r1 = await bank.run();
    expect(r1.api?.report).toMatchObject({ source: 'tochka', newPayments: 1, matched: 1, paidOrders: ['O-1'] });
    const postBody = fake.requests.find((r) => r.method === 'POST')!.body.Data.Statement;
    expect([postBody.startDateTime, postBody.endDateTime]).toEqual(['2026-11-25', '2026-11-28']);

    const before = snapshot(db);
    const r2 = await bank.run();
    expect(r2.api?.report).toMatchObject({ duplicate: true, newPayments: 0 });
    expect(snapshot(db)).toEqual(before);

    fake.transactions.push(credit({ transactionId: 't-9', documentNumber: '555', documentProcessDate: '2026-11-28', amount: '500.50', description: 'Оплата за товар', debtor: { inn: CLIENT_A_INN, name: 'ООО "Альфа"', account: ACC_A } }));
    const r3 = await bank.run();
    expect(r3.api?.report).toMatchObject({ incoming: 2, known: 1, newPayments: 1, matched: 1, paidOrders: ['O-2'] });
    expect(order(db, 'O-2')).toEqual({ status: 3, paymentStatus: 2, paid: 50050 });
  });

  it('a refused token: the run reports the API error and still imports the folder; an unreadable folder does not stop the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-bank-'));
    try {
      writeFileSync(join(dir, 'kl_to_1c.txt'), bytesOf([{ number: '1', date: '27.11.2026', amount: '500.50', payerAcc: ACC_A, payerInn: CLIENT_A_INN, payerName: 'А', purpose: 'Оплата' }]));
      utimesSync(join(dir, 'kl_to_1c.txt'), new Date(0), new Date(0));
      const bank = service(api({ token: 'wrong' }), { folder: { dir, processedDir: 'processed', failedDir: 'failed', settleMs: 1000 } });
      const r = await bank.run();
      expect(r.api?.error).toMatch(/HTTP 401: Invalid token/);
      expect(r.folder?.imported.map((f) => f.report.paidOrders)).toEqual([['O-2']]);
      expect(readdirSync(join(dir, 'processed'))).toEqual(['kl_to_1c.txt']);
      // and the other way round: an unreadable folder does not stop the API
      fake.transactions = [credit({})];
      const r2 = await service(api(), { folder: { dir: join(dir, 'processed', 'kl_to_1c.txt'), processedDir: 'processed', failedDir: 'failed', settleMs: 0 } }).run();
      expect(r2.folderError).toMatch(/ENOTDIR|EEXIST/);
      expect(r2.api?.report?.paidOrders).toEqual(['O-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a statement never Ready within readyTimeoutMs, or ending in Error, is an error, nothing imported', async () => {
    fake.transactions = [credit({})];
    fake.processingPolls = 1000;
    await expect(api({ readyTimeoutMs: 30 }).fetchStatement({ from: '2026-11-27', to: '2026-11-28' })).rejects.toThrow(/не готова за 30 мс \(статус Processing\)/);
    fake.failStatements = true;
    await expect(api().fetchStatement({ from: '2026-11-27', to: '2026-11-28' })).rejects.toThrow(TochkaApiError);
    const r = await service(api({ readyTimeoutMs: 30 })).run();
    expect(r.api?.error).toBeDefined();
    expect(db.prepare(`SELECT COUNT(*) FROM bank_statements`).pluck().get()).toBe(0);
  });

  it('amounts: roubles with up to two decimals, as number or string, never through float arithmetic', () => {
    expect(tochkaKopecks(1080)).toBe(108000);
    expect(tochkaKopecks(1080.5)).toBe(108050);
    expect(tochkaKopecks('0.07')).toBe(7);
    expect(tochkaKopecks(19.99)).toBe(1999);
    expect(() => tochkaKopecks('12.345')).toThrow(TochkaApiError);
    expect(() => tochkaKopecks(-5)).toThrow(TochkaApiError);
    expect(() => tochkaKopecks(undefined)).toThrow(TochkaApiError);
  });

  it('config: kind tochka needs token and accountId "<account>/<BIC>"; the service is built from config', () => {
    const cfg = (api: Record<string, unknown>) => parseConfig({ bank: { api } }).bank.api;
    expect(apiFromConfig(cfg({ kind: 'none' }))).toBeNull();
    expect(() => apiFromConfig(cfg({ kind: 'tochka', accountId: ACCOUNT_ID }))).toThrow(/bank\.api\.token/);
    expect(() => apiFromConfig(cfg({ kind: 'tochka', token: 't' }))).toThrow(/bank\.api\.accountId/);
    expect(() => apiFromConfig(cfg({ kind: 'tochka', token: 't', accountId: OWN }))).toThrow(/<20 цифр счёта>\/<БИК>/);
    expect(apiFromConfig(cfg({ kind: 'tochka', token: 't', accountId: ACCOUNT_ID }))?.source).toBe('tochka');
    expect(bankServiceFromConfig(db, parseConfig({}))).toBeInstanceOf(BankService);
  });

  it('the lookback period is in the bank’s zone: 00:30 Moscow is already the next day', () => {
    expect(lookbackRange(new Date('2026-11-27T21:30:00Z'), 3)).toEqual({ from: '2026-11-25', to: '2026-11-28' });
    expect(lookbackRange(new Date('2026-11-27T20:30:00Z'), 0)).toEqual({ from: '2026-11-27', to: '2026-11-27' });
  });
});
