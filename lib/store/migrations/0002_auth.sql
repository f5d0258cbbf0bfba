-- 0002 auth: agencies, users, sessions, API tokens, login throttling and the audit trail.
--
-- Identifiers are UUIDv7 text; times are UTC ISO 8601 text "YYYY-MM-DDTHH:MM:SS.mmmZ", which sort
-- as they compare. Secrets are never stored: passwords as argon2id strings, session secrets and
-- API tokens as BLAKE2b hashes in hex. Written in the SQL that SQLite and PostgreSQL share.

CREATE TABLE agency (
	id TEXT PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE app_user (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	role TEXT NOT NULL,
	agency_id TEXT NOT NULL REFERENCES agency (id),
	password_hash TEXT NOT NULL,
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	password_changed_at TEXT NOT NULL,
	last_login_at TEXT
);
CREATE INDEX app_user_agency ON app_user (agency_id);

-- Failed logins in a row, by the name that was typed, whether or not such a user exists: an
-- unknown name is throttled exactly like a known one, so the delays do not tell which names exist.
CREATE TABLE login_throttle (
	username TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failure_at TEXT NOT NULL,
	locked_until TEXT
);

CREATE TABLE user_session (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES app_user (id),
	secret_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	client TEXT
);
CREATE INDEX user_session_user ON user_session (user_id);
CREATE INDEX user_session_expires ON user_session (expires_at);

CREATE TABLE api_token (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES app_user (id),
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL,
	last_used_at TEXT,
	revoked_at TEXT
);
CREATE INDEX api_token_user ON api_token (user_id);

-- The audit trail: mac = HMAC-SHA-256(key, previous mac || canonical event), see lib/auth/audit.c.
-- `actor` is the username at the time (users are never deleted, but the name stays readable).
CREATE TABLE audit_event (
	seq BIGINT PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	actor_id TEXT,
	agency_id TEXT,
	via TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT,
	object_id TEXT,
	outcome TEXT NOT NULL,
	detail TEXT,
	mac TEXT NOT NULL
);
CREATE INDEX audit_event_at ON audit_event (at);
CREATE INDEX audit_event_actor ON audit_event (actor, seq);
CREATE INDEX audit_event_action ON audit_event (action, seq);
CREATE INDEX audit_event_object ON audit_event (object_type, object_id, seq);

-- The chain's head, one row, locked by every append so that appends are serialised.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	mac TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, mac)
	VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
