-- Clients, orders and their history: the state the write API answers from. Every change that must reach 1C is
-- written together with its outbox job (outbox_jobs) in one transaction.

CREATE TABLE clients (
  id               TEXT PRIMARY KEY,             -- Richest.store's client id (stored in 1C as ReGate_ВнешнийИдентификатор)
  name             TEXT NOT NULL,
  inn              TEXT,
  kpp              TEXT,
  phone            TEXT,
  email            TEXT,
  address          TEXT,
  partner_key      TEXT,                         -- Catalog_Партнеры.Ref_Key once known
  counterparty_key TEXT,                         -- Catalog_Контрагенты.Ref_Key once known
  balance_kopecks  INTEGER,                      -- prepayment balance from РасчетыСКлиентами, last known
  balance_at       TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX clients_inn ON clients (inn) WHERE inn IS NOT NULL;

CREATE TABLE orders (
  id               TEXT PRIMARY KEY,             -- Richest.store's order id (ReGate_ВнешнийИдентификатор in 1C)
  idempotency_key  TEXT UNIQUE,                  -- the Idempotency-Key header, when sent
  request_hash     TEXT NOT NULL,                -- same id + different body → 409
  client_id        TEXT NOT NULL REFERENCES clients (id),
  store_id         TEXT NOT NULL,
  delivery_address TEXT NOT NULL,
  comment          TEXT NOT NULL DEFAULT '',
  amount_kopecks   INTEGER NOT NULL,
  paid_kopecks     INTEGER NOT NULL DEFAULT 0,
  status           INTEGER NOT NULL DEFAULT 0,
  payment_status   INTEGER NOT NULL DEFAULT 0,
  onec_ref         TEXT,                         -- Document_ЗаказКлиента.Ref_Key
  onec_number      TEXT,                         -- its Number, e.g. ТД00-000123
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX orders_client ON orders (client_id);
CREATE INDEX orders_open ON orders (status, created_at) WHERE status IN (0, 1);
CREATE INDEX orders_number ON orders (onec_number) WHERE onec_number IS NOT NULL;

CREATE TABLE order_lines (
  order_id       TEXT NOT NULL REFERENCES orders (id),
  line_no        INTEGER NOT NULL,
  item_id        TEXT NOT NULL,
  quantity       REAL NOT NULL,
  price_kopecks  INTEGER NOT NULL,
  price_kind_id  TEXT,
  amount_kopecks INTEGER NOT NULL,
  PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

CREATE TABLE order_history (
  id             INTEGER PRIMARY KEY,
  order_id       TEXT NOT NULL REFERENCES orders (id),
  at             TEXT NOT NULL,
  status         INTEGER NOT NULL,
  payment_status INTEGER NOT NULL,
  event          TEXT NOT NULL,                  -- booking.accepted, booking.confirmed, payment.card, refund, expired, ...
  detail         TEXT
);
CREATE INDEX order_history_order ON order_history (order_id, id);

-- Payments of every kind. The unique (kind, external_id) is what makes a repeated paycard or a re-imported bank
-- statement a no-op.
CREATE TABLE payments (
  id             INTEGER PRIMARY KEY,
  order_id       TEXT NOT NULL REFERENCES orders (id),
  kind           TEXT NOT NULL CHECK (kind IN ('card', 'bank', 'cash', 'emoney')),
  external_id    TEXT NOT NULL,                  -- card: transaction id; bank: statement payment identity
  amount_kopecks INTEGER NOT NULL,
  paid_at        TEXT NOT NULL,
  data           TEXT NOT NULL,                  -- JSON: provider, rrn, authCode, maskedCard / payer, purpose, match method
  onec_ref       TEXT,
  created_at     TEXT NOT NULL,
  UNIQUE (kind, external_id)
);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE refunds (
  id             INTEGER PRIMARY KEY,
  order_id       TEXT NOT NULL UNIQUE REFERENCES orders (id),
  amount_kopecks INTEGER NOT NULL,
  reason         TEXT NOT NULL DEFAULT '',
  payment_id     INTEGER REFERENCES payments (id),
  onec_ref       TEXT,
  created_at     TEXT NOT NULL
);
