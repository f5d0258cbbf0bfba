/*
 * test_store.c - the store, run once per backend (MMIS_TEST_BACKEND=sqlite or postgres).
 *
 * SQLite works in a fresh temporary directory. PostgreSQL works in a fresh database made on the
 * server named by MMIS_TEST_PG_URL (tests/run.sh starts one with tests/pg.sh) and dropped at the
 * end, so that runs never see each other's data. Without that URL the run fails: never skipped.
 */
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmis/store.h"

/* Fail the test with the error's message when `call` does not succeed (`err` must be in scope). */
#define OK(call)                                                                               \
	do {                                                                                   \
		enum mmis_err ok_rc_ = (call);                                                 \
		if (ok_rc_)                                                                    \
			fail_msg("%s: %s: %s", #call, mmis_strerror(ok_rc_), err.message);    \
	} while (0)

static const char secret[] = "Sup3rS3cret";

static struct {
	enum store_backend backend;
	const char *admin_url;  /* postgres: the server's URL from MMIS_TEST_PG_URL */
	char dir[PATH_MAX];     /* sqlite: the temporary directory */
	char url[PATH_MAX];     /* the database most tests share, initialised by the group setup */
	int init_from, init_to; /* what that first store_init reported */
	char *dbs[32];          /* postgres: databases to drop at the end */
	int ndbs;
} T;

/* ---- helpers ---- */

/* snprintf that fails the test instead of cutting. */
static void fmt(char *out, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *out, size_t cap, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(out, cap, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		fail_msg("formatting %s: too long", f);
}

static struct store *open_url(const char *url)
{
	struct mmis_error err;
	struct store *s = NULL;
	OK(store_open(url, 0, &s, &err));
	return s;
}

static struct store *open_db(void)
{
	return open_url(T.url);
}

static void exec_ok(struct store *s, const char *sql)
{
	struct mmis_error err;
	OK(store_exec(s, sql, &err));
}

/* The first column of the first row as an integer (with an optional text parameter). */
static int64_t query_int(struct store *s, const char *sql)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	int64_t v;

	OK(store_prepare(s, sql, &st, &err));
	OK(store_step(st, &row, &err));
	assert_true(row);
	v = store_column_int64(st, 0);
	store_finalize(st);
	return v;
}

static char *query_text(struct store *s, const char *sql)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	char *v;

	OK(store_prepare(s, sql, &st, &err));
	OK(store_step(st, &row, &err));
	assert_true(row);
	v = strdup(store_column_text(st, 0) ? store_column_text(st, 0) : "(null)");
	store_finalize(st);
	return v;
}

static const char *blob_type(void)
{
	return T.backend == STORE_POSTGRES ? "BYTEA" : "BLOB";
}

/* `base` with its database (the URL's path) replaced by `db`. */
static void url_with_db(const char *base, const char *db, char *out, size_t cap)
{
	const char *auth = strstr(base, "://");
	const char *path, *rest;

	assert_non_null(auth);
	path = auth + 3 + strcspn(auth + 3, "/?#");
	rest = path + strcspn(path, "?#");
	fmt(out, cap, "%.*s/%s%s", (int)(path - base), base, db, rest);
}

static void random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");

	assert_non_null(f);
	assert_int_equal(fread(b, 1, sizeof(b), f), sizeof(b));
	fclose(f);
	for (size_t i = 0; i + 1 < n && i < 2 * sizeof(b); i++)
		out[i] = hex[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[n - 1 < 2 * sizeof(b) ? n - 1 : 2 * sizeof(b)] = '\0';
}

/* A URL for a new, empty database named after `name`. */
static void fresh_url(const char *name, char *out, size_t cap)
{
	char rnd[13], db[96], sql[160];
	struct store *admin;

	if (T.backend == STORE_SQLITE) {
		fmt(out, cap, "%s/%s.db", T.dir, name);
		return;
	}
	random_hex(rnd, sizeof(rnd));
	fmt(db, sizeof(db), "mmis_test_%s_%s", rnd, name);
	fmt(sql, sizeof(sql), "CREATE DATABASE %s", db);
	admin = open_url(T.admin_url);
	exec_ok(admin, sql);
	store_close(admin);
	assert_true(T.ndbs < (int)(sizeof(T.dbs) / sizeof(T.dbs[0])));
	T.dbs[T.ndbs++] = strdup(db);
	url_with_db(T.admin_url, db, out, cap);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static bool exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

static bool table_exists(struct store *s, const char *table)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false, found;
	const char *sql = T.backend == STORE_POSTGRES
		? "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?"
		: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?";

	OK(store_prepare(s, sql, &st, &err));
	OK(store_bind_text(st, 1, table));
	OK(store_step(st, &row, &err));
	found = store_column_int64(st, 0) > 0;
	store_finalize(st);
	return found;
}

/* ---- setup ---- */

static int group_teardown(void **state);

static int group_setup(void **state)
{
	struct mmis_error err;
	struct store *s;
	const char *tmp = getenv("TMPDIR");
	char rnd[13], db[64], sql[96];

	if (T.backend == STORE_SQLITE) {
		fmt(T.dir, sizeof(T.dir), "%s/mmis-test-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(T.dir)) {
			fprintf(stderr, "mkdtemp %s: %s\n", T.dir, strerror(errno));
			T.dir[0] = '\0';
			return -1;
		}
		fmt(T.url, sizeof(T.url), "%s/main.db", T.dir);
	} else {
		random_hex(rnd, sizeof(rnd));
		fmt(db, sizeof(db), "mmis_test_%s", rnd);
		fmt(sql, sizeof(sql), "CREATE DATABASE %s", db);
		if (store_open(T.admin_url, 0, &s, &err)) {
			fprintf(stderr, "%s\n", err.message);
			return -1;
		}
		if (store_exec(s, sql, &err)) {
			fprintf(stderr, "%s\n", err.message);
			store_close(s);
			return -1;
		}
		store_close(s);
		T.dbs[T.ndbs++] = strdup(db);
		url_with_db(T.admin_url, db, T.url, sizeof(T.url));
	}
	if (store_init(T.url, &s, &T.init_from, &T.init_to, &err)) {
		fprintf(stderr, "store_init %s: %s\n", T.url, err.message);
		group_teardown(state); /* cmocka does not call it when the setup fails */
		return -1;
	}
	store_close(s);
	return 0;
}

static int group_teardown(void **state)
{
	struct mmis_error err;
	struct store *s;
	char sql[160];
	int bad = 0;

	(void)state;
	if (T.backend == STORE_SQLITE) {
		chmod(T.dir, 0700);
		if (T.dir[0] && nftw(T.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS))
			bad = -1;
		return bad;
	}
	if (store_open(T.admin_url, 0, &s, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	for (int i = 0; i < T.ndbs; i++) {
		fmt(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", T.dbs[i]);
		if (store_exec(s, sql, &err)) {
			fprintf(stderr, "%s\n", err.message);
			bad = -1;
		}
		free(T.dbs[i]);
	}
	store_close(s);
	return bad;
}

/* ---- both backends ---- */

static void test_open_close(void **state)
{
	struct store *s = open_db();

	(void)state;
	assert_int_equal(store_backend(s), T.backend);
	assert_int_equal(store_backend_of_url(T.url), T.backend);
	assert_string_equal(store_backend_name(s), T.backend == STORE_POSTGRES ? "postgres" : "sqlite");
	assert_string_equal(store_errmsg(s), "");
	assert_int_equal(store_tx_depth(s), 0);
	store_close(s);
	store_close(NULL);
	store_finalize(NULL);
}

static void test_backend_of_url(void **state)
{
	(void)state;
	assert_int_equal(store_backend_of_url("postgres://u@h/db"), STORE_POSTGRES);
	assert_int_equal(store_backend_of_url("postgresql://h/db"), STORE_POSTGRES);
	assert_int_equal(store_backend_of_url("./mmis.db"), STORE_SQLITE);
	assert_int_equal(store_backend_of_url("sqlite:/var/lib/mmis/mmis.db"), STORE_SQLITE);
	assert_int_equal(store_backend_of_url("file:mmis.db?mode=ro"), STORE_SQLITE);
	assert_int_equal(store_backend_of_url(STORE_DEFAULT_URL), STORE_SQLITE);
}

static void test_init_from_empty(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	int v = -1;

	(void)state;
	assert_true(store_schema_latest() >= 1);
	assert_int_equal(T.init_from, 0);
	assert_int_equal(T.init_to, store_schema_latest());
	OK(store_schema_version(s, &v, &err));
	assert_int_equal(v, store_schema_latest());
	assert_true(table_exists(s, "site_setting"));
	store_close(s);
}

static void test_schema_version_empty(void **state)
{
	struct mmis_error err;
	char url[PATH_MAX];
	struct store *s;
	int v = -1;

	(void)state;
	fresh_url("empty", url, sizeof(url));
	OK(store_open(url, STORE_OPEN_CREATE, &s, &err));
	OK(store_schema_version(s, &v, &err));
	assert_int_equal(v, 0);
	assert_false(table_exists(s, "schema_migrations")); /* reading the version creates nothing */
	store_close(s);
}

/* Every row of schema_migrations as one string. */
static char *migrations_rows(struct store *s)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row;
	char buf[4096];
	size_t w = 0;

	OK(store_prepare(s, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
			 &st, &err));
	buf[0] = '\0';
	while (!store_step(st, &row, &err) && row) {
		fmt(buf + w, sizeof(buf) - w, "%lld|%s|%s\n", (long long)store_column_int64(st, 0),
		    store_column_text(st, 1), store_column_text(st, 2));
		w += strlen(buf + w);
	}
	store_finalize(st);
	return strdup(buf);
}

static void test_migrate_idempotent(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	char *before, *after, *at;
	int from = -1, to = -1;
	size_t n;
	const struct store_migration *m = store_migrations(&n);

	(void)state;
	assert_int_equal(n, (size_t)store_schema_latest());
	for (size_t i = 0; i < n; i++)
		assert_int_equal(m[i].version, (int)i + 1);
	before = migrations_rows(s);
	assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations"), store_schema_latest());
	OK(store_migrate(s, &from, &to, &err));
	assert_int_equal(from, store_schema_latest());
	assert_int_equal(to, store_schema_latest());
	OK(store_migrate(s, NULL, NULL, &err));
	store_close(s);

	OK(store_init(T.url, &s, &from, &to, &err));
	assert_int_equal(from, to);
	after = migrations_rows(s);
	assert_string_equal(before, after);
	/* applied_at is an ISO 8601 UTC timestamp: 2025-01-31T12:34:56Z */
	at = query_text(s, "SELECT applied_at FROM schema_migrations WHERE version = 1");
	assert_int_equal(strlen(at), 20);
	assert_true(at[4] == '-' && at[7] == '-' && at[10] == 'T' && at[13] == ':' && at[19] == 'Z');
	free(at);
	free(before);
	free(after);
	store_close(s);
	OK(store_init(T.url, NULL, NULL, NULL, &err));
}

static void test_newer_version_refused(void **state)
{
	struct mmis_error err;
	char url[PATH_MAX], sql[160], want[96];
	struct store *s;
	struct store_stmt *st;
	int from = -1, to = -1, v = -1, future = store_schema_latest() + 4;
	char *before, *after;

	(void)state;
	fresh_url("newer", url, sizeof(url));
	OK(store_init(url, &s, NULL, NULL, &err));
	fmt(sql, sizeof(sql), "INSERT INTO schema_migrations (version, name, applied_at) "
		 "VALUES (%d, 'future', '2099-01-01T00:00:00Z')", future);
	exec_ok(s, sql);
	before = migrations_rows(s);
	store_close(s);

	s = open_url(url);
	OK(store_schema_version(s, &v, &err));
	assert_int_equal(v, future);
	assert_int_equal(store_migrate(s, &from, &to, &err), MMIS_EVERSION);
	assert_int_equal(err.code, MMIS_EVERSION);
	assert_int_equal(from, future);
	fmt(want, sizeof(want), "database schema version %d is newer than this mmis knows (%d)",
		 future, store_schema_latest());
	assert_non_null(strstr(err.message, want));
	assert_non_null(strstr(err.message, "upgrade mmis"));
	after = migrations_rows(s);
	assert_string_equal(before, after);
	free(after);
	store_close(s);

	assert_int_equal(store_init(url, &s, NULL, NULL, &err), MMIS_EVERSION);
	assert_null(s);
	if (T.backend == STORE_SQLITE)
		assert_true(exists(url)); /* an existing database is never removed */
	s = open_url(url);
	after = migrations_rows(s);
	assert_string_equal(before, after);
	/* and the connection is still fine */
	OK(store_prepare(s, "SELECT count(*) FROM site_setting", &st, &err));
	store_finalize(st);
	free(before);
	free(after);
	store_close(s);
}

/* A database made by a newer mmis that has only schema_migrations: nothing else may appear. */
static void test_newer_version_changes_nothing(void **state)
{
	struct mmis_error err;
	char url[PATH_MAX], sql[200];
	struct store *s;

	(void)state;
	fresh_url("newer_bare", url, sizeof(url));
	OK(store_open(url, STORE_OPEN_CREATE, &s, &err));
	exec_ok(s, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
		   "applied_at TEXT NOT NULL)");
	fmt(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%d, 'x', '2099-01-01T00:00:00Z')",
		 store_schema_latest() + 1);
	exec_ok(s, sql);
	assert_int_equal(store_migrate(s, NULL, NULL, &err), MMIS_EVERSION);
	assert_false(table_exists(s, "site_setting"));
	assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations"), 1);
	assert_int_equal(store_tx_depth(s), 0);
	store_close(s);
}

static void test_types(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *ins, *sel;
	char sql[200];
	const unsigned char bytes[] = { 1, 2, 3, 255 };
	bool row;
	size_t len = 99;

	(void)state;
	fmt(sql, sizeof(sql), "CREATE TABLE types_t (id BIGINT PRIMARY KEY, t TEXT, i BIGINT, "
		 "d DOUBLE PRECISION, b BOOLEAN, bl %s)", blob_type());
	exec_ok(s, sql);
	OK(store_prepare(s, "INSERT INTO types_t (id, t, i, d, b, bl) VALUES (?, ?, ?, ?, ?, ?)", &ins,
			 &err));
	OK(store_bind_int64(ins, 1, 1));
	OK(store_bind_text(ins, 2, "hello"));
	OK(store_bind_int64(ins, 3, 42));
	OK(store_bind_double(ins, 4, 2.5));
	OK(store_bind_bool(ins, 5, true));
	OK(store_bind_blob(ins, 6, bytes, sizeof(bytes)));
	OK(store_run(ins, &err));
	/* NULL in every way there is */
	store_clear_bindings(ins);
	OK(store_bind_int64(ins, 1, 2));
	OK(store_bind_text(ins, 2, NULL));
	OK(store_bind_null(ins, 3));
	OK(store_bind_null(ins, 4));
	/* 5 left unbound after clear_bindings */
	OK(store_bind_blob(ins, 6, NULL, 0));
	OK(store_run(ins, &err));
	store_finalize(ins);

	OK(store_prepare(s, "SELECT t, i, d, b, bl FROM types_t ORDER BY id", &sel, &err));
	OK(store_step(sel, &row, &err));
	assert_true(row);
	assert_int_equal(store_column_count(sel), 5);
	assert_string_equal(store_column_name(sel, 0), "t");
	assert_string_equal(store_column_name(sel, 4), "bl");
	for (int c = 0; c < 5; c++)
		assert_false(store_column_is_null(sel, c));
	assert_string_equal(store_column_text(sel, 0), "hello");
	assert_int_equal(store_column_int64(sel, 1), 42);
	assert_string_equal(store_column_text(sel, 1), "42");
	assert_true(store_column_double(sel, 2) == 2.5);
	assert_true(store_column_bool(sel, 3));
	assert_memory_equal(store_column_blob(sel, 4, &len), bytes, sizeof(bytes));
	assert_int_equal(len, sizeof(bytes));

	OK(store_step(sel, &row, &err));
	assert_true(row);
	for (int c = 0; c < 5; c++)
		assert_true(store_column_is_null(sel, c));
	assert_null(store_column_text(sel, 0));
	assert_int_equal(store_column_int64(sel, 1), 0);
	assert_true(store_column_double(sel, 2) == 0.0);
	assert_false(store_column_bool(sel, 3));
	assert_null(store_column_blob(sel, 4, &len));
	assert_int_equal(len, 0);
	assert_null(store_column_blob(sel, 4, NULL));

	OK(store_step(sel, &row, &err));
	assert_false(row);
	store_finalize(sel);
	store_close(s);
}

static void test_blobs(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *ins, *sel;
	unsigned char big[70000];
	const unsigned char zeros[] = { 0, 0, 'a', 0, 0xff, 0 };
	const void *p;
	char sql[120];
	bool row;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7);
	fmt(sql, sizeof(sql), "CREATE TABLE blob_t (id BIGINT PRIMARY KEY, b %s)", blob_type());
	exec_ok(s, sql);
	OK(store_prepare(s, "INSERT INTO blob_t (id, b) VALUES (?, ?)", &ins, &err));
	OK(store_bind_int64(ins, 1, 1));
	OK(store_bind_blob(ins, 2, zeros, sizeof(zeros)));
	OK(store_run(ins, &err));
	OK(store_bind_int64(ins, 1, 2));
	OK(store_bind_blob(ins, 2, "", 0)); /* empty, not NULL */
	OK(store_run(ins, &err));
	OK(store_bind_int64(ins, 1, 3));
	OK(store_bind_blob(ins, 2, big, sizeof(big)));
	OK(store_run(ins, &err));
	store_finalize(ins);

	OK(store_prepare(s, "SELECT b FROM blob_t ORDER BY id", &sel, &err));
	OK(store_step(sel, &row, &err));
	assert_true(row);
	p = store_column_blob(sel, 0, &len);
	assert_int_equal(len, sizeof(zeros));
	assert_memory_equal(p, zeros, sizeof(zeros));
	assert_true(store_column_blob(sel, 0, &len) == p); /* asked again: the same bytes */
	OK(store_step(sel, &row, &err));
	assert_true(row);
	assert_false(store_column_is_null(sel, 0));
	assert_non_null(store_column_blob(sel, 0, &len));
	assert_int_equal(len, 0);
	OK(store_step(sel, &row, &err));
	assert_true(row);
	p = store_column_blob(sel, 0, &len);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(p, big, sizeof(big));
	OK(store_step(sel, &row, &err));
	assert_false(row);
	store_finalize(sel);
	assert_int_equal(query_int(s, "SELECT count(*) FROM blob_t WHERE b IS NULL"), 0);
	store_close(s);
}

static void test_utf8(void **state)
{
	static const char *const names[] = {
		"Ђорђе Петровић",           /* Serbian Cyrillic */
		"محمد عبد الله",            /* Arabic */
		"Çağrı Öztürk",             /* Turkish */
		"Ζωή Παπαδοπούλου",         /* Greek */
		"👩‍👧 family",                /* outside the BMP, with a joiner */
	};
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *ins, *sel;
	bool row;
	int n = (int)(sizeof(names) / sizeof(names[0]));

	(void)state;
	exec_ok(s, "CREATE TABLE utf_t (id BIGINT PRIMARY KEY, name TEXT NOT NULL)");
	OK(store_prepare(s, "INSERT INTO utf_t (id, name) VALUES (?, ?)", &ins, &err));
	for (int i = 0; i < n; i++) {
		OK(store_bind_int64(ins, 1, i));
		OK(store_bind_text(ins, 2, names[i]));
		OK(store_run(ins, &err));
	}
	store_finalize(ins);
	OK(store_prepare(s, "SELECT id, name FROM utf_t WHERE name = ?", &sel, &err));
	for (int i = 0; i < n; i++) {
		OK(store_bind_text(sel, 1, names[i]));
		OK(store_step(sel, &row, &err));
		assert_true(row);
		assert_int_equal(store_column_int64(sel, 0), i);
		assert_string_equal(store_column_text(sel, 1), names[i]);
		store_reset(sel);
	}
	store_finalize(sel);
	/* Text is UTF-8 on the way back whatever the server's settings */
	assert_int_equal(query_int(s, "SELECT count(*) FROM utf_t WHERE name LIKE '%Петров%'"), 1);
	store_close(s);
}

static void test_int64_extremes(void **state)
{
	static const int64_t values[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT32_MAX + 1LL, INT64_MAX };
	static const char *const texts[] = { "-9223372036854775808", "-9223372036854775807", "-1", "0",
					     "1", "2147483648", "9223372036854775807" };
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *ins, *sel;
	bool row;

	(void)state;
	exec_ok(s, "CREATE TABLE int_t (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
	OK(store_prepare(s, "INSERT INTO int_t (k, v) VALUES (?, ?)", &ins, &err));
	for (int i = 0; i < 7; i++) {
		OK(store_bind_int64(ins, 1, i));
		OK(store_bind_int64(ins, 2, values[i]));
		OK(store_run(ins, &err));
	}
	store_finalize(ins);
	OK(store_prepare(s, "SELECT v FROM int_t ORDER BY k", &sel, &err));
	for (int i = 0; i < 7; i++) {
		OK(store_step(sel, &row, &err));
		assert_true(row);
		assert_true(store_column_int64(sel, 0) == values[i]);
		assert_string_equal(store_column_text(sel, 0), texts[i]);
	}
	store_finalize(sel);
	assert_true(query_int(s, "SELECT max(v) FROM int_t") == INT64_MAX);
	assert_true(query_int(s, "SELECT min(v) FROM int_t") == INT64_MIN);
	store_close(s);
}

static void test_doubles(void **state)
{
	static const double values[] = { 0.0, -0.5, 0.1, 3.141592653589793, 1e-300, -1e300,
					 1.7976931348623157e308, 2.2250738585072014e-308, 1.0 / 3.0 };
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *ins, *sel;
	bool row;
	int n = (int)(sizeof(values) / sizeof(values[0]));

	(void)state;
	exec_ok(s, "CREATE TABLE dbl_t (k BIGINT PRIMARY KEY, v DOUBLE PRECISION)");
	OK(store_prepare(s, "INSERT INTO dbl_t (k, v) VALUES (?, ?)", &ins, &err));
	for (int i = 0; i < n; i++) {
		OK(store_bind_int64(ins, 1, i));
		OK(store_bind_double(ins, 2, values[i]));
		OK(store_run(ins, &err));
	}
	store_finalize(ins);
	OK(store_prepare(s, "SELECT v FROM dbl_t ORDER BY k", &sel, &err));
	for (int i = 0; i < n; i++) {
		OK(store_step(sel, &row, &err));
		assert_true(row);
		if (store_column_double(sel, 0) != values[i]) /* exactly: no digits lost on the way */
			fail_msg("row %d: %.17g read back as %.17g", i, values[i],
				 store_column_double(sel, 0));
	}
	store_finalize(sel);
	store_close(s);
}

static void test_booleans(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *ins, *sel;
	bool row;

	(void)state;
	exec_ok(s, "CREATE TABLE bool_t (k BIGINT PRIMARY KEY, v BOOLEAN)");
	exec_ok(s, "INSERT INTO bool_t (k, v) VALUES (100, TRUE), (101, FALSE)");
	OK(store_prepare(s, "INSERT INTO bool_t (k, v) VALUES (?, ?)", &ins, &err));
	OK(store_bind_int64(ins, 1, 1));
	OK(store_bind_bool(ins, 2, true));
	OK(store_run(ins, &err));
	OK(store_bind_int64(ins, 1, 2));
	OK(store_bind_bool(ins, 2, false));
	OK(store_run(ins, &err));
	OK(store_bind_int64(ins, 1, 3));
	OK(store_bind_null(ins, 2));
	OK(store_run(ins, &err));
	store_finalize(ins);

	assert_int_equal(query_int(s, "SELECT count(*) FROM bool_t WHERE v"), 2);
	assert_int_equal(query_int(s, "SELECT count(*) FROM bool_t WHERE NOT v"), 2);
	assert_int_equal(query_int(s, "SELECT count(*) FROM bool_t WHERE v IS NULL"), 1);
	OK(store_prepare(s, "SELECT k, v FROM bool_t WHERE v = ? ORDER BY k", &sel, &err));
	OK(store_bind_bool(sel, 1, true));
	OK(store_step(sel, &row, &err));
	assert_true(row);
	assert_int_equal(store_column_int64(sel, 0), 1);
	assert_true(store_column_bool(sel, 1));
	OK(store_step(sel, &row, &err));
	assert_true(row);
	assert_int_equal(store_column_int64(sel, 0), 100);
	assert_true(store_column_bool(sel, 1));
	OK(store_bind_bool(sel, 1, false)); /* rebinding mid-iteration starts over */
	OK(store_step(sel, &row, &err));
	assert_true(row);
	assert_int_equal(store_column_int64(sel, 0), 2);
	assert_false(store_column_bool(sel, 1));
	store_finalize(sel);
	store_close(s);
}

static void test_placeholders_in_literals(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *st;
	bool row;

	(void)state;
	exec_ok(s, "CREATE TABLE ph_t (id BIGINT PRIMARY KEY, \"q?\" TEXT)");
	OK(store_prepare(s, "INSERT INTO ph_t (id, \"q?\") -- a comment with ? in it\n"
			    "VALUES (?, /* and ? here */ ?)", &st, &err));
	OK(store_bind_int64(st, 1, 7));
	OK(store_bind_text(st, 2, "seven?"));
	OK(store_run(st, &err));
	store_finalize(st);

	OK(store_prepare(s, "SELECT 'it''s ?' AS a, ? AS b, \"q?\" AS c, '?' || ? AS d "
			    "FROM ph_t WHERE id = ? -- ?", &st, &err));
	OK(store_bind_text(st, 1, "x"));
	OK(store_bind_text(st, 2, "y"));
	OK(store_bind_int64(st, 3, 7));
	assert_int_equal(store_bind_text(st, 4, "no such parameter"), MMIS_EINVAL);
	OK(store_step(st, &row, &err));
	assert_true(row);
	assert_string_equal(store_column_text(st, 0), "it's ?");
	assert_string_equal(store_column_text(st, 1), "x");
	assert_string_equal(store_column_text(st, 2), "seven?");
	assert_string_equal(store_column_text(st, 3), "?y");
	store_finalize(st);
	store_close(s);
}

static int64_t count_rows(struct store *s, const char *table)
{
	char sql[120];
	fmt(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return query_int(s, sql);
}

static void insert_k(struct store *s, const char *table, int64_t k, enum mmis_err want)
{
	struct mmis_error err;
	struct store_stmt *st;
	char sql[120];
	enum mmis_err rc;

	fmt(sql, sizeof(sql), "INSERT INTO %s (k) VALUES (?)", table);
	OK(store_prepare(s, sql, &st, &err));
	OK(store_bind_int64(st, 1, k));
	rc = store_run(st, &err);
	store_finalize(st);
	if (rc != want)
		fail_msg("inserting %lld into %s: %s, wanted %s (%s)", (long long)k, table,
			 mmis_strerror(rc), mmis_strerror(want), err.message);
}

/* Writers of one process on one database: none fails, none is lost (SQLite queues them on a
 * mutex per file; PostgreSQL's own locking serialises the conflicting ones). */
#define WRITERS 4
#define WRITES 50
struct writer_arg {
	const char *url;
	int id;
	int ok;
	enum mmis_err last;
};

static void *writer_thread(void *p)
{
	struct writer_arg *w = p;
	struct mmis_error err;
	struct store *s = NULL;
	struct store_stmt *st;

	if ((w->last = store_open(w->url, 0, &s, &err)))
		return NULL;
	for (int i = 0; i < WRITES; i++) {
		if ((w->last = store_begin(s, &err)))
			break;
		if ((w->last = store_prepare(s, "INSERT INTO wr_t (k) VALUES (?)", &st, &err))) {
			store_rollback(s, NULL);
			break;
		}
		store_bind_int64(st, 1, (int64_t)w->id * 1000 + i);
		w->last = store_run(st, &err);
		store_finalize(st);
		if (w->last || (w->last = store_commit(s, &err))) {
			store_rollback(s, NULL);
			break;
		}
		w->ok++;
	}
	store_close(s);
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct store *s = open_db();
	pthread_t t[WRITERS];
	struct writer_arg a[WRITERS];

	(void)state;
	exec_ok(s, "CREATE TABLE wr_t (k BIGINT PRIMARY KEY)");
	for (int i = 0; i < WRITERS; i++) {
		a[i] = (struct writer_arg){ .url = T.url, .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &a[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < WRITERS; i++) {
		assert_int_equal(a[i].last, MMIS_OK);
		assert_int_equal(a[i].ok, WRITES);
	}
	assert_int_equal(count_rows(s, "wr_t"), WRITERS * WRITES);
	store_close(s);
}

/* Closing a store inside a transaction rolls it back and lets the next writer in. */
static void test_close_in_transaction(void **state)
{
	struct mmis_error err;
	struct store *s = open_db(), *other;

	(void)state;
	exec_ok(s, "CREATE TABLE ct_t (k BIGINT PRIMARY KEY)");
	other = open_db();
	OK(store_begin(other, &err));
	insert_k(other, "ct_t", 1, MMIS_OK);
	store_close(other);
	OK(store_begin(s, &err)); /* would wait forever if the closed store still held the lock */
	insert_k(s, "ct_t", 2, MMIS_OK);
	OK(store_commit(s, &err));
	assert_int_equal(count_rows(s, "ct_t"), 1);
	store_close(s);
}

static void test_transactions(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();

	(void)state;
	exec_ok(s, "CREATE TABLE tx_t (k BIGINT PRIMARY KEY)");
	OK(store_begin(s, &err));
	assert_int_equal(store_tx_depth(s), 1);
	insert_k(s, "tx_t", 1, MMIS_OK);
	OK(store_rollback(s, &err));
	assert_int_equal(store_tx_depth(s), 0);
	assert_int_equal(count_rows(s, "tx_t"), 0);

	OK(store_begin(s, &err));
	insert_k(s, "tx_t", 2, MMIS_OK);
	insert_k(s, "tx_t", 3, MMIS_OK);
	OK(store_commit(s, &err));
	assert_int_equal(store_tx_depth(s), 0);
	assert_int_equal(count_rows(s, "tx_t"), 2);

	/* committed work is visible to another connection, uncommitted work is not */
	struct store *other = open_db();
	assert_int_equal(count_rows(other, "tx_t"), 2);
	OK(store_begin(s, &err));
	insert_k(s, "tx_t", 4, MMIS_OK);
	assert_int_equal(count_rows(other, "tx_t"), 2);
	OK(store_commit(s, &err));
	assert_int_equal(count_rows(other, "tx_t"), 3);
	store_close(other);

	assert_int_equal(store_commit(s, &err), MMIS_EINVAL);
	assert_int_equal(store_rollback(s, &err), MMIS_EINVAL);
	assert_int_equal(store_tx_depth(s), 0);
	store_close(s);
}

static void test_savepoints(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();

	(void)state;
	exec_ok(s, "CREATE TABLE sp_t (k BIGINT PRIMARY KEY)");
	OK(store_begin(s, &err));
	insert_k(s, "sp_t", 1, MMIS_OK);
	OK(store_begin(s, &err));
	assert_int_equal(store_tx_depth(s), 2);
	insert_k(s, "sp_t", 2, MMIS_OK);
	OK(store_begin(s, &err));
	assert_int_equal(store_tx_depth(s), 3);
	insert_k(s, "sp_t", 3, MMIS_OK);
	OK(store_commit(s, &err)); /* 3 joins level 2 */
	OK(store_rollback(s, &err)); /* level 2 goes, with 2 and 3 */
	assert_int_equal(store_tx_depth(s), 1);
	OK(store_begin(s, &err));
	insert_k(s, "sp_t", 4, MMIS_OK);
	OK(store_commit(s, &err));
	OK(store_commit(s, &err));
	assert_int_equal(store_tx_depth(s), 0);
	assert_int_equal(count_rows(s, "sp_t"), 2);
	assert_int_equal(query_int(s, "SELECT sum(k) FROM sp_t"), 5);

	/* the outer level rolls back everything, released savepoints included */
	OK(store_begin(s, &err));
	insert_k(s, "sp_t", 10, MMIS_OK);
	OK(store_begin(s, &err));
	insert_k(s, "sp_t", 11, MMIS_OK);
	OK(store_commit(s, &err));
	OK(store_rollback(s, &err));
	assert_int_equal(count_rows(s, "sp_t"), 2);
	store_close(s);
}

static void test_unique_conflict(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();

	(void)state;
	exec_ok(s, "CREATE TABLE uq_t (k BIGINT PRIMARY KEY, name TEXT UNIQUE)");
	insert_k(s, "uq_t", 1, MMIS_OK);
	insert_k(s, "uq_t", 1, MMIS_ECONFLICT);
	assert_non_null(strstr(store_errmsg(s), T.backend == STORE_POSTGRES ? "duplicate key" : "UNIQUE"));
	insert_k(s, "uq_t", 2, MMIS_OK); /* outside a transaction: nothing to undo */

	/* inside a transaction: roll back the savepoint and go on */
	OK(store_begin(s, &err));
	insert_k(s, "uq_t", 3, MMIS_OK);
	OK(store_begin(s, &err));
	insert_k(s, "uq_t", 1, MMIS_ECONFLICT);
	OK(store_rollback(s, &err));
	insert_k(s, "uq_t", 4, MMIS_OK);
	OK(store_commit(s, &err));
	assert_int_equal(count_rows(s, "uq_t"), 4);

	/* a conflict at the outer level: roll back, and the connection is fine */
	OK(store_begin(s, &err));
	insert_k(s, "uq_t", 5, MMIS_OK);
	insert_k(s, "uq_t", 2, MMIS_ECONFLICT);
	OK(store_rollback(s, &err));
	assert_int_equal(store_tx_depth(s), 0);
	assert_int_equal(count_rows(s, "uq_t"), 4);
	insert_k(s, "uq_t", 6, MMIS_OK);
	assert_int_equal(count_rows(s, "uq_t"), 5);
	store_close(s);
}

static void test_foreign_key_conflict(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *st;

	(void)state;
	exec_ok(s, "CREATE TABLE fk_parent (k BIGINT PRIMARY KEY);"
		   "CREATE TABLE fk_child (k BIGINT PRIMARY KEY, "
		   "parent BIGINT NOT NULL REFERENCES fk_parent (k))");
	exec_ok(s, "INSERT INTO fk_parent (k) VALUES (1)");
	OK(store_prepare(s, "INSERT INTO fk_child (k, parent) VALUES (?, ?)", &st, &err));
	OK(store_bind_int64(st, 1, 1));
	OK(store_bind_int64(st, 2, 1));
	OK(store_run(st, &err));
	OK(store_bind_int64(st, 1, 2));
	OK(store_bind_int64(st, 2, 99));
	assert_int_equal(store_run(st, &err), MMIS_ECONFLICT);
	assert_int_equal(err.code, MMIS_ECONFLICT);
	assert_non_null(strstr(err.message, T.backend == STORE_POSTGRES ? "foreign key" : "FOREIGN KEY"));
	store_finalize(st);
	assert_int_equal(count_rows(s, "fk_child"), 1);
	store_close(s);
}

static void test_reuse_and_rebind(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *st, *again, *sel;
	bool row;

	(void)state;
	exec_ok(s, "CREATE TABLE re_t (k BIGINT PRIMARY KEY, v TEXT)");
	OK(store_prepare(s, "INSERT INTO re_t (k, v) VALUES (?, ?)", &st, &err));
	OK(store_bind_int64(st, 1, 1));
	OK(store_bind_text(st, 2, "one"));
	OK(store_run(st, &err));
	OK(store_bind_int64(st, 1, 2)); /* v stays "one" */
	OK(store_run(st, &err));
	store_clear_bindings(st);
	OK(store_bind_int64(st, 1, 3)); /* v is NULL now */
	OK(store_run(st, &err));
	store_finalize(st);

	/* the same text again comes from the cache, with no binds left over */
	OK(store_prepare(s, "INSERT INTO re_t (k, v) VALUES (?, ?)", &again, &err));
	OK(store_bind_int64(again, 1, 4));
	OK(store_run(again, &err));
	store_finalize(again);

	OK(store_prepare(s, "SELECT k, v FROM re_t ORDER BY k", &sel, &err));
	OK(store_step(sel, &row, &err));
	assert_string_equal(store_column_text(sel, 1), "one");
	OK(store_step(sel, &row, &err));
	assert_string_equal(store_column_text(sel, 1), "one");
	OK(store_step(sel, &row, &err));
	assert_null(store_column_text(sel, 1));
	OK(store_step(sel, &row, &err));
	assert_int_equal(store_column_int64(sel, 0), 4);
	assert_null(store_column_text(sel, 1));
	OK(store_step(sel, &row, &err));
	assert_false(row);
	OK(store_step(sel, &row, &err)); /* past the end: still no row, not a new execution */
	assert_false(row);
	store_reset(sel);
	OK(store_step(sel, &row, &err)); /* after a reset: from the top */
	assert_true(row);
	assert_int_equal(store_column_int64(sel, 0), 1);
	store_finalize(sel);
	store_close(s);
}

/* Two statements with the same text alive at once: the cache must not hand out the same one. */
static void test_same_text_twice(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *a, *b;
	bool row;
	int pairs = 0;

	(void)state;
	exec_ok(s, "CREATE TABLE two_t (k BIGINT PRIMARY KEY)");
	exec_ok(s, "INSERT INTO two_t (k) VALUES (1), (2), (3)");
	OK(store_prepare(s, "SELECT k FROM two_t WHERE k >= ? ORDER BY k", &a, &err));
	OK(store_prepare(s, "SELECT k FROM two_t WHERE k >= ? ORDER BY k", &b, &err));
	assert_ptr_not_equal(a, b);
	OK(store_bind_int64(a, 1, 1));
	OK(store_bind_int64(b, 1, 2));
	while (!store_step(a, &row, &err) && row) {
		bool brow;
		OK(store_step(b, &brow, &err));
		if (brow) {
			assert_int_equal(store_column_int64(b, 0), store_column_int64(a, 0) + 1);
			pairs++;
		}
	}
	assert_int_equal(pairs, 2);
	store_finalize(a);
	store_finalize(b);
	store_close(s);
}

static void test_interleaved(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *sel, *ins;
	bool row;

	(void)state;
	exec_ok(s, "CREATE TABLE src_t (k BIGINT PRIMARY KEY, v TEXT NOT NULL);"
		   "CREATE TABLE dst_t (k BIGINT PRIMARY KEY, v TEXT NOT NULL)");
	exec_ok(s, "INSERT INTO src_t (k, v) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')");
	OK(store_begin(s, &err));
	OK(store_prepare(s, "SELECT k, v FROM src_t ORDER BY k", &sel, &err));
	OK(store_prepare(s, "INSERT INTO dst_t (k, v) VALUES (?, ?)", &ins, &err));
	while (!store_step(sel, &row, &err) && row) {
		OK(store_bind_int64(ins, 1, store_column_int64(sel, 0) * 10));
		OK(store_bind_text(ins, 2, store_column_text(sel, 1)));
		OK(store_run(ins, &err));
		assert_int_equal(store_changes(ins), 1);
	}
	store_finalize(ins);
	store_finalize(sel);
	OK(store_commit(s, &err));
	assert_int_equal(count_rows(s, "dst_t"), 5);
	assert_int_equal(query_int(s, "SELECT sum(k) FROM dst_t"), 150);
	store_close(s);
}

static int64_t run_changes(struct store *s, const char *sql)
{
	struct mmis_error err;
	struct store_stmt *st;
	int64_t n;

	OK(store_prepare(s, sql, &st, &err));
	OK(store_run(st, &err));
	n = store_changes(st);
	store_finalize(st);
	return n;
}

static void test_changes(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *ins, *sel;
	bool row;

	(void)state;
	exec_ok(s, "CREATE TABLE ch_t (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
	OK(store_prepare(s, "INSERT INTO ch_t (k, v) VALUES (?, 0)", &ins, &err));
	assert_int_equal(store_changes(ins), 0);
	for (int i = 1; i <= 5; i++) {
		OK(store_bind_int64(ins, 1, i));
		OK(store_run(ins, &err));
		assert_int_equal(store_changes(ins), 1);
	}
	assert_int_equal(run_changes(s, "UPDATE ch_t SET v = 1 WHERE k <= 3"), 3);
	assert_int_equal(run_changes(s, "DELETE FROM ch_t WHERE k > 100"), 0);
	assert_int_equal(run_changes(s, "SELECT k FROM ch_t"), 0);
	assert_int_equal(run_changes(s, "CREATE TABLE ch2_t (k BIGINT)"), 0);
	assert_int_equal(run_changes(s, "INSERT INTO ch2_t (k) SELECT k FROM ch_t"), 5);
	assert_int_equal(run_changes(s, "DELETE FROM ch_t WHERE k IN (1, 2)"), 2);
	/* kept per statement: another statement's work does not change it */
	assert_int_equal(store_changes(ins), 1);
	store_finalize(ins);

	/* a SELECT iterated while other statements write reports no changes of its own */
	OK(store_prepare(s, "SELECT k FROM ch_t ORDER BY k", &sel, &err));
	while (!store_step(sel, &row, &err) && row) {
		assert_int_equal(run_changes(s, "UPDATE ch2_t SET k = k + 1000 WHERE k = 1"), 1);
		exec_ok(s, "UPDATE ch2_t SET k = 1 WHERE k = 1001");
	}
	assert_int_equal(store_changes(sel), 0);
	store_finalize(sel);
	store_close(s);
}

static void test_errors_carry_message(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *st = (struct store_stmt *)(uintptr_t)1; /* must come back NULL */

	(void)state;
	assert_int_equal(store_prepare(s, "SELEC 1", &st, &err), MMIS_EDB);
	assert_null(st);
	assert_int_equal(err.code, MMIS_EDB);
	assert_non_null(strstr(err.message, "syntax error"));
	assert_non_null(strstr(store_errmsg(s), "syntax error"));
	assert_null(strchr(err.message, '\n'));

	assert_int_equal(store_prepare(s, "SELECT * FROM no_such_table_here", &st, &err), MMIS_EDB);
	assert_non_null(strstr(err.message, "no_such_table_here"));
	assert_int_equal(store_exec(s, "SELECT 1; SELECT nothing_here FROM nowhere_t", &err), MMIS_EDB);
	assert_non_null(strstr(err.message, "nowhere_t"));
	assert_int_equal(store_prepare(s, "SELECT 1; SELECT 2", &st, &err), MMIS_EDB);
	assert_null(st);
	/* a statement that fails to execute */
	exec_ok(s, "CREATE TABLE nn_t (k BIGINT PRIMARY KEY, v TEXT NOT NULL)");
	OK(store_prepare(s, "INSERT INTO nn_t (k, v) VALUES (1, ?)", &st, &err));
	assert_int_equal(store_run(st, &err), MMIS_ECONFLICT); /* NOT NULL: an integrity constraint */
	assert_non_null(strstr(err.message, T.backend == STORE_POSTGRES ? "not-null" : "NOT NULL"));
	OK(store_bind_text(st, 1, "now it works"));
	OK(store_run(st, &err));
	store_finalize(st);
	/* the connection is fine after all of this */
	assert_int_equal(query_int(s, "SELECT count(*) FROM nn_t"), 1);
	store_close(s);
}

static void test_exec_several(void **state)
{
	struct store *s = open_db();

	(void)state;
	exec_ok(s, "CREATE TABLE ex_t (k BIGINT PRIMARY KEY); INSERT INTO ex_t (k) VALUES (1);\n"
		   "-- a comment\nINSERT INTO ex_t (k) VALUES (2);");
	assert_int_equal(count_rows(s, "ex_t"), 2);
	exec_ok(s, "");
	store_close(s);
}

static void test_prepare_survives_rollback(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *st;

	(void)state;
	exec_ok(s, "CREATE TABLE surv_t (k BIGINT PRIMARY KEY)");
	OK(store_begin(s, &err));
	OK(store_prepare(s, "INSERT INTO surv_t (k) VALUES (?)", &st, &err));
	OK(store_bind_int64(st, 1, 1));
	OK(store_run(st, &err));
	store_finalize(st);
	OK(store_rollback(s, &err));
	/* prepared in a transaction that was rolled back: still usable */
	OK(store_prepare(s, "INSERT INTO surv_t (k) VALUES (?)", &st, &err));
	OK(store_bind_int64(st, 1, 2));
	OK(store_run(st, &err));
	store_finalize(st);
	assert_int_equal(count_rows(s, "surv_t"), 1);
	store_close(s);
}

static void test_readonly(void **state)
{
	struct mmis_error err;
	struct store *s;
	struct store_stmt *st;

	(void)state;
	s = open_db();
	exec_ok(s, "CREATE TABLE ro_t (k BIGINT PRIMARY KEY); INSERT INTO ro_t (k) VALUES (1)");
	store_close(s);
	OK(store_open(T.url, STORE_OPEN_READONLY, &s, &err));
	assert_int_equal(count_rows(s, "ro_t"), 1);
	assert_int_not_equal(store_exec(s, "INSERT INTO ro_t (k) VALUES (2)", &err), MMIS_OK);
	OK(store_begin(s, &err));
	OK(store_prepare(s, "SELECT count(*) FROM ro_t", &st, &err));
	OK(store_run(st, &err));
	store_finalize(st);
	OK(store_commit(s, &err));
	store_close(s);
	s = open_db();
	assert_int_equal(count_rows(s, "ro_t"), 1);
	store_close(s);
}

static void test_display_url(void **state)
{
	struct store *s = open_db();

	(void)state;
	if (T.backend == STORE_SQLITE)
		assert_string_equal(store_display_url(s), T.url);
	else
		assert_null(strstr(store_display_url(s), "password"));
	store_close(s);
}

/* Several processes initialising one new database at once: each succeeds, each migration once. */
static void test_concurrent_init(void **state)
{
	char url[PATH_MAX];
	pid_t pids[4];
	int status;
	struct store *s;

	(void)state;
	fresh_url("concurrent", url, sizeof(url));
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct mmis_error err;
			if (store_init(url, NULL, NULL, NULL, &err)) {
				fprintf(stderr, "child %d: %s\n", i, err.message);
				_exit(1);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	s = open_url(url);
	assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations"), store_schema_latest());
	store_close(s);
}

/* ---- SQLite only ---- */

static void test_sqlite_missing_file(void **state)
{
	struct mmis_error err;
	char path[PATH_MAX];
	struct store *s = (struct store *)(uintptr_t)1;

	(void)state;
	fmt(path, sizeof(path), "%s/missing.db", T.dir);
	assert_int_equal(store_open(path, 0, &s, &err), MMIS_ENOTFOUND);
	assert_null(s);
	assert_non_null(strstr(err.message, "no database at"));
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, "mmis init"));
	assert_false(exists(path));
	assert_int_equal(store_open(path, STORE_OPEN_READONLY, &s, &err), MMIS_ENOTFOUND);
	assert_false(exists(path));

	/* with CREATE it is made */
	OK(store_open(path, STORE_OPEN_CREATE, &s, &err));
	assert_true(exists(path));
	store_close(s);
}

static void test_sqlite_not_a_database(void **state)
{
	struct mmis_error err;
	char path[PATH_MAX], want[PATH_MAX + 40];
	struct store *s;
	FILE *f;

	(void)state;
	fmt(path, sizeof(path), "%s/notes.txt", T.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 100; i++)
		fputs("This is a text file, not a database.\n", f);
	fclose(f);
	assert_int_equal(store_open(path, 0, &s, &err), MMIS_EDB);
	fmt(want, sizeof(want), "%s is not an SQLite database", path);
	assert_string_equal(err.message, want);
	assert_int_equal(store_init(path, &s, NULL, NULL, &err), MMIS_EDB);
	assert_true(exists(path)); /* not ours: never removed */
	/* a directory */
	assert_int_not_equal(store_open(T.dir, 0, &s, &err), MMIS_OK);
	assert_null(strchr(err.message, '\n'));
}

static void test_sqlite_init_impossible_path(void **state)
{
	static const char *const paths[] = {
		"/nonexistent-mmis-dir/a/b/mmis.db", /* no such directory */
		"/proc/mmis-test.db",                /* nobody can create files here, not even root */
		"/proc/version",                     /* exists, read-only, not a database */
	};
	struct mmis_error err;
	struct store *s = (struct store *)(uintptr_t)1;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		bool existed = exists(paths[i]);
		enum mmis_err rc = store_init(paths[i], &s, NULL, NULL, &err);
		if (!rc)
			fail_msg("store_init %s succeeded", paths[i]);
		assert_null(s);
		assert_null(strchr(err.message, '\n'));
		assert_non_null(strstr(err.message, paths[i]));
		assert_int_equal(exists(paths[i]), existed);
	}
	assert_false(exists("/nonexistent-mmis-dir"));
}

static void test_sqlite_pragmas(void **state)
{
	struct store *s = open_db();
	char *mode;

	(void)state;
	mode = query_text(s, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(query_int(s, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(query_int(s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(s, "PRAGMA busy_timeout"), 5000);
	store_close(s);
}

static void test_sqlite_url_forms(void **state)
{
	struct mmis_error err;
	char url[PATH_MAX + 32];
	struct store *s;
	int v;

	(void)state;
	fmt(url, sizeof(url), "sqlite:%s", T.url);
	OK(store_open(url, 0, &s, &err));
	OK(store_schema_version(s, &v, &err));
	assert_int_equal(v, store_schema_latest());
	store_close(s);
	fmt(url, sizeof(url), "file:%s?mode=rw", T.url);
	OK(store_open(url, 0, &s, &err));
	OK(store_schema_version(s, &v, &err));
	assert_int_equal(v, store_schema_latest());
	store_close(s);
	fmt(url, sizeof(url), "file:%s/nothing.db?mode=rw", T.dir);
	assert_int_equal(store_open(url, 0, &s, &err), MMIS_ENOTFOUND);
}

/* Opening files this process may not write: as `nobody` when root (root ignores permissions). */
static int readonly_checks(const char *ro_file, const char *ro_dir_db, const char *ro_dir_new)
{
	struct mmis_error err;
	struct store *s;
	int bad = 0;

	if (store_open(ro_file, 0, &s, &err) != MMIS_EIO || !strstr(err.message, "file is read-only") ||
	    strchr(err.message, '\n')) {
		fprintf(stderr, "read-only file: %s\n", err.message);
		bad = 1;
	}
	/* asked for read-only: fine, or (WAL needs its index file beside it) one clear line */
	if (!store_open(ro_file, STORE_OPEN_READONLY, &s, &err))
		store_close(s);
	else if (strchr(err.message, '\n') || !strstr(err.message, ro_file)) {
		fprintf(stderr, "read-only open of a read-only file: %s\n", err.message);
		bad = 1;
	}
	if (store_open(ro_dir_db, 0, &s, &err) == MMIS_OK || strchr(err.message, '\n') ||
	    !strstr(err.message, ro_dir_db) || !strstr(err.message, "directory is read-only")) {
		fprintf(stderr, "database in a read-only directory: %s\n",
			err.code ? err.message : "opened");
		if (!err.code)
			store_close(s);
		bad = 1;
	}
	if (store_init(ro_dir_new, &s, NULL, NULL, &err) != MMIS_EIO || strchr(err.message, '\n') ||
	    !strstr(err.message, "ermission denied")) {
		fprintf(stderr, "new database in a read-only directory: %s\n", err.message);
		bad = 1;
	}
	return bad;
}

static void test_sqlite_readonly_places(void **state)
{
	struct mmis_error err;
	char ro_file[PATH_MAX], ro_dir[PATH_MAX], ro_dir_db[PATH_MAX], ro_dir_new[PATH_MAX];
	int status;
	pid_t pid;

	(void)state;
	fmt(ro_file, sizeof(ro_file), "%s/ro_file.db", T.dir);
	fmt(ro_dir, sizeof(ro_dir), "%s/ro_dir", T.dir);
	fmt(ro_dir_db, sizeof(ro_dir_db), "%s/ro_dir/in.db", T.dir);
	fmt(ro_dir_new, sizeof(ro_dir_new), "%s/ro_dir/new.db", T.dir);
	OK(store_init(ro_file, NULL, NULL, NULL, &err));
	assert_int_equal(mkdir(ro_dir, 0755), 0);
	OK(store_init(ro_dir_db, NULL, NULL, NULL, &err));
	assert_int_equal(chmod(ro_file, 0444), 0);
	assert_int_equal(chmod(ro_dir_db, 0666), 0); /* the file is writable, its directory is not */
	assert_int_equal(chmod(ro_dir, 0555), 0);
	assert_int_equal(chmod(T.dir, 0755), 0);

	if (geteuid() != 0) {
		assert_int_equal(readonly_checks(ro_file, ro_dir_db, ro_dir_new), 0);
	} else {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
				_exit(2);
			_exit(readonly_checks(ro_file, ro_dir_db, ro_dir_new));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_false(exists(ro_dir_new));
	chmod(ro_dir, 0755);
	chmod(T.dir, 0700);
}

/* ---- PostgreSQL only ---- */

static int closed_port(void)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
	} a = { .in = { .sin_family = AF_INET, .sin_port = 0 } };
	socklen_t len = sizeof(a.in);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, &a.sa, sizeof(a.in)), 0);
	assert_int_equal(getsockname(fd, &a.sa, &len), 0);
	port = ntohs(a.in.sin_port);
	close(fd); /* bound, never listened, closed: nobody answers there */
	return port;
}

static void test_pg_unreachable(void **state)
{
	struct mmis_error err;
	struct store *s = (struct store *)(uintptr_t)1;
	char url[256], port[16];
	int p = closed_port();

	(void)state;
	fmt(port, sizeof(port), "%d", p);
	fmt(url, sizeof(url), "postgres://mmis:%s@127.0.0.1:%d/mmis?password=%s&connect_timeout=2",
		 secret, p, secret);
	assert_int_equal(store_open(url, 0, &s, &err), MMIS_EDB);
	assert_null(s);
	assert_null(strchr(err.message, '\n'));
	assert_null(strstr(err.message, secret));
	assert_non_null(strstr(err.message, "127.0.0.1"));
	assert_non_null(strstr(err.message, port));
	assert_non_null(strstr(err.message, "postgres://mmis@127.0.0.1"));

	/* libpq quotes a URL it cannot parse: the password must not come along */
	fmt(url, sizeof(url), "postgres://mmis:%s@[::1/mmis", secret);
	assert_int_equal(store_open(url, 0, &s, &err), MMIS_EDB);
	assert_null(strstr(err.message, secret));
	assert_null(strchr(err.message, '\n'));
	fmt(url, sizeof(url), "postgresql://mmis:Sup3r%%53cret@127.0.0.1:%d/mmis?x=%%zz", p);
	assert_int_equal(store_open(url, 0, &s, &err), MMIS_EDB);
	assert_null(strstr(err.message, "Sup3r%53cret"));
	assert_null(strstr(err.message, secret));
}

/* `url` with ":secret" after the user name (the URL must have one). */
static void with_password(const char *url, char *out, size_t cap)
{
	const char *auth = strstr(url, "://") + 3, *at = strchr(auth, '@');

	assert_non_null(at);
	fmt(out, cap, "%.*s:%s%s", (int)(at - url), url, secret, at);
}

static void test_pg_display_url(void **state)
{
	struct mmis_error err;
	char url[PATH_MAX + 64], want[PATH_MAX + 64];
	struct store *s;
	const char *sep;
	char *v;

	(void)state;
	/* under `trust` the server ignores passwords, so these connect */
	with_password(T.url, url, sizeof(url));
	OK(store_open(url, 0, &s, &err));
	assert_string_equal(store_display_url(s), T.url);
	store_close(s);

	sep = strchr(T.url, '?') ? "&" : "?";
	fmt(url, sizeof(url), "%s%spassword=%s&application_name=mmis_test", T.url, sep, secret);
	fmt(want, sizeof(want), "%s%sapplication_name=mmis_test", T.url, sep);
	OK(store_open(url, 0, &s, &err));
	assert_string_equal(store_display_url(s), want);
	v = query_text(s, "SELECT current_setting('application_name')");
	assert_string_equal(v, "mmis_test");
	free(v);
	store_close(s);

	fmt(url, sizeof(url), "%s%sapplication_name=x&password=%s&sslpassword=%s", T.url, sep, secret,
		 secret);
	fmt(want, sizeof(want), "%s%sapplication_name=x", T.url, sep);
	OK(store_open(url, 0, &s, &err));
	assert_string_equal(store_display_url(s), want);
	store_close(s);
}

static void test_pg_session_settings(void **state)
{
	struct store *s = open_db();
	char *v;

	(void)state;
	v = query_text(s, "SHOW TimeZone");
	assert_string_equal(v, "UTC");
	free(v);
	v = query_text(s, "SHOW client_encoding");
	assert_string_equal(v, "UTF8");
	free(v);
	v = query_text(s, "SELECT current_setting('application_name')");
	assert_string_equal(v, "mmis");
	free(v);
	store_close(s);
}

/* PostgreSQL fails the whole transaction after an error: a commit then is an error, not silence. */
static void test_pg_commit_after_error(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();

	(void)state;
	exec_ok(s, "CREATE TABLE ca_t (k BIGINT PRIMARY KEY)");
	insert_k(s, "ca_t", 1, MMIS_OK);
	OK(store_begin(s, &err));
	insert_k(s, "ca_t", 2, MMIS_OK);
	insert_k(s, "ca_t", 1, MMIS_ECONFLICT);
	assert_int_equal(store_commit(s, &err), MMIS_EDB);
	assert_non_null(strstr(err.message, "rolled back"));
	assert_int_equal(store_tx_depth(s), 0);
	assert_int_equal(count_rows(s, "ca_t"), 1);

	/* the same inside a savepoint: the savepoint goes, the transaction goes on */
	OK(store_begin(s, &err));
	insert_k(s, "ca_t", 3, MMIS_OK);
	OK(store_begin(s, &err));
	insert_k(s, "ca_t", 1, MMIS_ECONFLICT);
	assert_int_equal(store_commit(s, &err), MMIS_EDB);
	assert_int_equal(store_tx_depth(s), 1);
	insert_k(s, "ca_t", 4, MMIS_OK);
	OK(store_commit(s, &err));
	assert_int_equal(count_rows(s, "ca_t"), 3);
	store_close(s);
}

static void test_pg_placeholders_quoting(void **state)
{
	struct mmis_error err;
	struct store *s = open_db();
	struct store_stmt *st;
	bool row;

	(void)state;
	OK(store_prepare(s, "SELECT E'\\'?' AS a, $$ ? $$ AS b, $tag$ '?' $tag$ AS c, ? AS d, "
			    "/* nested /* ? */ ? */ ? AS e", &st, &err));
	OK(store_bind_text(st, 1, "one"));
	OK(store_bind_text(st, 2, "two"));
	OK(store_step(st, &row, &err));
	assert_true(row);
	assert_string_equal(store_column_text(st, 0), "'?");
	assert_string_equal(store_column_text(st, 1), " ? ");
	assert_string_equal(store_column_text(st, 2), " '?' ");
	assert_string_equal(store_column_text(st, 3), "one");
	assert_string_equal(store_column_text(st, 4), "two");
	store_finalize(st);
	store_close(s);
}

/* ---- main ---- */

static void test_pg_url_missing(void **state)
{
	(void)state;
	fail_msg("MMIS_TEST_PG_URL is not set: run the tests through tests/run.sh");
}

static void test_backend_unknown(void **state)
{
	(void)state;
	fail_msg("MMIS_TEST_BACKEND must be sqlite or postgres, not %s", getenv("MMIS_TEST_BACKEND"));
}

int main(void)
{
	const char *backend = getenv("MMIS_TEST_BACKEND");
	const struct CMUnitTest common[] = {
		cmocka_unit_test(test_open_close),
		cmocka_unit_test(test_backend_of_url),
		cmocka_unit_test(test_init_from_empty),
		cmocka_unit_test(test_schema_version_empty),
		cmocka_unit_test(test_migrate_idempotent),
		cmocka_unit_test(test_newer_version_refused),
		cmocka_unit_test(test_newer_version_changes_nothing),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_int64_extremes),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_placeholders_in_literals),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_concurrent_writers),
		cmocka_unit_test(test_close_in_transaction),
		cmocka_unit_test(test_savepoints),
		cmocka_unit_test(test_unique_conflict),
		cmocka_unit_test(test_foreign_key_conflict),
		cmocka_unit_test(test_reuse_and_rebind),
		cmocka_unit_test(test_same_text_twice),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_errors_carry_message),
		cmocka_unit_test(test_exec_several),
		cmocka_unit_test(test_prepare_survives_rollback),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_display_url),
		cmocka_unit_test(test_concurrent_init),
	};
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test(test_sqlite_missing_file),
		cmocka_unit_test(test_sqlite_not_a_database),
		cmocka_unit_test(test_sqlite_init_impossible_path),
		cmocka_unit_test(test_sqlite_pragmas),
		cmocka_unit_test(test_sqlite_url_forms),
		cmocka_unit_test(test_sqlite_readonly_places),
	};
	const struct CMUnitTest pg_only[] = {
		cmocka_unit_test(test_pg_unreachable),
		cmocka_unit_test(test_pg_display_url),
		cmocka_unit_test(test_pg_session_settings),
		cmocka_unit_test(test_pg_commit_after_error),
		cmocka_unit_test(test_pg_placeholders_quoting),
	};
	const struct CMUnitTest pg_missing[] = { cmocka_unit_test(test_pg_url_missing) };
	const struct CMUnitTest unknown[] = { cmocka_unit_test(test_backend_unknown) };
	struct CMUnitTest all[sizeof(common) / sizeof(common[0]) + 8];
	size_t n = sizeof(common) / sizeof(common[0]);

	memcpy(all, common, sizeof(common));
	if (!backend || !strcmp(backend, "sqlite")) {
		T.backend = STORE_SQLITE;
		memcpy(all + n, sqlite_only, sizeof(sqlite_only));
		n += sizeof(sqlite_only) / sizeof(sqlite_only[0]);
		return _cmocka_run_group_tests("store-sqlite", all, n, group_setup, group_teardown);
	}
	if (strcmp(backend, "postgres"))
		return cmocka_run_group_tests_name("store", unknown, NULL, NULL);
	T.backend = STORE_POSTGRES;
	T.admin_url = getenv("MMIS_TEST_PG_URL");
	if (!T.admin_url || !*T.admin_url)
		return cmocka_run_group_tests_name("store-postgres", pg_missing, NULL, NULL);
	memcpy(all + n, pg_only, sizeof(pg_only));
	n += sizeof(pg_only) / sizeof(pg_only[0]);
	return _cmocka_run_group_tests("store-postgres", all, n, group_setup, group_teardown);
}
