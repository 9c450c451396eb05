import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.js';
import { importStatementBytes, listReview } from '../../src/bank/import/index.js';
import { listJobs } from '../../src/outbox/index.js';
import { addClient, addOrder, freshDb, order } from './helpers.js';
import { ACC_A, CLIENT_A_INN, CLIENT_B_INN, bytesOf, type Doc } from './statement.js';

// Issue 13.4 through the importer: a 0.00 line naming an order was posted; a payer ИНН with bad check digits naming
// another client's order posted the money on that order.
let db: Db;
const doc = (over: Partial<Doc>): Doc => ({
  number: '301', date: '27.11.2026', amount: '1080.00', payerAcc: ACC_A, payerInn: CLIENT_A_INN, payerName: 'ООО "Альфа"',
  purpose: 'Оплата по счету ТД00-000125 от 25.11.2026', ...over,
});
const imp = (docs: Doc[]) => importStatementBytes(db, bytesOf(docs), { source: 'cli', name: 'm.txt' }, { now: () => new Date('2026-11-28T07:00:00Z') });

beforeEach(() => {
  db = freshDb();
  addClient(db, 'C-A', CLIENT_A_INN);
  addClient(db, 'C-B', CLIENT_B_INN);
  addOrder(db, { id: 'O-B', client: 'C-B', number: 'ТД00-000125', amountKopecks: 108000 });
});

describe('bank import: money rules', () => {
  it('a 0.00 line naming an order is recorded, not posted, and asks nobody to review it', () => {
    const r = imp([doc({ amount: '0.00', payerInn: CLIENT_B_INN })]);
    expect(r).toMatchObject({ matched: 0, review: 0 });
    expect(order(db, 'O-B')).toEqual({ status: 1, paymentStatus: 0, paid: 0 });
    expect(listJobs(db).filter((j) => j.kind === 'bank.payment')).toHaveLength(0);
    expect(listReview(db).items).toHaveLength(0);
  });

  it('a payer ИНН failing its check digits naming another client\'s order goes to review', () => {
    const r = imp([doc({ payerInn: '7707083894' })]);
    expect(r).toMatchObject({ matched: 0, review: 1 });
    expect(order(db, 'O-B').paid).toBe(0);
  });
});
