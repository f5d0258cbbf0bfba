-- 0007 screening: alert lists (watchlists) and their entries, the hits that screening the
-- travellers of crossings against them raised, and the officers' dismissals. See
-- docs/watchlists.md.
--
-- Identifiers are UUIDv7 text; times UTC ISO 8601 text; dates "YYYY-MM-DD". Multi-valued fields
-- of an entry (aliases, birth dates, nationalities, document numbers) are JSON arrays of strings
-- in TEXT columns, which both SQLite and PostgreSQL store as they are; nothing queries inside
-- them (the in-memory index does the matching).

-- An alert list. `name` is how operators and hits call it; re-importing a list of the same name
-- replaces its entries in one transaction and adds one to `generation`. `action` is what a hit on
-- it asks of the officer.
CREATE TABLE watchlist (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	source TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('sanctions', 'wanted', 'entry_ban',
		'lost_stolen_documents', 'missing_persons', 'other')),
	action TEXT NOT NULL CHECK (action IN ('refuse_entry', 'detain', 'notify', 'check_further')),
	format TEXT NOT NULL CHECK (format IN ('csv', 'opensanctions')),
	entry_count BIGINT NOT NULL,
	generation BIGINT NOT NULL,
	imported_at TEXT NOT NULL,
	imported_by TEXT,
	created_at TEXT NOT NULL
);

-- One entry of a list: a person (a primary name, aliases, ...) or, on a list of lost and stolen
-- documents, only document numbers (name NULL). `external_id` is the list's own identifier,
-- stable across re-imports; documents are normalised ([A-Z0-9], as border documents are).
-- Outside valid_from..valid_to (both days included, NULL: open) an entry is not screened.
CREATE TABLE watchlist_entry (
	id TEXT PRIMARY KEY,
	watchlist_id TEXT NOT NULL REFERENCES watchlist (id),
	external_id TEXT NOT NULL,
	name TEXT,
	aliases TEXT NOT NULL,
	birth_dates TEXT NOT NULL,
	nationalities TEXT NOT NULL,
	documents TEXT NOT NULL,
	sex TEXT CHECK (sex IN ('F', 'M', 'X')),
	valid_from TEXT,
	valid_to TEXT,
	UNIQUE (watchlist_id, external_id)
);

-- One row: the generation of all lists together, raised by every import. A server compares it
-- with the generation its in-memory index was built from before it screens (one small read).
CREATE TABLE watchlist_state (
	id BIGINT PRIMARY KEY CHECK (id = 1),
	generation BIGINT NOT NULL
);
INSERT INTO watchlist_state (id, generation) VALUES (1, 0);

-- A hit: a crossing's traveller scored at or above the threshold against a list entry. The entry
-- is named by list and external id, with a copy of what it said (`entry`, JSON) and the reasons
-- (JSON), so that a hit stays readable after its list is re-imported. `action` is the list's at
-- the time. An officer confirms or dismisses it, with a note.
CREATE TABLE screening_hit (
	id TEXT PRIMARY KEY,
	crossing_id TEXT NOT NULL REFERENCES crossing (id),
	person_id TEXT NOT NULL REFERENCES person (id),
	document_id TEXT NOT NULL REFERENCES travel_document (id),
	watchlist_id TEXT NOT NULL REFERENCES watchlist (id),
	entry_external_id TEXT NOT NULL,
	entry_name TEXT,
	entry TEXT NOT NULL,
	action TEXT NOT NULL,
	score DOUBLE PRECISION NOT NULL,
	reasons TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'dismissed')),
	officer_id TEXT,
	agency_id TEXT,
	created_at TEXT NOT NULL,
	decided_by TEXT,
	decided_at TEXT,
	note TEXT
);
CREATE INDEX screening_hit_crossing ON screening_hit (crossing_id);
CREATE INDEX screening_hit_status ON screening_hit (status, created_at);
CREATE INDEX screening_hit_person ON screening_hit (person_id);

-- A dismissed pair: this document is not this entry. Screening the same document again does not
-- raise the entry again (another document of the same traveller is screened afresh).
CREATE TABLE screening_dismissal (
	document_id TEXT NOT NULL REFERENCES travel_document (id),
	watchlist_id TEXT NOT NULL REFERENCES watchlist (id),
	entry_external_id TEXT NOT NULL,
	hit_id TEXT NOT NULL REFERENCES screening_hit (id),
	dismissed_by TEXT,
	dismissed_at TEXT NOT NULL,
	PRIMARY KEY (document_id, watchlist_id, entry_external_id)
);
