/*
 * store_bench.c - what the store interface costs over the raw database API, and what durable
 * commits cost, measured in the same run on the same machine.
 *
 * usage: store_bench SQLITE_DIR [POSTGRES_URL]
 *
 * Prints a Markdown table. Rows of a `crossing`-like shape: a UUIDv7 text key, two texts, an
 * integer and a timestamp, inserted (a) in one transaction, (b) one durable transaction per row.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mmis/date.h"
#include "mmis/store.h"
#include "mmis/uuid.h"

#define CREATE "CREATE TABLE bench_row (id TEXT PRIMARY KEY, person TEXT NOT NULL, " \
	       "bcp TEXT NOT NULL, direction INTEGER NOT NULL, at TEXT NOT NULL)"
#define INSERT "INSERT INTO bench_row (id, person, bcp, direction, at) VALUES (?, ?, ?, ?, ?)"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, msg);
	exit(1);
}

static void row_values(long i, char id[UUID_STR_MAX], char person[UUID_STR_MAX], char at[TIMESTAMP_STR_MAX])
{
	uuid7_new_str(id);
	uuid7_new_str(person);
	timestamp_format(1700000000000LL + i * 1000, at);
}

/* Rows per second through the store interface. */
static double store_rate(const char *url, long n, bool one_tx)
{
	struct mmis_error err;
	struct store *s;
	struct store_stmt *st;
	char id[UUID_STR_MAX], person[UUID_STR_MAX], at[TIMESTAMP_STR_MAX];

	if (store_open(url, STORE_OPEN_CREATE, &s, &err))
		die(url, mmis_error_text(&err));
	store_exec(s, "DROP TABLE IF EXISTS bench_row", &err);
	if (store_exec(s, CREATE, &err))
		die("create", mmis_error_text(&err));
	if (store_prepare(s, INSERT, &st, &err))
		die("prepare", mmis_error_text(&err));
	double t0 = now_s();
	if (one_tx && store_begin(s, &err))
		die("begin", mmis_error_text(&err));
	for (long i = 0; i < n; i++) {
		row_values(i, id, person, at);
		if (!one_tx && store_begin(s, &err))
			die("begin", mmis_error_text(&err));
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, person);
		store_bind_text(st, 3, "MNE-DBR");
		store_bind_int64(st, 4, i & 1);
		store_bind_text(st, 5, at);
		if (store_run(st, &err))
			die("insert", mmis_error_text(&err));
		if (!one_tx && store_commit(s, &err))
			die("commit", mmis_error_text(&err));
	}
	if (one_tx && store_commit(s, &err))
		die("commit", mmis_error_text(&err));
	double dt = now_s() - t0;
	store_finalize(st);
	store_exec(s, "DROP TABLE bench_row", &err);
	store_close(s);
	return (double)n / dt;
}

/* Rows per second through sqlite3's own API with the same settings: the baseline. */
static double sqlite_raw_rate(const char *path, long n, bool one_tx)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char id[UUID_STR_MAX], person[UUID_STR_MAX], at[TIMESTAMP_STR_MAX];

	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			 "DROP TABLE IF EXISTS bench_row;" CREATE, NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, INSERT, -1, &st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	double t0 = now_s();
	if (one_tx)
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (long i = 0; i < n; i++) {
		row_values(i, id, person, at);
		if (!one_tx)
			sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, "MNE-DBR", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, i & 1);
		sqlite3_bind_text(st, 5, at, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(st);
		if (!one_tx)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	if (one_tx)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	double dt = now_s() - t0;
	sqlite3_finalize(st);
	sqlite3_exec(db, "DROP TABLE bench_row", NULL, NULL, NULL);
	sqlite3_close(db);
	return (double)n / dt;
}

/* Several threads, each with its own connection, each committing one row at a time: what the
 * server's workers do when they record crossings concurrently. */
struct writer {
	const char *url;
	long n, base;
};

static void *writer_main(void *p)
{
	struct writer *w = p;
	struct mmis_error err;
	struct store *s;
	struct store_stmt *st;
	char id[UUID_STR_MAX], person[UUID_STR_MAX], at[TIMESTAMP_STR_MAX];

	if (store_open(w->url, 0, &s, &err))
		die(w->url, mmis_error_text(&err));
	for (long i = 0; i < w->n; i++) {
		row_values(w->base + i, id, person, at);
		if (store_begin(s, &err) || store_prepare(s, INSERT, &st, &err))
			die("begin", mmis_error_text(&err));
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, person);
		store_bind_text(st, 3, "MNE-DBR");
		store_bind_int64(st, 4, i & 1);
		store_bind_text(st, 5, at);
		if (store_run(st, &err))
			die("insert", mmis_error_text(&err));
		store_finalize(st);
		if (store_commit(s, &err))
			die("commit", mmis_error_text(&err));
	}
	store_close(s);
	return NULL;
}

static double concurrent_rate(const char *url, int threads, long per_thread)
{
	struct mmis_error err;
	struct store *s;
	pthread_t t[16];
	struct writer w[16];

	if (store_open(url, STORE_OPEN_CREATE, &s, &err))
		die(url, mmis_error_text(&err));
	store_exec(s, "DROP TABLE IF EXISTS bench_row", &err);
	if (store_exec(s, CREATE, &err))
		die("create", mmis_error_text(&err));
	double t0 = now_s();
	for (int i = 0; i < threads; i++) {
		w[i] = (struct writer){ url, per_thread, (long)i * per_thread };
		pthread_create(&t[i], NULL, writer_main, &w[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	double dt = now_s() - t0;
	store_exec(s, "DROP TABLE bench_row", &err);
	store_close(s);
	return (double)threads * (double)per_thread / dt;
}

static void row(const char *what, long n, double rate, double base)
{
	if (base > 0)
		printf("| %s | %ld | %.0f | %.2f |\n", what, n, rate, rate / base);
	else
		printf("| %s | %ld | %.0f | baseline |\n", what, n, rate);
}

int main(int argc, char **argv)
{
	char path[4096];
	long bulk = 200000, durable = 2000;

	if (argc < 2) {
		fprintf(stderr, "usage: store_bench SQLITE_DIR [POSTGRES_URL]\n");
		return 2;
	}
	if (getenv("BENCH_QUICK")) {
		bulk = 20000;
		durable = 200;
	}
	snprintf(path, sizeof(path), "%s/bench.db", argv[1]);
	unlink(path);

	printf("| inserts | rows | rows/s | ratio to raw SQLite |\n| --- | ---: | ---: | ---: |\n");
	double raw_bulk = sqlite_raw_rate(path, bulk, true);
	row("raw sqlite3 API, one transaction", bulk, raw_bulk, 0);
	row("mmis store, SQLite, one transaction", bulk, store_rate(path, bulk, true), raw_bulk);
	double raw_dur = sqlite_raw_rate(path, durable, false);
	row("raw sqlite3 API, one durable commit per row", durable, raw_dur, 0);
	row("mmis store, SQLite, one durable commit per row", durable, store_rate(path, durable, false), raw_dur);
	row("mmis store, SQLite, 8 threads, one durable commit per row", durable,
	    concurrent_rate(path, 8, durable / 8), raw_dur);
	if (argc > 2) {
		row("mmis store, PostgreSQL, one transaction", bulk / 4, store_rate(argv[2], bulk / 4, true), raw_bulk);
		row("mmis store, PostgreSQL, one durable commit per row", durable,
		    store_rate(argv[2], durable, false), raw_dur);
	}
	unlink(path);
	return 0;
}
