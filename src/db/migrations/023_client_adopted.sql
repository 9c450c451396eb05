-- A client whose company ReGate found in 1C by its ИНН and adopted (it existed before the shop's client): when. Its
-- legal identity (names, ИНН/КПП, legal form) is the accountant's record — what it signs invoices with — so a
-- clientupd from the shop no longer renames it; contacts and the address still go to 1C.
ALTER TABLE clients ADD COLUMN adopted_at TEXT;
