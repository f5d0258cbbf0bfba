/* sqlite.c - the SQLite backend of the store. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backend.h"

/*
 * One mutex per database file (by device and inode) shared by this process's connections to it.
 * SQLite itself lets a second writer sleep in its busy handler (1, 2, 5, 10 ... 100 ms), which
 * under load turns into long tails; queueing this process's writers on a mutex hands the lock
 * over at once. Writers of other processes still meet SQLite's lock and busy timeout.
 */
struct writer_lock {
	dev_t dev;
	ino_t ino;
	int refs;
	pthread_mutex_t mu;
	struct writer_lock *next;
};

static pthread_mutex_t writer_locks_mu = PTHREAD_MUTEX_INITIALIZER;
static struct writer_lock *writer_locks;

static struct writer_lock *writer_lock_get(const char *file)
{
	struct writer_lock *w;
	struct stat sb;

	if (!file || !*file || stat(file, &sb) != 0)
		return NULL; /* in-memory or vanished: SQLite's own locking is enough */
	pthread_mutex_lock(&writer_locks_mu);
	for (w = writer_locks; w; w = w->next)
		if (w->dev == sb.st_dev && w->ino == sb.st_ino)
			break;
	if (!w && (w = calloc(1, sizeof(*w)))) {
		w->dev = sb.st_dev;
		w->ino = sb.st_ino;
		pthread_mutex_init(&w->mu, NULL);
		w->next = writer_locks;
		writer_locks = w;
	}
	if (w)
		w->refs++;
	pthread_mutex_unlock(&writer_locks_mu);
	return w;
}

static void writer_lock_put(struct writer_lock *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&writer_locks_mu);
	if (--w->refs == 0) {
		for (struct writer_lock **p = &writer_locks; *p; p = &(*p)->next) {
			if (*p == w) {
				*p = w->next;
				break;
			}
		}
		pthread_mutex_destroy(&w->mu);
		free(w);
	}
	pthread_mutex_unlock(&writer_locks_mu);
}

struct sq_conn {
	sqlite3 *db;
	char *created; /* the file this open created, removed again by a discarding close */
	struct writer_lock *wlock; /* NULL for read-only or in-memory connections */
	bool locked;
};

static void sq_tx_lock(struct store *s)
{
	struct sq_conn *c = s->conn;
	if (c->wlock && !c->locked) {
		pthread_mutex_lock(&c->wlock->mu);
		c->locked = true;
	}
}

static void sq_tx_unlock(struct store *s)
{
	struct sq_conn *c = s->conn;
	if (c->wlock && c->locked) {
		c->locked = false;
		pthread_mutex_unlock(&c->wlock->mu);
	}
}

struct sq_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
	int64_t total_before; /* sqlite3_total_changes64 when this execution started */
	bool running;         /* stepped since the last reset */
	bool done;            /* SQLITE_DONE seen: further steps give no row until a reset */
};

static sqlite3 *db_of(const struct store *s)
{
	return ((const struct sq_conn *)s->conn)->db;
}

static const struct {
	int rc; /* primary result code */
	enum mmis_err err;
} sq_errors[] = {
	{ SQLITE_CONSTRAINT, MMIS_ECONFLICT },
	{ SQLITE_BUSY, MMIS_EBUSY },
	{ SQLITE_LOCKED, MMIS_EBUSY },
	{ SQLITE_NOMEM, MMIS_ENOMEM },
	{ SQLITE_TOOBIG, MMIS_ETOOBIG },
	{ SQLITE_RANGE, MMIS_EINVAL },
	{ SQLITE_MISUSE, MMIS_EINVAL },
	{ SQLITE_IOERR, MMIS_EIO },
	{ SQLITE_FULL, MMIS_EIO },
	{ SQLITE_CANTOPEN, MMIS_EIO },
};

static enum mmis_err sq_code(int rc)
{
	for (size_t i = 0; i < sizeof(sq_errors) / sizeof(sq_errors[0]); i++)
		if ((rc & 0xff) == sq_errors[i].rc)
			return sq_errors[i].err;
	return MMIS_EDB;
}

static enum mmis_err sq_fail(struct store *s, int rc, struct mmis_error *err)
{
	return store__fail(s, err, sq_code(rc), sqlite3_errmsg(db_of(s)));
}

static char *sq_display_url(const char *url)
{
	return strdup(url);
}

/* ---- opening ---- */

enum { BUSY_TIMEOUT_MS = 5000 };

/*
 * After the file is open: first, is it an SQLite database at all? synchronous=FULL: in WAL mode
 * NORMAL does not sync the WAL at each commit, so a power cut can lose transactions that were
 * reported committed; FULL syncs it every time, and a crossing recorded at a border must not
 * silently disappear.
 */
static const struct {
	const char *sql;
	bool writes; /* skipped on a read-only connection */
} sq_pragmas[] = {
	{ "SELECT count(*) FROM sqlite_master", false },
	{ "PRAGMA journal_mode = WAL", true },
	{ "PRAGMA synchronous = FULL", false },
	{ "PRAGMA foreign_keys = ON", false },
};

/*
 * Run one statement of the set-up. SQLite does not call the busy handler where waiting could
 * deadlock, as when two connections switch a new file to WAL at once (two `mmis init`), and the
 * loser may also find the old journal already gone: wait and retry here, up to the busy timeout.
 */
static int setup_exec(sqlite3 *db, const char *sql)
{
	int rc;

	for (int waited = 0;; waited += 10) {
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && rc != SQLITE_IOERR_DELETE_NOENT)
			return rc;
		if (waited >= BUSY_TIMEOUT_MS)
			return rc;
		sqlite3_sleep(10);
	}
}

static void remove_files(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	size_t n = strlen(path) + 16;
	char *name = malloc(n);

	if (!name)
		return;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(name, n, "%s%s", path, suffixes[i]);
		unlink(name);
	}
	free(name);
}

static void sq_close(struct store *s, bool discard)
{
	struct sq_conn *c = s->conn;

	if (!c)
		return;
	sq_tx_unlock(s);
	writer_lock_put(c->wlock);
	sqlite3_close_v2(c->db);
	if (discard && c->created)
		remove_files(c->created);
	free(c->created);
	free(c);
	s->conn = NULL;
}

static bool writable(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

/* The directory part of `path` ("." for none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
}

static const char perm_hint[] = " (check the permissions of the file and its directory)";

/*
 * One line for a database that opened but cannot be used: not SQLite at all, or not writable.
 * SQLite says "attempt to write a readonly database" for both an unwritable file and an unwritable
 * directory (where the WAL and its index must be created): find out which.
 */
static enum mmis_err open_failed(struct store *s, const char *name, int rc, struct mmis_error *err)
{
	sqlite3 *db = db_of(s);
	const char *file = sqlite3_db_filename(db, "main");
	int sys = sqlite3_system_errno(db);
	char *dir = file && *file ? dir_of(file) : NULL;
	enum mmis_err code;

	snprintf(s->errmsg, sizeof(s->errmsg), "%s", sqlite3_errmsg(db));
	if ((rc & 0xff) == SQLITE_NOTADB)
		code = mmis_error_set(err, MMIS_EDB, NULL, "%s is not an SQLite database", name);
	else if ((rc & 0xff) == SQLITE_READONLY && file && *file && !writable(file))
		code = mmis_error_set(err, MMIS_EIO, NULL, "cannot open %s: the file is read-only for "
				      "this user (check its permissions)", name);
	else if ((rc & 0xff) == SQLITE_READONLY && dir && !writable(dir))
		code = mmis_error_set(err, MMIS_EIO, NULL, "cannot open %s: its directory is read-only "
				      "for this user, and SQLite must create files there (check its "
				      "permissions)", name);
	else
		code = mmis_error_set(err, sq_code(rc) == MMIS_EDB ? MMIS_EIO : sq_code(rc), NULL,
				      "cannot open %s: %s%s", name,
				      sys ? strerror(sys) : sqlite3_errmsg(db),
				      sys == EACCES || sys == EPERM || sys == EROFS ? perm_hint : "");
	free(dir);
	sq_close(s, true);
	return code;
}

/*
 * Create the missing database file `path` ourselves: SQLite's own attempt reports the errno of its
 * read-only retry (ENOENT) rather than the reason (EACCES, EROFS...). Returns 0, or an errno;
 * EEXIST means that someone else created it meanwhile.
 */
static int create_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static enum mmis_err sq_open(struct store *s, const char *url, unsigned flags, struct mmis_error *err)
{
	const char *name = url, *file;
	int oflags = SQLITE_OPEN_NOMUTEX, rc, e = 0; /* one thread at a time: no SQLite mutex */
	bool uri = false;
	struct sq_conn *c;

	if (!strncmp(url, "sqlite:", 7)) {
		name = url + 7;
		if (!strncmp(name, "//", 2)) /* sqlite:///var/lib/mmis.db */
			name += 2;
	} else if (!strncmp(url, "file:", 5)) {
		oflags |= SQLITE_OPEN_URI;
		uri = true;
	}
	oflags |= (flags & STORE_OPEN_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (!(c = calloc(1, sizeof(*c))))
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory opening %s", name);
	s->conn = c;

	/* Never with SQLITE_OPEN_CREATE at first: we must know whether the file is ours to remove. */
	rc = sqlite3_open_v2(name, &c->db, oflags, NULL);
	if ((rc & 0xff) == SQLITE_CANTOPEN && sqlite3_system_errno(c->db) == ENOENT) {
		if (!(flags & STORE_OPEN_CREATE) || (flags & STORE_OPEN_READONLY)) {
			sq_close(s, false);
			return mmis_error_set(err, MMIS_ENOTFOUND, NULL, "no database at %s "
					      "(run `mmis init` to create one)", name);
		}
		sqlite3_close_v2(c->db);
		c->db = NULL;
		if (!uri && (e = create_file(name)) && e != EEXIST) {
			char *dir = dir_of(name);
			bool no_dir = e == ENOENT && dir && access(dir, F_OK) != 0;
			mmis_error_set(err, MMIS_EIO, NULL, "cannot create %s: %s%s", name,
				       no_dir ? "its directory does not exist" : strerror(e),
				       e == EACCES || e == EPERM || e == EROFS ? perm_hint : "");
			free(dir);
			sq_close(s, false);
			return MMIS_EIO;
		}
		rc = sqlite3_open_v2(name, &c->db, oflags | (uri ? SQLITE_OPEN_CREATE : 0), NULL);
		file = rc == SQLITE_OK ? sqlite3_db_filename(c->db, "main") : NULL;
		if ((uri || !e) && file && *file && !(c->created = strdup(file))) {
			sq_close(s, true);
			return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory opening %s",
					      name);
		}
		if (!uri && !e && !c->created && rc != SQLITE_OK)
			unlink(name); /* ours, and SQLite could not open it after all */
	}
	if (!c->db) {
		sq_close(s, false);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory opening %s", name);
	}
	if (rc != SQLITE_OK)
		return open_failed(s, name, rc, err);
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS); /* writers queue rather than fail */

	for (size_t i = 0; i < sizeof(sq_pragmas) / sizeof(sq_pragmas[0]); i++) {
		if (sq_pragmas[i].writes && (flags & STORE_OPEN_READONLY))
			continue;
		if ((rc = setup_exec(c->db, sq_pragmas[i].sql)) != SQLITE_OK)
			return open_failed(s, name, rc, err);
	}
	/* SQLite quietly opens a write-protected file read-only: say so now, not at the first write */
	if (!(flags & STORE_OPEN_READONLY) && sqlite3_db_readonly(c->db, "main") == 1)
		return open_failed(s, name, SQLITE_READONLY, err);
	/* A read-only connection must not take the write lock that BEGIN IMMEDIATE asks for. */
	s->begin_sql = (flags & STORE_OPEN_READONLY) ? "BEGIN" : "BEGIN IMMEDIATE";
	if (!(flags & STORE_OPEN_READONLY))
		c->wlock = writer_lock_get(sqlite3_db_filename(c->db, "main"));
	return MMIS_OK;
}

static enum mmis_err sq_exec(struct store *s, const char *sql, struct mmis_error *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db_of(s), sql, NULL, NULL, &msg);
	enum mmis_err code;

	if (rc == SQLITE_OK)
		return MMIS_OK;
	code = store__fail(s, err, sq_code(rc), msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return code;
}

/* ---- statements ---- */

static enum mmis_err sq_prepare(struct store *s, const char *sql, bool cached, struct store_stmt **out,
				struct mmis_error *err)
{
	sqlite3 *db = db_of(s);
	sqlite3_stmt *st = NULL, *extra = NULL;
	const char *tail = NULL;
	struct sq_stmt *q;
	int rc = sqlite3_prepare_v3(db, sql, -1, cached ? SQLITE_PREPARE_PERSISTENT : 0, &st, &tail);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err);
	if (!st)
		return store__fail(s, err, MMIS_EINVAL, "no SQL statement to prepare");
	/* Whatever follows must be only blanks and comments: a statement that prepares to nothing. */
	if (tail && *tail &&
	    (sqlite3_prepare_v3(db, tail, -1, 0, &extra, NULL) != SQLITE_OK || extra)) {
		sqlite3_finalize(extra);
		sqlite3_finalize(st);
		return store__fail(s, err, MMIS_EDB, "cannot prepare more than one statement at once");
	}
	if (!(q = calloc(1, sizeof(*q)))) {
		sqlite3_finalize(st);
		return store__fail(s, err, MMIS_ENOMEM, "out of memory preparing a statement");
	}
	q->st = st;
	*out = &q->base;
	return MMIS_OK;
}

static void sq_destroy(struct store_stmt *st)
{
	struct sq_stmt *q = (struct sq_stmt *)st;

	sqlite3_finalize(q->st);
	free(q);
}

static enum mmis_err sq_bind(struct store_stmt *st, int idx, const struct store_value *v)
{
	sqlite3_stmt *q = ((struct sq_stmt *)st)->st;
	int rc = SQLITE_MISUSE;

	switch (v->type) {
	case STORE_NULL:
		rc = sqlite3_bind_null(q, idx);
		break;
	case STORE_TEXT:
		rc = sqlite3_bind_text(q, idx, v->text, -1, SQLITE_TRANSIENT);
		break;
	case STORE_INT64:
	case STORE_BOOL:
		rc = sqlite3_bind_int64(q, idx, v->i);
		break;
	case STORE_DOUBLE:
		rc = sqlite3_bind_double(q, idx, v->d);
		break;
	case STORE_BLOB: /* never a NULL pointer here, so an empty blob stays a blob, not NULL */
		rc = sqlite3_bind_blob64(q, idx, v->blob, v->len, SQLITE_TRANSIENT);
		break;
	}
	if (rc == SQLITE_OK)
		return MMIS_OK;
	snprintf(st->store->errmsg, sizeof(st->store->errmsg), "%s", sqlite3_errstr(rc));
	return sq_code(rc);
}

static enum mmis_err sq_step(struct store_stmt *st, bool *row, struct mmis_error *err)
{
	struct sq_stmt *q = (struct sq_stmt *)st;
	sqlite3 *db = db_of(st->store);
	enum mmis_err code;
	int rc;

	*row = false;
	if (q->done)
		return MMIS_OK;
	if (!q->running) {
		q->running = true;
		q->total_before = sqlite3_total_changes64(db);
		st->changes = 0;
	}
	rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW) {
		*row = true;
		return MMIS_OK;
	}
	if (rc == SQLITE_DONE) {
		/*
		 * sqlite3_changes64 is per connection and is not reset by DDL or SELECT: count it only
		 * when this statement writes and changed something since it started.
		 */
		q->done = true;
		if (!sqlite3_stmt_readonly(q->st) && sqlite3_total_changes64(db) > q->total_before)
			st->changes = sqlite3_changes64(db);
		return MMIS_OK;
	}
	code = sq_fail(st->store, rc, err);
	sqlite3_reset(q->st); /* the next step executes again */
	q->running = false;
	return code;
}

static void sq_reset(struct store_stmt *st)
{
	struct sq_stmt *q = (struct sq_stmt *)st;

	sqlite3_reset(q->st);
	q->running = false;
	q->done = false;
}

static void sq_clear_bindings(struct store_stmt *st)
{
	sqlite3_clear_bindings(((struct sq_stmt *)st)->st);
}

/* ---- columns ---- */

static sqlite3_stmt *sq_st(const struct store_stmt *st)
{
	return ((const struct sq_stmt *)st)->st;
}

static int sq_column_count(const struct store_stmt *st)
{
	return sqlite3_column_count(sq_st(st));
}

static const char *sq_column_name(const struct store_stmt *st, int col)
{
	return sqlite3_column_name(sq_st(st), col);
}

static bool sq_column_is_null(const struct store_stmt *st, int col)
{
	return sqlite3_column_type(sq_st(st), col) == SQLITE_NULL;
}

static const char *sq_column_text(const struct store_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(sq_st(st), col);

	return v || sq_column_is_null(st, col) ? v : "";
}

static int64_t sq_column_int64(const struct store_stmt *st, int col)
{
	return sqlite3_column_int64(sq_st(st), col);
}

static double sq_column_double(const struct store_stmt *st, int col)
{
	return sqlite3_column_double(sq_st(st), col);
}

static bool sq_column_bool(const struct store_stmt *st, int col)
{
	return sqlite3_column_int64(sq_st(st), col) != 0;
}

static const void *sq_column_blob(const struct store_stmt *st, int col, size_t *len)
{
	const void *v = sqlite3_column_blob(sq_st(st), col);
	int n = sqlite3_column_bytes(sq_st(st), col);

	*len = n > 0 ? (size_t)n : 0;
	if (sq_column_is_null(st, col))
		return NULL;
	return v ? v : ""; /* SQLite gives NULL for an empty blob: it is not SQL NULL */
}

const struct store_ops store_sqlite_ops = {
	.backend = STORE_SQLITE,
	.name = "sqlite",
	.table_exists_sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
	.migrate_lock_sql = NULL, /* BEGIN IMMEDIATE already serialises writers */
	.display_url = sq_display_url,
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.tx_failed = NULL,
	.tx_lock = sq_tx_lock,
	.tx_unlock = sq_tx_unlock,
	.prepare = sq_prepare,
	.destroy = sq_destroy,
	.bind = sq_bind,
	.step = sq_step,
	.reset = sq_reset,
	.clear_bindings = sq_clear_bindings,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_is_null = sq_column_is_null,
	.column_text = sq_column_text,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_bool = sq_column_bool,
	.column_blob = sq_column_blob,
};
