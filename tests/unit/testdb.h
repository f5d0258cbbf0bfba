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

#endif
