/*
 * store.h - the one interface to the database. Domain code sees only this header: it never
 * includes sqlite3.h or libpq-fe.h.
 *
 * Backends:
 *   SQLite      the embedded default, for one office or one border crossing point. A URL is a file
 *               path ("./mmis.db", "/var/lib/mmis/mmis.db"), "sqlite:PATH", or an SQLite "file:" URI.
 *               Opened with WAL, foreign keys on, a busy timeout, and synchronous=FULL so that a
 *               committed transaction survives a power cut (see docs/operations.md).
 *   PostgreSQL  the central deployment for many sites: "postgres://user@host:port/db" or
 *               "postgresql://...", any libpq connection URI.
 *
 * SQL is written once, in the common subset of the two dialects, with `?` placeholders; the
 * PostgreSQL backend turns them into $1, $2, ... (outside quotes and comments). Booleans are
 * BOOLEAN columns bound with store_bind_bool; binary data is BLOB in SQLite and BYTEA in
 * PostgreSQL (migrations choose with a dialect block, see store_migrate).
 *
 * A `struct store` is one connection: use it from one thread at a time. Statements belong to their
 * store and must be finalized before it is closed. Statements may be interleaved (a row loop over
 * one while another executes).
 *
 *     struct store_stmt *st;
 *     bool row;
 *     if (store_prepare(s, "SELECT id, name FROM agency WHERE kind = ?", &st, err)) return ...;
 *     store_bind_text(st, 1, "police");
 *     while (!(rc = store_step(st, &row, err)) && row)
 *         use(store_column_text(st, 0), store_column_text(st, 1));
 *     store_finalize(st);
 */
#ifndef MMIS_STORE_H
#define MMIS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmis/err.h"

struct store;
struct store_stmt;

enum store_backend {
	STORE_SQLITE = 0,
	STORE_POSTGRES = 1,
};

enum store_open_flags {
	STORE_OPEN_CREATE = 1 << 0, /* SQLite: create the file when missing (only `mmis init` does) */
	STORE_OPEN_READONLY = 1 << 1, /* refuse writes */
};

/* The default database when neither --db nor $MMIS_DB is given. */
#define STORE_DEFAULT_URL "./mmis.db"

/* Which backend a URL names (no connection is made). */
enum store_backend store_backend_of_url(const char *url);

/*
 * Open a connection. Without STORE_OPEN_CREATE a missing SQLite file is MMIS_ENOTFOUND ("no
 * database at ./mmis.db (run `mmis init` to create one)"); a file that is not an SQLite database, an unreachable
 * PostgreSQL server, a refused password, a read-only directory: MMIS_EDB or MMIS_EIO with one line
 * naming the problem. Passwords in URLs never appear in messages. Nothing is left behind on failure.
 */
enum mmis_err store_open(const char *url, unsigned flags, struct store **out, struct mmis_error *err);

/* Close the connection; outstanding statements must be finalized. NULL is allowed. */
void store_close(struct store *s);

enum store_backend store_backend(const struct store *s);
const char *store_backend_name(const struct store *s); /* "sqlite" or "postgres" */

/* The URL the store was opened with, password removed (for messages and `mmis db status`). */
const char *store_display_url(const struct store *s);

/* The text of the last error the backend reported on this connection ("" when none). */
const char *store_errmsg(const struct store *s);

/*
 * Transactions. store_begin at depth 0 starts a transaction (SQLite: BEGIN IMMEDIATE, so writers
 * queue instead of deadlocking); nested calls make savepoints, so a library function can wrap its
 * work in begin/commit whether or not its caller already has a transaction. store_commit and
 * store_rollback end the innermost level.
 */
enum mmis_err store_begin(struct store *s, struct mmis_error *err);
/* A commit that fails rolls its level back, so "rollback on error, else commit" never leaves a
 * transaction open. */
enum mmis_err store_commit(struct store *s, struct mmis_error *err);
enum mmis_err store_rollback(struct store *s, struct mmis_error *err);
int store_tx_depth(const struct store *s);

/* Run SQL without parameters or results; several statements separated by `;` are allowed. */
enum mmis_err store_exec(struct store *s, const char *sql, struct mmis_error *err);

/*
 * Prepare one statement (several statements in one text are refused). Statements are cached per connection by their SQL text, so preparing the
 * same text again is cheap.
 */
enum mmis_err store_prepare(struct store *s, const char *sql, struct store_stmt **out,
			    struct mmis_error *err);

/* Release a statement. NULL is allowed. */
void store_finalize(struct store_stmt *st);

/* Binds; `idx` is 1-based. A NULL text or blob binds SQL NULL. The value is copied. */
enum mmis_err store_bind_text(struct store_stmt *st, int idx, const char *value);
enum mmis_err store_bind_int64(struct store_stmt *st, int idx, int64_t value);
enum mmis_err store_bind_double(struct store_stmt *st, int idx, double value);
enum mmis_err store_bind_bool(struct store_stmt *st, int idx, bool value);
enum mmis_err store_bind_blob(struct store_stmt *st, int idx, const void *data, size_t len);
enum mmis_err store_bind_null(struct store_stmt *st, int idx);

/*
 * Execute on the first call, then move to the next row: *row is true while a row is available.
 * Errors (connection, SQL, ...) are MMIS_EDB with the backend's message; an integrity violation
 * (unique, foreign key, NOT NULL, CHECK) is MMIS_ECONFLICT; a lock or serialisation failure
 * MMIS_EBUSY. Binding after stepping restarts the statement.
 *
 * PostgreSQL aborts the whole transaction on any failed statement, SQLite does not: code that
 * expects a statement may fail (an insert that may conflict) and wants to go on must wrap it in
 * its own nested store_begin / store_rollback.
 */
enum mmis_err store_step(struct store_stmt *st, bool *row, struct mmis_error *err);

/* Execute a statement that returns no rows (or ignore them): bind, step to the end, reset. */
enum mmis_err store_run(struct store_stmt *st, struct mmis_error *err);

/* Make the statement ready to execute again; binds are kept until rebound or cleared. */
void store_reset(struct store_stmt *st);
void store_clear_bindings(struct store_stmt *st);

/* Rows changed by the last INSERT, UPDATE or DELETE executed by this statement. */
int64_t store_changes(const struct store_stmt *st);

/*
 * Columns of the current row; `col` is 0-based. Count and names are known after the first step
 * (PostgreSQL learns them only then). Text and blob pointers are valid until the next
 * step, reset or finalize. A NULL value reads as NULL text, 0, 0.0, false, or a NULL blob.
 */
int store_column_count(const struct store_stmt *st);
const char *store_column_name(const struct store_stmt *st, int col);
bool store_column_is_null(const struct store_stmt *st, int col);
const char *store_column_text(const struct store_stmt *st, int col);
int64_t store_column_int64(const struct store_stmt *st, int col);
double store_column_double(const struct store_stmt *st, int col);
bool store_column_bool(const struct store_stmt *st, int col);
const void *store_column_blob(const struct store_stmt *st, int col, size_t *len);

/*
 * Migrations: numbered SQL files lib/store/migrations/NNNN_name.sql, built into the binary and
 * applied in order, each in one transaction with its row in `schema_migrations`. Running them
 * again changes nothing. A database whose version is newer than this binary knows is refused with
 * MMIS_EVERSION before anything is changed.
 *
 * Dialect blocks: lines between "-- dialect: sqlite" (or "postgres") and "-- dialect: end" are
 * applied on that backend only; everything else on both.
 */
struct store_migration {
	int version;      /* NNNN */
	const char *name; /* the file name without number and extension */
	const char *sql;
};

/* The migrations this binary knows, in order, and how many. */
const struct store_migration *store_migrations(size_t *count);

/* The newest schema version this binary knows. */
int store_schema_latest(void);

/* The database's schema version (0 for an empty database). */
enum mmis_err store_schema_version(struct store *s, int *version, struct mmis_error *err);

/* Apply every pending migration. *from and *to (may be NULL) receive the versions before and after. */
enum mmis_err store_migrate(struct store *s, int *from, int *to, struct mmis_error *err);

/*
 * Create (or upgrade) a database: open with STORE_OPEN_CREATE and migrate. When it creates a
 * new SQLite file and then fails, it removes the file again: nothing is left half-made.
 */
enum mmis_err store_init(const char *url, struct store **out, int *from, int *to,
			 struct mmis_error *err);

#endif
