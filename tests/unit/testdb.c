/* testdb.c - fresh databases for the unit tests that run on both backends (see testdb.h). */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>

#include "testdb.h"

#define MAX_DBS 256

static struct {
	enum store_backend backend;
	const char *admin_url;
	char dir[PATH_MAX];
	char *urls[MAX_DBS];
	char *names[MAX_DBS];
	int n;
} T;

bool testdb_start(void)
{
	const char *b = getenv("MMIS_TEST_BACKEND"), *tmp = getenv("TMPDIR");

	if (sodium_init() < 0)
		return false;
	if (!b || !*b || !strcmp(b, "sqlite")) {
		T.backend = STORE_SQLITE;
	} else if (!strcmp(b, "postgres")) {
		T.backend = STORE_POSTGRES;
		T.admin_url = getenv("MMIS_TEST_PG_URL");
		if (!T.admin_url || !*T.admin_url) {
			fprintf(stderr, "MMIS_TEST_PG_URL is not set: run the tests through tests/run.sh\n");
			return false;
		}
	} else {
		fprintf(stderr, "MMIS_TEST_BACKEND=%s: expected sqlite or postgres\n", b);
		return false;
	}
	snprintf(T.dir, sizeof(T.dir), "%s/mmis-test-auth-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(T.dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", T.dir, strerror(errno));
		return false;
	}
	return true;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void testdb_finish(void)
{
	struct mmis_error err;
	struct store *admin = NULL;
	char sql[200];

	if (T.backend == STORE_POSTGRES && T.n && !store_open(T.admin_url, 0, &admin, &err)) {
		for (int i = 0; i < T.n; i++) {
			snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", T.names[i]);
			if (store_exec(admin, sql, &err))
				fprintf(stderr, "%s: %s\n", sql, err.message);
		}
		store_close(admin);
	}
	for (int i = 0; i < T.n; i++) {
		free(T.urls[i]);
		free(T.names[i]);
	}
	T.n = 0;
	if (T.dir[0])
		nftw(T.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	T.dir[0] = '\0';
}

enum store_backend testdb_backend(void)
{
	return T.backend;
}

const char *testdb_backend_name(void)
{
	return T.backend == STORE_POSTGRES ? "postgres" : "sqlite";
}

const char *testdb_dir(void)
{
	return T.dir;
}

/* `base` with its database (the URL's path) replaced by `db`. */
static void url_with_db(const char *base, const char *db, char *out, size_t cap)
{
	const char *auth = strstr(base, "://");
	const char *path, *rest;

	assert_non_null(auth);
	path = auth + 3 + strcspn(auth + 3, "/?#");
	rest = path + strcspn(path, "?#");
	assert_true((size_t)snprintf(out, cap, "%.*s/%s%s", (int)(path - base), base, db, rest) < cap);
}

struct store *testdb_fresh(const char **url_out)
{
	struct mmis_error err;
	struct store *s = NULL, *admin = NULL;
	char name[64], url[PATH_MAX], sql[128];
	unsigned char rnd[6];

	assert_true(T.n < MAX_DBS);
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(name, sizeof(name), "mmis_test_auth_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5]);
	if (T.backend == STORE_SQLITE) {
		assert_true((size_t)snprintf(url, sizeof(url), "%s/%.64s.db", T.dir, name) < sizeof(url));
	} else {
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		if (store_open(T.admin_url, 0, &admin, &err))
			fail_msg("%s: %s", T.admin_url, err.message);
		if (store_exec(admin, sql, &err))
			fail_msg("%s: %s", sql, err.message);
		store_close(admin);
		url_with_db(T.admin_url, name, url, sizeof(url));
	}
	T.names[T.n] = strdup(name);
	T.urls[T.n] = strdup(url);
	assert_non_null(T.names[T.n]);
	assert_non_null(T.urls[T.n]);
	if (store_init(url, &s, NULL, NULL, &err))
		fail_msg("store_init %s: %s", url, err.message);
	if (url_out)
		*url_out = T.urls[T.n];
	T.n++;
	return s;
}

void testdb_exec(struct store *s, const char *sql)
{
	struct mmis_error err;
	if (store_exec(s, sql, &err))
		fail_msg("%s: %s", sql, err.message);
}

long long testdb_int(struct store *s, const char *sql)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	long long v;

	if (store_prepare(s, sql, &st, &err))
		fail_msg("%s: %s", sql, err.message);
	if (store_step(st, &row, &err))
		fail_msg("%s: %s", sql, err.message);
	assert_true(row);
	v = store_column_int64(st, 0);
	store_finalize(st);
	return v;
}

struct store *testdb_open_ctx(struct mmis_ctx *cx, struct audit_key *key, struct actor *sys,
			      const char **url)
{
	struct store *s = testdb_fresh(url);

	randombytes_buf(key->bytes, sizeof(key->bytes));
	cx->store = s;
	cx->audit_key = key;
	actor_system(sys);
	return s;
}

void testdb_close_verified(struct store *s, const struct audit_key *key)
{
	struct mmis_error err;
	struct audit_verify_result r;

	if (audit_verify(s, key, NULL, &r, &err))
		fail_msg("audit_verify: %s", err.message);
	if (r.bad_seq)
		fail_msg("audit chain broken at %lld: %s", (long long)r.bad_seq, r.reason);
	assert_int_equal(store_tx_depth(s), 0);
	store_close(s);
}

void testdb_actor(struct mmis_ctx *cx, const struct actor *sys, const char *name, const char *role,
		  const char *agency, const char *kind, struct actor *out)
{
	struct mmis_error err;
	char id[UUID_STR_MAX], aid[UUID_STR_MAX] = "";
	struct store_stmt *st;
	bool row = false;

	if (agency_add(cx, sys, agency, agency, kind, aid, &err) == MMIS_ECONFLICT) {
		if (store_prepare(cx->store, "SELECT id FROM agency WHERE code = ?", &st, &err))
			fail_msg("agency %s: %s", agency, err.message);
		store_bind_text(st, 1, agency);
		if (store_step(st, &row, &err) || !row)
			fail_msg("agency %s: %s", agency, row ? err.message : "not found");
		snprintf(aid, sizeof(aid), "%s", store_column_text(st, 0));
		store_finalize(st);
	}
	if (user_add(cx, sys, name, NULL, role, agency, TESTDB_PASSWORD, id, &err))
		fail_msg("user_add %s: %s", name, err.message);
	memset(out, 0, sizeof(*out));
	snprintf(out->user_id, sizeof(out->user_id), "%s", id);
	snprintf(out->username, sizeof(out->username), "%s", name);
	snprintf(out->agency_id, sizeof(out->agency_id), "%s", aid);
	snprintf(out->agency_code, sizeof(out->agency_code), "%s", agency);
	out->role = role_find(role);
	out->via = VIA_TOKEN;
}

int testdb_setup(void **state)
{
	struct testdb_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->s = testdb_open_ctx(&f->cx, &f->key, &f->sys, NULL);
	*state = f;
	return 0;
}

int testdb_teardown(void **state)
{
	struct testdb_fx *f = *state;

	testdb_close_verified(f->s, &f->key);
	free(f);
	return 0;
}
