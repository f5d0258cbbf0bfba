-- Stay authorisations: a long-stay visa besides the (short-stay) visa and the residence permit,
-- and the document's number. A residence permit or long-stay visa takes its days out of the
-- 90-in-180-days count; a short-stay visa sets its own limit over its validity (docs/border.md).
-- The kind's CHECK cannot be altered in SQLite: the table is made again.
CREATE TABLE stay_authorisation_new (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	kind TEXT NOT NULL CHECK (kind IN ('visa', 'long_stay_visa', 'residence_permit')),
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	days_allowed BIGINT,
	number TEXT,
	created_at TEXT NOT NULL,
	created_by TEXT
);
INSERT INTO stay_authorisation_new (id, person_id, kind, valid_from, valid_to, days_allowed,
	created_at, created_by)
	SELECT id, person_id, kind, valid_from, valid_to, days_allowed, created_at, created_by
	FROM stay_authorisation;
DROP TABLE stay_authorisation;
ALTER TABLE stay_authorisation_new RENAME TO stay_authorisation;
CREATE INDEX stay_authorisation_person ON stay_authorisation (person_id, valid_to);
