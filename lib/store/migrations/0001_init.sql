-- 0001 init: facts about this installation.
--
-- `site_setting` holds one row per setting of this database: the site's own identifier (a UUIDv7
-- made at `mmis init`, unique across every site that later exchanges data), when it was created,
-- and settings that later modules add. Written in the SQL that SQLite and PostgreSQL share.
CREATE TABLE site_setting (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
