import { openDb, type Db } from '../../src/db/open.js';

export function freshDb(): Db {
  return openDb(':memory:');
}

const TS = '2026-11-26T10:00:00.000Z';

export function addClient(db: Db, id: string, inn: string | null, name = `Клиент ${id}`) {
  db.prepare(`INSERT INTO clients (id, name, inn, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`).run(id, name, inn, TS, TS);
}

export function addOrder(db: Db, o: { id: string; client: string; number: string | null; amountKopecks: number; status?: number; paidKopecks?: number }) {
  db.prepare(
    `INSERT INTO orders (id, request_hash, client_id, store_id, delivery_address, amount_kopecks, paid_kopecks, status, payment_status, onec_number, created_at, updated_at)
     VALUES (?, 'h', ?, 's', 'адрес', ?, ?, ?, 0, ?, ?, ?)`,
  ).run(o.id, o.client, o.amountKopecks, o.paidKopecks ?? 0, o.status ?? 1, o.number, TS, TS);
}

export const order = (db: Db, id: string) =>
  db.prepare(`SELECT status, payment_status AS paymentStatus, paid_kopecks AS paid FROM orders WHERE id = ?`).get(id) as { status: number; paymentStatus: number; paid: number };

/** Every row of every table the importer writes, for "nothing changed" assertions. */
export function snapshot(db: Db) {
  const t = (sql: string) => db.prepare(sql).all();
  return {
    orders: t(`SELECT * FROM orders ORDER BY id`),
    payments: t(`SELECT * FROM payments ORDER BY id`),
    history: t(`SELECT * FROM order_history ORDER BY id`),
    statements: t(`SELECT * FROM bank_statements ORDER BY id`),
    bankPayments: t(`SELECT * FROM bank_payments ORDER BY id`),
    jobs: t(`SELECT id, kind, key, payload, dedupe_key, state FROM outbox_jobs ORDER BY id`),
  };
}
