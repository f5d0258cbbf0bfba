/*
 * testdb.h - fresh databases for the unit tests that run on both backends.
 *
 * The backend comes from MMIS_TEST_BACKEND ("sqlite", the default, or "postgres"). SQLite
 * databases live in a temporary directory; PostgreSQL databases are made on the server named by
 * MMIS_TEST_PG_URL (tests/run.sh starts one) and dropped at the end. Without that URL a
 * PostgreSQL run fails: it is never skipped.
 */
#ifndef MMIS_TESTDB_H
#define MMIS_TESTDB_H

#include <stdbool.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/store.h"

/* Read the environment and make the temporary directory. False (with a message on stderr) when
 * the backend is unknown or PostgreSQL has no server. */
bool testdb_start(void);

/* Remove the temporary directory and drop the PostgreSQL databases. */
void testdb_finish(void);

enum store_backend testdb_backend(void);
const char *testdb_backend_name(void); /* "sqlite" or "postgres" */

/* The temporary directory (for key files and the like). */
const char *testdb_dir(void);

/* A new, migrated database, opened; fails the test on error. Its URL is in *url when not NULL
 * (valid until testdb_finish). */
struct store *testdb_fresh(const char **url);

/* Run SQL on a store, failing the test on error. */
void testdb_exec(struct store *s, const char *sql);

/* The first column of the first row of `sql` as an integer, failing the test on error. */
long long testdb_int(struct store *s, const char *sql);

/* A fresh database (testdb_fresh; its URL in *url when not NULL) in cx->store, a random audit key
 * in *key (cx->audit_key), and the system actor in *sys. */
struct store *testdb_open_ctx(struct mmis_ctx *cx, struct audit_key *key, struct actor *sys,
			      const char **url);

/* Verify the audit chain of `s` under `key`, check that no transaction is open, and close it;
 * fails the test otherwise. */
void testdb_close_verified(struct store *s, const struct audit_key *key);

/* Add a user `name` (password TESTDB_PASSWORD) of `role` in agency `agency` (made by `sys` when
 * missing, of `kind`) and fill *out as that user's actor signed in with a token: user and agency
 * ids, username and role. */
void testdb_actor(struct mmis_ctx *cx, const struct actor *sys, const char *name, const char *role,
		  const char *agency, const char *kind, struct actor *out);

/* The usual fixture: a fresh database, a random audit key, a context and the system actor.
 * testdb_setup puts a new one in *state (cmocka setup); testdb_teardown verifies the audit chain,
 * checks no transaction is open, closes the database and frees it. */
struct testdb_fx {
	struct store *s;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys;
};
int testdb_setup(void **state);
int testdb_teardown(void **state);

/* `call` (an enum mmis_err expression filling a `struct mmis_error err` in scope) succeeds, or
 * the test fails with its message. */
#define OK(call)                                                                               \
	do {                                                                                   \
		enum mmis_err ok_rc_ = (call);                                                 \
		if (ok_rc_)                                                                    \
			fail_msg("%s: %s: %s", #call, mmis_strerror(ok_rc_), err.message);    \
	} while (0)

#define TESTDB_PASSWORD "Correct-Horse-Battery-9"

#endif
