-- 0005 person merges: duplicate persons proposed by detection, the supervisor's decision, and
-- what a merge moved, so that it can be undone exactly. See docs/dedup.md and include/mmis/dedup.h.
--
-- A merged person is kept, never deleted: `merged_into` names the survivor that now holds their
-- documents, crossings, refusals and stay authorisations; the record stays readable and its names
-- are the survivor's aliases.
ALTER TABLE person ADD COLUMN merged_into TEXT REFERENCES person (id);
ALTER TABLE person ADD COLUMN merged_at TEXT;
CREATE INDEX person_merged_into ON person (merged_into);

-- One row per pair of persons ever proposed (person_a < person_b as byte strings, so a pair has one
-- row): a rejected or reverted pair is never proposed again. `reasons` is the JSON explanation of
-- the score (match.h). Statuses: proposed -> accepted | rejected; accepted -> reverted.
CREATE TABLE person_merge (
	id TEXT PRIMARY KEY,
	person_a TEXT NOT NULL REFERENCES person (id),
	person_b TEXT NOT NULL REFERENCES person (id),
	score DOUBLE PRECISION NOT NULL,
	reasons TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected', 'reverted')),
	proposed_at TEXT NOT NULL,
	proposed_by TEXT,
	survivor_id TEXT REFERENCES person (id),
	merged_id TEXT REFERENCES person (id),
	decided_at TEXT,
	decided_by TEXT,
	note TEXT,
	reverted_at TEXT,
	reverted_by TEXT,
	revert_note TEXT,
	UNIQUE (person_a, person_b)
);
CREATE INDEX person_merge_status ON person_merge (status, score);
CREATE INDEX person_merge_b ON person_merge (person_b);

-- Every row a merge moved (phase 'merge'), and the rows its revert moved back besides those
-- (phase 'revert': recorded after the merge under a document that went back).
CREATE TABLE person_merge_moved (
	merge_id TEXT NOT NULL REFERENCES person_merge (id),
	phase TEXT NOT NULL CHECK (phase IN ('merge', 'revert')),
	table_name TEXT NOT NULL,
	column_name TEXT NOT NULL,
	row_id TEXT NOT NULL,
	PRIMARY KEY (merge_id, phase, table_name, row_id)
);
