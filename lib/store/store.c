/*
 * store.c - the front of the store: which backend a URL names, transactions as a depth counter
 * over BEGIN and savepoints, the statement cache, and migrations. Everything that talks to a
 * database goes through the backend's `struct store_ops` (sqlite.c, postgres.c).
 */
#include "mmis/store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend.h"

/* Statements kept per connection; past this they are prepared and freed each time. */
enum { STORE_CACHE_MAX = 256 };

static const struct {
	const char *prefix;
	const struct store_ops *ops;
} url_schemes[] = {
	{ "postgres://", &store_postgres_ops },
	{ "postgresql://", &store_postgres_ops },
};

/* Everything that is not a PostgreSQL URL is SQLite: a path, "sqlite:PATH" or a "file:" URI. */
static const struct store_ops *ops_of_url(const char *url)
{
	for (size_t i = 0; i < sizeof(url_schemes) / sizeof(url_schemes[0]); i++)
		if (!strncasecmp(url, url_schemes[i].prefix, strlen(url_schemes[i].prefix)))
			return url_schemes[i].ops;
	return &store_sqlite_ops;
}

enum store_backend store_backend_of_url(const char *url)
{
	return ops_of_url(url ? url : "")->backend;
}

enum mmis_err store__fail(struct store *s, struct mmis_error *err, enum mmis_err code, const char *msg)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s", msg ? msg : "");
	return mmis_error_set(err, code, NULL, "%s", msg ? msg : mmis_strerror(code));
}

enum mmis_err store_open(const char *url, unsigned flags, struct store **out, struct mmis_error *err)
{
	struct store *s;
	enum mmis_err rc;

	*out = NULL;
	if (!url || !*url)
		return mmis_error_set(err, MMIS_EINVAL, "url", "no database given");
	s = calloc(1, sizeof(*s));
	if (!s)
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory opening a database");
	s->ops = ops_of_url(url);
	s->flags = flags;
	s->display_url = s->ops->display_url(url);
	if (!s->display_url) {
		free(s);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory opening a database");
	}
	rc = s->ops->open(s, url, flags, err);
	if (rc) {
		free(s->display_url);
		free(s);
		return rc;
	}
	*out = s;
	return MMIS_OK;
}

static enum mmis_err rollback_level(struct store *s, struct mmis_error *err);

static void close_store(struct store *s, bool discard)
{
	if (!s)
		return;
	/* A transaction left open is rolled back (and its writer lock released). */
	while (s->depth > 0)
		rollback_level(s, NULL);
	/* Only idle statements are ours; one still handed out is the caller's bug to find. */
	for (size_t b = 0; b < STORE_CACHE_BUCKETS; b++) {
		struct store_stmt *st = s->cache[b], *next;
		for (; st; st = next) {
			next = st->next;
			if (st->busy)
				continue;
			free(st->sql);
			s->ops->destroy(st);
		}
	}
	s->ops->close(s, discard);
	free(s->display_url);
	free(s);
}

void store_close(struct store *s)
{
	close_store(s, false);
}

enum store_backend store_backend(const struct store *s)
{
	return s->ops->backend;
}

const char *store_backend_name(const struct store *s)
{
	return s->ops->name;
}

const char *store_display_url(const struct store *s)
{
	return s->display_url;
}

const char *store_errmsg(const struct store *s)
{
	return s->errmsg;
}

enum mmis_err store_exec(struct store *s, const char *sql, struct mmis_error *err)
{
	return s->ops->exec(s, sql, err);
}

/* ---- transactions ---- */

int store_tx_depth(const struct store *s)
{
	return s->depth;
}

enum mmis_err store_begin(struct store *s, struct mmis_error *err)
{
	char sql[40];
	enum mmis_err rc;

	if (s->depth == 0) {
		if (s->ops->tx_lock)
			s->ops->tx_lock(s);
		rc = store_exec(s, s->begin_sql, err);
		if (rc && s->ops->tx_unlock)
			s->ops->tx_unlock(s);
	} else {
		snprintf(sql, sizeof(sql), "SAVEPOINT sp_%d", s->depth);
		rc = store_exec(s, sql, err);
	}
	if (!rc)
		s->depth++;
	return rc;
}

/* End the innermost level by rolling it back; the level is gone whatever the database says. */
static enum mmis_err rollback_level(struct store *s, struct mmis_error *err)
{
	char sql[80];
	int sp = s->depth - 1;

	if (sp > 0)
		snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT sp_%d; RELEASE SAVEPOINT sp_%d", sp,
			 sp);
	else
		snprintf(sql, sizeof(sql), "ROLLBACK");
	s->depth--;
	enum mmis_err rc = store_exec(s, sql, err);
	if (s->depth == 0 && s->ops->tx_unlock)
		s->ops->tx_unlock(s);
	return rc;
}

enum mmis_err store_rollback(struct store *s, struct mmis_error *err)
{
	if (s->depth == 0)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "rollback without a transaction");
	return rollback_level(s, err);
}

/*
 * A commit that fails rolls its level back, so that the usual
 *     if (rc) { store_rollback(s, NULL); return rc; } return store_commit(s, err);
 * never leaves a transaction open behind a failed commit.
 */
enum mmis_err store_commit(struct store *s, struct mmis_error *err)
{
	char sql[40];
	int sp = s->depth - 1;
	enum mmis_err rc;

	if (s->depth == 0)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "commit without a transaction");
	/* PostgreSQL would answer COMMIT in a failed transaction with a silent ROLLBACK. */
	if (s->ops->tx_failed && s->ops->tx_failed(s)) {
		rc = mmis_error_set(err, MMIS_EDB, NULL, "transaction rolled back: a statement in it "
				    "failed (%s)", s->errmsg);
		rollback_level(s, NULL);
		return rc;
	}
	if (sp > 0)
		snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT sp_%d", sp);
	else
		snprintf(sql, sizeof(sql), "COMMIT");
	rc = store_exec(s, sql, err);
	if (rc) {
		mmis_error_prefix(err, "commit failed, rolled back");
		rollback_level(s, NULL);
		return rc;
	}
	s->depth--;
	if (s->depth == 0 && s->ops->tx_unlock)
		s->ops->tx_unlock(s);
	return MMIS_OK;
}

/* ---- statements and the statement cache ---- */

static size_t sql_hash(const char *sql)
{
	size_t h = (size_t)14695981039346656037ULL; /* FNV-1a */
	for (; *sql; sql++)
		h = (h ^ (unsigned char)*sql) * (size_t)1099511628211ULL;
	return h;
}

enum mmis_err store_prepare(struct store *s, const char *sql, struct store_stmt **out,
			    struct mmis_error *err)
{
	size_t h = sql_hash(sql);
	struct store_stmt **bucket = &s->cache[h % STORE_CACHE_BUCKETS], *st;
	char *key = NULL;
	enum mmis_err rc;

	*out = NULL;
	/* An idle statement with the same text; a busy one stays with its user (interleaving). */
	for (st = *bucket; st; st = st->next) {
		if (!st->busy && st->hash == h && !strcmp(st->sql, sql)) {
			st->busy = true;
			*out = st;
			return MMIS_OK;
		}
	}
	if (s->ncached < STORE_CACHE_MAX && !(key = strdup(sql)))
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory preparing a statement");
	rc = s->ops->prepare(s, sql, key != NULL, &st, err);
	if (rc) {
		free(key);
		return rc;
	}
	st->store = s;
	st->sql = key;
	st->hash = h;
	st->busy = true;
	st->stepped = false;
	st->changes = 0;
	if (key) {
		st->next = *bucket;
		*bucket = st;
		s->ncached++;
	}
	*out = st;
	return MMIS_OK;
}

void store_finalize(struct store_stmt *st)
{
	if (!st)
		return;
	if (!st->sql) {
		st->store->ops->destroy(st);
		return;
	}
	store_reset(st);
	store_clear_bindings(st);
	st->busy = false;
}

/* Binding after a step starts a new execution on both backends (SQLite would refuse the bind). */
static enum mmis_err bind_value(struct store_stmt *st, int idx, const struct store_value *v)
{
	if (st->stepped)
		store_reset(st);
	return st->store->ops->bind(st, idx, v);
}

enum mmis_err store_bind_text(struct store_stmt *st, int idx, const char *value)
{
	struct store_value v = { .type = value ? STORE_TEXT : STORE_NULL, .text = value };
	return bind_value(st, idx, &v);
}

enum mmis_err store_bind_int64(struct store_stmt *st, int idx, int64_t value)
{
	struct store_value v = { .type = STORE_INT64, .i = value };
	return bind_value(st, idx, &v);
}

enum mmis_err store_bind_double(struct store_stmt *st, int idx, double value)
{
	struct store_value v = { .type = STORE_DOUBLE, .d = value };
	return bind_value(st, idx, &v);
}

enum mmis_err store_bind_bool(struct store_stmt *st, int idx, bool value)
{
	struct store_value v = { .type = STORE_BOOL, .i = value ? 1 : 0 };
	return bind_value(st, idx, &v);
}

enum mmis_err store_bind_blob(struct store_stmt *st, int idx, const void *data, size_t len)
{
	struct store_value v = { .type = data ? STORE_BLOB : STORE_NULL, .blob = data, .len = len };
	return bind_value(st, idx, &v);
}

enum mmis_err store_bind_null(struct store_stmt *st, int idx)
{
	struct store_value v = { .type = STORE_NULL };
	return bind_value(st, idx, &v);
}

enum mmis_err store_step(struct store_stmt *st, bool *row, struct mmis_error *err)
{
	st->stepped = true;
	return st->store->ops->step(st, row, err);
}

enum mmis_err store_run(struct store_stmt *st, struct mmis_error *err)
{
	bool row = true;
	enum mmis_err rc;

	do
		rc = store_step(st, &row, err);
	while (!rc && row);
	store_reset(st);
	return rc;
}

void store_reset(struct store_stmt *st)
{
	st->store->ops->reset(st);
	st->stepped = false;
}

void store_clear_bindings(struct store_stmt *st)
{
	if (st->stepped)
		store_reset(st);
	st->store->ops->clear_bindings(st);
}

int64_t store_changes(const struct store_stmt *st)
{
	return st->changes;
}

int store_column_count(const struct store_stmt *st)
{
	return st->store->ops->column_count(st);
}

const char *store_column_name(const struct store_stmt *st, int col)
{
	return st->store->ops->column_name(st, col);
}

bool store_column_is_null(const struct store_stmt *st, int col)
{
	return st->store->ops->column_is_null(st, col);
}

const char *store_column_text(const struct store_stmt *st, int col)
{
	return st->store->ops->column_text(st, col);
}

int64_t store_column_int64(const struct store_stmt *st, int col)
{
	return st->store->ops->column_int64(st, col);
}

double store_column_double(const struct store_stmt *st, int col)
{
	return st->store->ops->column_double(st, col);
}

bool store_column_bool(const struct store_stmt *st, int col)
{
	return st->store->ops->column_bool(st, col);
}

const void *store_column_blob(const struct store_stmt *st, int col, size_t *len)
{
	size_t ignored;
	return st->store->ops->column_blob(st, col, len ? len : &ignored);
}

/* ---- migrations ---- */

static const char create_schema_migrations[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/* The one integer a query returns (0 without a row), with an optional text parameter. */
static enum mmis_err query_int(struct store *s, const char *sql, const char *param, int64_t *out,
			       struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*out = 0;
	if ((rc = store_prepare(s, sql, &st, err)))
		return rc;
	if (param && (rc = store_bind_text(st, 1, param)))
		mmis_error_set(err, rc, NULL, "binding a parameter: %s", mmis_strerror(rc));
	if (!rc)
		rc = store_step(st, &row, err);
	if (!rc && row)
		*out = store_column_int64(st, 0);
	store_finalize(st);
	return rc;
}

enum mmis_err store_schema_version(struct store *s, int *version, struct mmis_error *err)
{
	int64_t exists, v = 0;
	enum mmis_err rc;

	*version = 0;
	rc = query_int(s, s->ops->table_exists_sql, "schema_migrations", &exists, err);
	if (!rc && exists > 0)
		rc = query_int(s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, &v,
			       err);
	if (rc)
		return mmis_error_prefix(err, "reading the schema version of %s", s->display_url);
	*version = v > INT_MAX ? INT_MAX : (int)v;
	return MMIS_OK;
}

static enum mmis_err too_new(struct mmis_error *err, int version)
{
	return mmis_error_set(err, MMIS_EVERSION, NULL, "database schema version %d is newer than "
			      "this mmis knows (%d): upgrade mmis", version, store_schema_latest());
}

enum { DIALECT_END = -1, DIALECT_NONE = -2 };

static const struct {
	const char *word;
	int dialect; /* enum store_backend, or DIALECT_END */
} dialect_words[] = {
	{ "sqlite", STORE_SQLITE },
	{ "postgres", STORE_POSTGRES },
	{ "end", DIALECT_END },
};

/*
 * What the line [p, end) is: DIALECT_NONE when it is no "-- dialect: WORD" marker, else the
 * WORD's dialect; an unknown WORD sets *bad.
 */
static int dialect_marker(const char *p, const char *end, const char **bad)
{
	static const char tag[] = "dialect:";
	size_t n;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return DIALECT_NONE;
	for (p += 2; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if ((size_t)(end - p) < sizeof(tag) - 1 || memcmp(p, tag, sizeof(tag) - 1))
		return DIALECT_NONE;
	for (p += sizeof(tag) - 1; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	n = (size_t)(end - p);
	for (size_t i = 0; i < sizeof(dialect_words) / sizeof(dialect_words[0]); i++)
		if (strlen(dialect_words[i].word) == n && !memcmp(p, dialect_words[i].word, n))
			return dialect_words[i].dialect;
	*bad = "unknown dialect (sqlite, postgres or end)";
	return DIALECT_NONE;
}

/*
 * The migration's SQL for one backend. The lines of other dialects' blocks and the marker lines
 * become empty lines, so that line numbers in the backend's messages still match the file.
 */
static enum mmis_err migration_sql(const struct store_migration *m, enum store_backend backend,
				   char **out, struct mmis_error *err)
{
	const char *line = m->sql, *bad = NULL;
	char *buf = malloc(strlen(m->sql) + 1), *w = buf;
	int lineno = 0, block = DIALECT_NONE, block_line = 0; /* the block we are in */

	*out = NULL;
	if (!buf)
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory reading a migration");
	for (; *line && !bad; lineno++) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);
		int marker = dialect_marker(line, end, &bad);

		if (marker == DIALECT_END && block == DIALECT_NONE)
			bad = "\"-- dialect: end\" outside a dialect block";
		else if (marker >= 0 && block != DIALECT_NONE)
			bad = "a dialect block inside a dialect block";
		else if (marker != DIALECT_NONE) {
			block = marker == DIALECT_END ? DIALECT_NONE : marker;
			block_line = lineno + 1;
		}
		else if (block == DIALECT_NONE || block == (int)backend) {
			memcpy(w, line, (size_t)(end - line));
			w += end - line;
		}
		if (nl)
			*w++ = '\n';
		line = nl ? nl + 1 : end;
	}
	*w = '\0';
	if (!bad && block != DIALECT_NONE) {
		bad = "a dialect block without \"-- dialect: end\"";
		lineno = block_line;
	}
	if (bad) {
		free(buf);
		return mmis_error_set(err, MMIS_EINVAL, NULL, "migration %04d_%s, line %d: %s",
				      m->version, m->name, lineno, bad);
	}
	*out = buf;
	return MMIS_OK;
}

static enum mmis_err record_migration(struct store *s, const struct store_migration *m,
				      struct mmis_error *err)
{
	char now[32];
	struct tm tm;
	time_t t = time(NULL);
	struct store_stmt *st;
	enum mmis_err rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = store_prepare(s, "INSERT INTO schema_migrations (version, name, applied_at) "
			   "VALUES (?, ?, ?)", &st, err);
	if (rc)
		return rc;
	if ((rc = store_bind_int64(st, 1, m->version)) || (rc = store_bind_text(st, 2, m->name)) ||
	    (rc = store_bind_text(st, 3, now)))
		mmis_error_set(err, rc, NULL, "binding a parameter: %s", mmis_strerror(rc));
	else
		rc = store_run(st, err);
	store_finalize(st);
	return rc;
}

/*
 * One migration in one transaction with its schema_migrations row. The version is read again
 * inside the transaction, after the lock: another process may have migrated in the meantime.
 */
static enum mmis_err migrate_one(struct store *s, const struct store_migration *m, int *version,
				 struct mmis_error *err)
{
	char *sql;
	int cur = 0;
	enum mmis_err rc = migration_sql(m, s->ops->backend, &sql, err);

	if (rc)
		return rc;
	if ((rc = store_begin(s, err))) {
		free(sql);
		return rc;
	}
	if (s->ops->migrate_lock_sql)
		rc = store_exec(s, s->ops->migrate_lock_sql, err);
	if (!rc)
		rc = store_exec(s, create_schema_migrations, err);
	if (!rc)
		rc = store_schema_version(s, &cur, err);
	if (!rc && cur > store_schema_latest())
		rc = too_new(err, cur);
	if (!rc && cur < m->version) {
		if ((rc = store_exec(s, sql, err)))
			mmis_error_prefix(err, "migration %04d_%s", m->version, m->name);
		else
			rc = record_migration(s, m, err);
		cur = m->version;
	}
	free(sql);
	if (rc) {
		store_rollback(s, NULL);
		return rc;
	}
	if ((rc = store_commit(s, err)))
		return mmis_error_prefix(err, "migration %04d_%s", m->version, m->name);
	*version = cur;
	return MMIS_OK;
}

enum mmis_err store_migrate(struct store *s, int *from, int *to, struct mmis_error *err)
{
	size_t n;
	const struct store_migration *m = store_migrations(&n);
	int v;
	enum mmis_err rc = store_schema_version(s, &v, err);

	if (rc)
		return rc;
	if (from)
		*from = v;
	if (to)
		*to = v;
	if (v > store_schema_latest())
		return too_new(err, v);
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= v)
			continue;
		if ((rc = migrate_one(s, &m[i], &v, err)))
			return rc;
		if (to)
			*to = v;
	}
	return MMIS_OK;
}

enum mmis_err store_init(const char *url, struct store **out, int *from, int *to,
			 struct mmis_error *err)
{
	struct store *s;
	enum mmis_err rc;

	if (out)
		*out = NULL;
	if ((rc = store_open(url, STORE_OPEN_CREATE, &s, err)))
		return rc;
	if ((rc = store_migrate(s, from, to, err))) {
		close_store(s, true); /* removes the file if this open created it */
		return rc;
	}
	if (out)
		*out = s;
	else
		store_close(s);
	return MMIS_OK;
}
