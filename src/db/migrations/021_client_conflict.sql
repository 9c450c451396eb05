-- A client whose ИНН belongs to another store client (locally or in 1C, issue 13.1): the id of that owner. While it
-- is set the client is answered 409 and nothing is booked on it; clientupd with another ИНН clears it.
ALTER TABLE clients ADD COLUMN conflict TEXT;
