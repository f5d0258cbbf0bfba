-- 0003 border: border crossing points, travellers and their documents, crossings, refusals of
-- entry and stay authorisations (visas, residence permits). See docs/border.md.
--
-- Identifiers are UUIDv7 text; times are UTC ISO 8601 text "YYYY-MM-DDTHH:MM:SS.mmmZ"; dates
-- "YYYY-MM-DD" (a date of birth may be partial: "1987" or "1987-03"). Countries are ISO 3166-1
-- alpha-3 or ICAO codes (RKS, XXA, ...). Written in the SQL that SQLite and PostgreSQL share.

-- Border crossing points. Codes "MNE-XXX" are mmis's own (docs/border.md lists them); `neighbour`
-- is the country across the border (NULL for airports and ports).
CREATE TABLE bcp (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('road', 'rail', 'air', 'sea')),
	neighbour TEXT,
	created_at TEXT NOT NULL
);

-- A traveller. Names as in the document (MRZ form, upper-case Latin) and as typed by the officer
-- (any script, optional); sex F, M or X; birth_date possibly partial.
CREATE TABLE person (
	id TEXT PRIMARY KEY,
	surname TEXT NOT NULL,
	given_names TEXT NOT NULL,
	surname_typed TEXT,
	given_names_typed TEXT,
	sex TEXT NOT NULL CHECK (sex IN ('F', 'M', 'X')),
	birth_date TEXT,
	nationality TEXT,
	created_at TEXT NOT NULL,
	created_by TEXT,
	agency_id TEXT
);
CREATE INDEX person_agency ON person (agency_id);

-- A travel document. (issuing_state, number) is normalised (upper case, no spaces, dashes or
-- MRZ filler; Germany's "D" as "DEU") and unique: seeing it again finds the same person.
CREATE TABLE travel_document (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	doc_type TEXT NOT NULL,
	issuing_state TEXT NOT NULL,
	number TEXT NOT NULL,
	expiry_date TEXT,
	created_at TEXT NOT NULL,
	UNIQUE (issuing_state, number)
);
CREATE INDEX travel_document_person ON travel_document (person_id);

-- An entry or exit. `flags` is a comma-separated list (exit_without_entry, entry_without_exit,
-- document_expired); `import_id` names the import that brought the row (NULL when recorded one by one).
CREATE TABLE crossing (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	document_id TEXT NOT NULL REFERENCES travel_document (id),
	bcp_code TEXT NOT NULL REFERENCES bcp (code),
	direction TEXT NOT NULL CHECK (direction IN ('entry', 'exit')),
	at TEXT NOT NULL,
	transport TEXT,
	purpose TEXT,
	flags TEXT NOT NULL DEFAULT '',
	officer_id TEXT,
	agency_id TEXT,
	import_id TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX crossing_person_at ON crossing (person_id, at);
CREATE INDEX crossing_bcp_at ON crossing (bcp_code, at);
CREATE INDEX crossing_at ON crossing (at);
CREATE INDEX crossing_agency ON crossing (agency_id);

-- A refusal of entry (Schengen Borders Code, Annex V Part B), with one row per ground A..I.
CREATE TABLE refusal (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	document_id TEXT REFERENCES travel_document (id),
	bcp_code TEXT NOT NULL REFERENCES bcp (code),
	at TEXT NOT NULL,
	grounds TEXT NOT NULL,
	note TEXT,
	officer_id TEXT,
	agency_id TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX refusal_at ON refusal (at);
CREATE INDEX refusal_person ON refusal (person_id, at);

CREATE TABLE refusal_ground (
	refusal_id TEXT NOT NULL REFERENCES refusal (id),
	ground TEXT NOT NULL CHECK (ground IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I')),
	PRIMARY KEY (refusal_id, ground)
);

-- A long-stay visa or residence permit: while valid it decides the traveller's stay status
-- instead of the 90-in-180-days rule.
CREATE TABLE stay_authorisation (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	kind TEXT NOT NULL CHECK (kind IN ('visa', 'residence_permit')),
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	days_allowed BIGINT,
	created_at TEXT NOT NULL,
	created_by TEXT
);
CREATE INDEX stay_authorisation_person ON stay_authorisation (person_id, valid_to);

-- Montenegro's border crossing points (Ministry of Interior / Border Police lists; docs/border.md).
INSERT INTO bcp (code, name, kind, neighbour, created_at) VALUES
	('MNE-DBR', 'Debeli Brijeg', 'road', 'HRV', '2025-01-01T00:00:00.000Z'),
	('MNE-KOB', 'Kobila', 'road', 'HRV', '2025-01-01T00:00:00.000Z'),
	('MNE-SIT', 'Sitnica', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-VRA', 'Vraćenovići', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-SCP', 'Šćepan Polje', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-MET', 'Metaljka', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-SUL', 'Šula', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-KRS', 'Krstac', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-ILB', 'Ilino Brdo', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-NUD', 'Nudo', 'road', 'BIH', '2025-01-01T00:00:00.000Z'),
	('MNE-DOB', 'Dobrakovo', 'road', 'SRB', '2025-01-01T00:00:00.000Z'),
	('MNE-DRA', 'Dračenovac', 'road', 'SRB', '2025-01-01T00:00:00.000Z'),
	('MNE-RAN', 'Ranče', 'road', 'SRB', '2025-01-01T00:00:00.000Z'),
	('MNE-VUC', 'Vuče', 'road', 'SRB', '2025-01-01T00:00:00.000Z'),
	('MNE-CEM', 'Čemerno', 'road', 'SRB', '2025-01-01T00:00:00.000Z'),
	('MNE-BPR', 'Bijelo Polje railway station', 'rail', 'SRB', '2025-01-01T00:00:00.000Z'),
	('MNE-KUL', 'Kula', 'road', 'RKS', '2025-01-01T00:00:00.000Z'),
	('MNE-SUK', 'Sukobin', 'road', 'ALB', '2025-01-01T00:00:00.000Z'),
	('MNE-BOZ', 'Božaj', 'road', 'ALB', '2025-01-01T00:00:00.000Z'),
	('MNE-GRN', 'Grnčar', 'road', 'ALB', '2025-01-01T00:00:00.000Z'),
	('MNE-TZR', 'Tuzi railway station', 'rail', 'ALB', '2025-01-01T00:00:00.000Z'),
	('MNE-TGD', 'Podgorica Airport', 'air', NULL, '2025-01-01T00:00:00.000Z'),
	('MNE-TIV', 'Tivat Airport', 'air', NULL, '2025-01-01T00:00:00.000Z'),
	('MNE-BAR', 'Port of Bar', 'sea', NULL, '2025-01-01T00:00:00.000Z'),
	('MNE-KOT', 'Port of Kotor', 'sea', NULL, '2025-01-01T00:00:00.000Z'),
	('MNE-ZEL', 'Port of Zelenika', 'sea', NULL, '2025-01-01T00:00:00.000Z'),
	('MNE-BUD', 'Port of Budva', 'sea', NULL, '2025-01-01T00:00:00.000Z'),
	('MNE-RIS', 'Port of Risan', 'sea', NULL, '2025-01-01T00:00:00.000Z');
