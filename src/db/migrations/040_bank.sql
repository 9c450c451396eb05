-- Bank statements and the incoming payments read from them. A statement is recorded once per distinct content
-- (file_hash); a payment once per identity (payment_key: own account | Номер | Дата | kopecks | payer account),
-- so the same file twice, or overlapping periods, apply each payment once. Matched payments also get a row in
-- payments (kind 'bank', external_id = key_hash), which the outbox job 'bank.payment' carries to 1C.

CREATE TABLE bank_statements (
  id             INTEGER PRIMARY KEY,
  file_hash      TEXT NOT NULL UNIQUE,           -- sha256 of the file's bytes (API: of the mapped transactions)
  source         TEXT NOT NULL,                  -- 'cli', 'folder', 'tochka', ...
  name           TEXT NOT NULL,                  -- file name, or the API's statement id
  account        TEXT,                           -- the statement's (first) own account
  date_from      TEXT,
  date_to        TEXT,
  documents      INTEGER NOT NULL,               -- all documents in the statement
  incoming       INTEGER NOT NULL,               -- incoming documents (distinct identities)
  new_payments   INTEGER NOT NULL,               -- incoming documents seen for the first time
  matched        INTEGER NOT NULL,               -- of those: matched to an order (fully or partially)
  partial        INTEGER NOT NULL,               -- of the matched: less than due
  review         INTEGER NOT NULL,               -- of the new: left for a person (ambiguous, unmatched, overpaid)
  warnings       TEXT NOT NULL DEFAULT '[]',     -- JSON: the parser's warnings
  imported_at    TEXT NOT NULL
);

CREATE TABLE bank_payments (
  id             INTEGER PRIMARY KEY,
  payment_key    TEXT NOT NULL UNIQUE,
  key_hash       TEXT NOT NULL UNIQUE,           -- sha256(payment_key): payments.external_id, outbox dedupe key
  statement_id   INTEGER NOT NULL REFERENCES bank_statements (id),
  own_account    TEXT,
  number         TEXT NOT NULL,                  -- Номер of the payer's document
  date           TEXT NOT NULL,                  -- Дата, yyyy-mm-dd
  paid_at        TEXT,                           -- ДатаПоступило (else Дата)
  amount_kopecks INTEGER NOT NULL,
  payer_name     TEXT,
  payer_inn      TEXT,
  payer_kpp      TEXT,
  payer_account  TEXT,
  payer_bik      TEXT,
  purpose        TEXT NOT NULL,
  result         TEXT NOT NULL CHECK (result IN ('matched', 'ambiguous', 'unmatched')),
  method         TEXT CHECK (method IN ('purpose-number', 'inn-amount')),
  coverage       TEXT CHECK (coverage IN ('full', 'partial', 'over')),
  reason         TEXT,                           -- ambiguous/unmatched reason code, or 'overpayment'
  detail         TEXT,                           -- the matcher's explanation
  candidates     TEXT,                           -- JSON [{orderId, number, amountKopecks, paidKopecks}] when ambiguous
  client_inn     TEXT,                           -- the INN the matcher trusted (null for transit accounts)
  order_id       TEXT REFERENCES orders (id),
  payment_id     INTEGER REFERENCES payments (id),
  review         TEXT CHECK (review IN ('open', 'resolved')), -- open: waits for a person
  created_at     TEXT NOT NULL
);
CREATE INDEX bank_payments_review ON bank_payments (id) WHERE review = 'open';
CREATE INDEX bank_payments_order ON bank_payments (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX bank_payments_statement ON bank_payments (statement_id);
