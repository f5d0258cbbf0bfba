/*
 * backend.h - what store.c (the front) and a backend (sqlite.c, postgres.c) share. Not public.
 *
 * The front owns what is the same everywhere: URL dispatch, transaction depth, the statement
 * cache, migrations. A backend fills in a `struct store_ops` and embeds `struct store_stmt` as the
 * first member of its own statement.
 */
#ifndef MMIS_STORE_BACKEND_H
#define MMIS_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmis/store.h"

#define STORE_CACHE_BUCKETS 64

/* One bound parameter, whatever its type: one bind function per backend instead of six. */
enum store_value_type { STORE_NULL, STORE_TEXT, STORE_INT64, STORE_DOUBLE, STORE_BOOL, STORE_BLOB };

struct store_value {
	enum store_value_type type;
	const char *text;   /* STORE_TEXT: NUL-terminated */
	const void *blob;   /* STORE_BLOB: `len` bytes, never NULL */
	size_t len;
	int64_t i;          /* STORE_INT64, STORE_BOOL (0 or 1) */
	double d;
};

struct store_stmt {
	struct store *store;
	char *sql;              /* the cache key; NULL when the statement is not cached */
	size_t hash;
	struct store_stmt *next; /* next in the cache bucket */
	bool busy;              /* handed out by store_prepare and not yet finalized */
	bool stepped;           /* stepped since the last reset */
	int64_t changes;        /* set by the backend when an execution ends */
};

struct store {
	const struct store_ops *ops;
	void *conn;             /* sqlite3 * or the PostgreSQL connection */
	char *display_url;      /* password removed */
	const char *begin_sql;  /* the backend's BEGIN (set by open) */
	unsigned flags;
	int depth;
	char errmsg[MMIS_ERROR_MESSAGE_MAX]; /* the backend's last error text */
	struct store_stmt *cache[STORE_CACHE_BUCKETS];
	size_t ncached;
};

struct store_ops {
	enum store_backend backend;
	const char *name;
	/* SELECT giving a count > 0 when the table named by its one parameter exists. */
	const char *table_exists_sql;
	/* Run inside each migration's transaction to serialise concurrent migrations, or NULL. */
	const char *migrate_lock_sql;

	/* The URL as shown in messages: without passwords (malloc'd; NULL when out of memory). */
	char *(*display_url)(const char *url);
	/* Connect; set s->conn and s->begin_sql. On failure leave nothing behind. */
	enum mmis_err (*open)(struct store *s, const char *url, unsigned flags,
			      struct mmis_error *err);
	/* Disconnect; with `discard`, also remove a database file that this open created. */
	void (*close)(struct store *s, bool discard);
	enum mmis_err (*exec)(struct store *s, const char *sql, struct mmis_error *err);
	/* True when the current transaction failed and can only be rolled back (PostgreSQL). */
	bool (*tx_failed)(struct store *s);
	/* Around a top-level transaction, or NULL: SQLite queues this process's writers on a mutex
	 * per database file, instead of letting them sleep in its busy handler. */
	void (*tx_lock)(struct store *s);
	void (*tx_unlock)(struct store *s);

	/* Allocate a backend statement; `cached` says it will live in the statement cache. */
	enum mmis_err (*prepare)(struct store *s, const char *sql, bool cached,
				 struct store_stmt **out, struct mmis_error *err);
	void (*destroy)(struct store_stmt *st);
	enum mmis_err (*bind)(struct store_stmt *st, int idx, const struct store_value *v);
	enum mmis_err (*step)(struct store_stmt *st, bool *row, struct mmis_error *err);
	void (*reset)(struct store_stmt *st);
	void (*clear_bindings)(struct store_stmt *st);

	int (*column_count)(const struct store_stmt *st);
	const char *(*column_name)(const struct store_stmt *st, int col);
	bool (*column_is_null)(const struct store_stmt *st, int col);
	const char *(*column_text)(const struct store_stmt *st, int col);
	int64_t (*column_int64)(const struct store_stmt *st, int col);
	double (*column_double)(const struct store_stmt *st, int col);
	bool (*column_bool)(const struct store_stmt *st, int col);
	const void *(*column_blob)(const struct store_stmt *st, int col, size_t *len);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_postgres_ops;

/* Record the backend's error text in s->errmsg and fill `err` with it; returns `code`. */
enum mmis_err store__fail(struct store *s, struct mmis_error *err, enum mmis_err code,
			  const char *msg);

#endif
