/*
 * match_bench.c - the identity-matching engine (match.h) driven through its C API, and
 * PostgreSQL's pg_trgm on the same names as the baseline, for bench/match/eval.py.
 *
 * usage:
 *   match_bench screen LIST.csv QUERIES.jsonl OUT.tsv LIMIT T1 [T2 ...]
 *       Build an index of the alert list (bench/match/gen.py's list.csv: id,name,aliases,
 *       birth_date,nationality,document_number; no quoting, ';' between values), then search it
 *       once per threshold with every query of QUERIES.jsonl ({"id","name","birth_date",
 *       "nationality","sex"}), one core, each search timed alone. OUT.tsv gets the hits of the
 *       first pass: "query id <TAB> microseconds <TAB> entry:score;entry:score..."; OUT.tsv.lat
 *       every pass's time: "query id <TAB> microseconds <TAB> microseconds ...".
 *   match_bench compare LIST.csv QUERIES.jsonl OUT.jsonl
 *       For every query with an "expect", match_compare against that entry (no index): the
 *       score and the reasons, whatever the threshold. Tells a missed candidate from a low score.
 *   match_bench normalise LIST.csv QUERIES.jsonl NAMES.tsv QNAMES.tsv
 *       The engine's normalised names ("entry <TAB> name" for every name and alias; "query <TAB>
 *       name", empty when the name does not normalise), for the pg_trgm baseline.
 *   match_bench pgtrgm URL NAMES.tsv QNAMES.tsv OUT.tsv LIMIT T1 [T2 ...]
 *       Load NAMES.tsv into PostgreSQL (table bench_name; "-": the one loaded by an earlier
 *       run), a GIN index with gin_trgm_ops, then per threshold
 *       (pg_trgm.similarity_threshold) and query: SELECT entry, max(similarity(name, $1)) ...
 *       WHERE name % $1 GROUP BY entry ORDER BY 2 DESC LIMIT k, timed from the client.
 *   match_bench dedup PERSONS.csv THREADS THRESHOLD OUT.tsv
 *       Index the person records (id,name,birth_date,sex,nationality,document_number,...) and
 *       run match_dedup; OUT.tsv gets "id <TAB> id <TAB> score" for every pair found.
 *
 * Each mode prints one JSON object of figures on stdout (times, percentiles, memory: the
 * index's own count from match_index_memory and the process's peak resident set, VmHWM).
 * The list is read line by line and only the ids are kept, so the peak RSS is the engine's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "mmis/arena.h"
#include "mmis/match.h"
#include "mmis/strbuf.h"

#define MAX_VALUES 16

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the calling thread: what a search costs even when other processes share the cores. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (every thread). */
static double process_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("match_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory");
	return q;
}

/* The process's peak resident set (VmHWM) in kB, or -1. */
static long vm_hwm_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/* Split `s` in place at `sep`; at most `max` fields; returns their number. */
static size_t split(char *s, char sep, char **fields, size_t max)
{
	size_t n = 0;

	for (;;) {
		if (n == max)
			return n + 1; /* too many: the caller refuses */
		fields[n++] = s;
		char *p = strchr(s, sep);
		if (!p)
			return n;
		*p = '\0';
		s = p + 1;
	}
}

/* Values separated by ';' (none when empty). */
static size_t values(char *s, const char **out)
{
	char *v[MAX_VALUES];
	size_t n;

	if (!*s)
		return 0;
	n = split(s, ';', v, MAX_VALUES);
	if (n > MAX_VALUES)
		die("more than %d values in '%s'", MAX_VALUES, s);
	for (size_t i = 0; i < n; i++)
		out[i] = v[i];
	return n;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* ---- the alert list */

struct list_row {
	char *id;
	const char *names[MAX_VALUES + 1];
	const char *dates[1];
	const char *nats[MAX_VALUES];
	const char *docs[1];
	struct match_record r;
};

/* Parse one line of list.csv into `row` (pointing into `line`). */
static void list_parse(char *line, struct list_row *row, long lineno)
{
	char *f[6];
	const char *aliases[MAX_VALUES];
	size_t na;

	chomp(line);
	if (split(line, ',', f, 6) != 6)
		die("list line %ld: expected 6 fields", lineno);
	row->id = f[0];
	row->names[0] = f[1];
	na = values(f[2], aliases);
	for (size_t i = 0; i < na; i++)
		row->names[1 + i] = aliases[i];
	memset(&row->r, 0, sizeof(row->r));
	row->r.names = row->names;
	row->r.n_names = 1 + na;
	if (*f[3]) {
		row->dates[0] = f[3];
		row->r.birth_dates = row->dates;
		row->r.n_birth_dates = 1;
	}
	row->r.n_nationalities = values(f[4], row->nats);
	row->r.nationalities = row->nats;
	if (*f[5]) {
		row->docs[0] = f[5];
		row->r.documents = row->docs;
		row->r.n_documents = 1;
	}
}

struct ids {
	char **v;
	size_t n, cap;
	struct arena *a;
};

static uint32_t ids_add(struct ids *ids, const char *id)
{
	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 4096;
		ids->v = xrealloc(ids->v, ids->cap * sizeof(*ids->v));
	}
	ids->v[ids->n] = arena_strdup(ids->a, id);
	if (!ids->v[ids->n])
		die("out of memory");
	return (uint32_t)ids->n++;
}

/* Build an index of LIST; the entries' ids in `ids` (index id = position). */
static struct match_index *list_index(const char *path, struct ids *ids, double *build_s,
				      size_t *refused)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	struct match_index *ix;
	struct list_row row;
	struct mmis_error err;
	double t0;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (!(ix = match_index_new()))
		die("out of memory");
	*refused = 0;
	t0 = now_s();
	while (getline(&line, &cap, f) > 0) {
		if (++lineno == 1)
			continue; /* header */
		list_parse(line, &row, lineno);
		uint32_t id = ids_add(ids, row.id);
		enum mmis_err e = match_index_add(ix, id, &row.r, &err);
		if (e == MMIS_EINVAL)
			(*refused)++;
		else if (e)
			die("%s line %ld: %s", path, lineno, mmis_error_text(&err));
	}
	free(line);
	fclose(f);
	if (match_index_build(ix, &err))
		die("match_index_build: %s", mmis_error_text(&err));
	*build_s = now_s() - t0;
	return ix;
}

/* ---- queries */

struct query {
	const char *id, *name, *birth_date, *nationality, *sex, *expect;
	struct match_record r;
};

static const char *jstr(struct arena *a, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (!json_is_string(v))
		return NULL;
	if (!(s = arena_strdup(a, json_string_value(v))))
		die("out of memory");
	return s;
}

static struct query *queries_read(const char *path, struct arena *a, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, qcap = 0;
	struct query *q = NULL;
	json_error_t jerr;

	if (!f)
		die("%s: %s", path, strerror(errno));
	*n = 0;
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, &jerr);
		if (!o)
			die("%s line %zu: %s", path, *n + 1, jerr.text);
		if (*n == qcap) {
			qcap = qcap ? qcap * 2 : 1024;
			q = xrealloc(q, qcap * sizeof(*q));
		}
		struct query *x = &q[(*n)++];
		memset(x, 0, sizeof(*x));
		x->id = jstr(a, o, "id");
		x->name = jstr(a, o, "name");
		x->birth_date = jstr(a, o, "birth_date");
		x->nationality = jstr(a, o, "nationality");
		x->sex = jstr(a, o, "sex");
		x->expect = jstr(a, o, "expect");
		json_decref(o);
		if (!x->id || !x->name)
			die("%s line %zu: no id or name", path, *n);
	}
	free(line);
	fclose(f);
	/* The records point into the array: set them once it no longer moves. */
	for (size_t i = 0; i < *n; i++) {
		struct query *x = &q[i];
		x->r.names = &x->name;
		x->r.n_names = 1;
		x->r.birth_dates = &x->birth_date;
		x->r.n_birth_dates = x->birth_date ? 1 : 0;
		x->r.nationalities = &x->nationality;
		x->r.n_nationalities = x->nationality ? 1 : 0;
		x->r.sex = x->sex;
	}
	return q;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct timing {
	double median, p90, p99, max, mean;
};

static struct timing percentiles(double *t, size_t n)
{
	struct timing r = { 0 };
	double sum = 0;

	if (!n)
		return r;
	for (size_t i = 0; i < n; i++)
		sum += t[i];
	qsort(t, n, sizeof(*t), cmp_double);
	r.median = t[n / 2];
	r.p90 = t[n * 90 / 100];
	r.p99 = t[n * 99 / 100];
	r.max = t[n - 1];
	r.mean = sum / (double)n;
	return r;
}

static json_t *timing_json(struct timing t)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f}", "median_us", t.median, "p90_us", t.p90, "p99_us",
			 t.p99, "max_us", t.max, "mean_us", t.mean);
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!s)
		die("out of memory");
	puts(s);
	free(s);
	json_decref(o);
}

static double parse_threshold(const char *s)
{
	char *end;
	double t = strtod(s, &end);
	if (*end || t < 0 || t > 1)
		die("threshold '%s' is not a number in [0, 1]", s);
	return t;
}

static size_t parse_size(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 1000000)
		die("%s '%s' is not a number from 1 to 1000000", what, s);
	return (size_t)v;
}

static void write_latencies(const char *out, const struct query *q, size_t nq, const double *lat,
			    size_t npass)
{
	char path[4096];
	FILE *o;

	snprintf(path, sizeof(path), "%s.lat", out);
	if (!(o = fopen(path, "w")))
		die("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < nq; i++) {
		fputs(q[i].id, o);
		for (size_t p = 0; p < npass; p++)
			fprintf(o, "\t%.1f", lat[i * npass + p]);
		fputc('\n', o);
	}
	if (fclose(o))
		die("%s: write failed", path);
}

static int cmd_screen(int argc, char **argv)
{
	struct ids ids = { .a = arena_new(1 << 20) };
	struct arena *qa = arena_new(1 << 20);
	struct match_index *ix;
	struct query *q;
	size_t nq, limit, refused;
	double build_s;
	long hwm_start = vm_hwm_kb();
	json_t *out, *passes = json_array();

	if (argc < 6)
		die("usage: match_bench screen LIST.csv QUERIES.jsonl OUT.tsv LIMIT T1 [T2 ...]");
	limit = parse_size(argv[4], "LIMIT");
	q = queries_read(argv[2], qa, &nq);
	ix = list_index(argv[1], &ids, &build_s, &refused);
	long hwm_built = vm_hwm_kb();

	struct match_hit *hits = xrealloc(NULL, limit * sizeof(*hits));
	size_t npass = (size_t)(argc - 5);
	double *t = xrealloc(NULL, nq * sizeof(*t));
	double *ct = xrealloc(NULL, nq * sizeof(*ct));
	double *lat = xrealloc(NULL, nq * npass * sizeof(*lat));
	for (int p = 5; p < argc; p++) {
		double threshold = parse_threshold(argv[p]);
		FILE *o = NULL;
		size_t failed = 0, with_hits = 0, total_hits = 0;

		if (p == 5 && !(o = fopen(argv[3], "w")))
			die("%s: %s", argv[3], strerror(errno));
		for (size_t i = 0; i < nq; i++) {
			struct mmis_error err;
			size_t n = 0;
			double c0 = cpu_s(), t0 = now_s();
			enum mmis_err e = match_index_search(ix, &q[i].r, threshold, limit, hits, &n, &err);
			/* Freeing the reasons is part of a search's cost; ids and scores stay. */
			match_hits_free(hits, e ? 0 : n);
			double t1 = now_s(), c1 = cpu_s();
			t[i] = (t1 - t0) * 1e6;
			ct[i] = (c1 - c0) * 1e6;
			lat[i * npass + (size_t)(p - 5)] = t[i];
			if (e) {
				failed++;
				n = 0;
			}
			with_hits += n > 0;
			total_hits += n;
			if (o) {
				fprintf(o, "%s\t%.1f\t", q[i].id, t[i]);
				for (size_t k = 0; k < n; k++)
					fprintf(o, "%s%s:%.4f", k ? ";" : "", ids.v[hits[k].id],
						hits[k].score);
				fputc('\n', o);
			}
		}
		if (o && fclose(o))
			die("%s: write failed", argv[3]);
		json_t *pj = timing_json(percentiles(t, nq));
		json_object_set_new(pj, "cpu", timing_json(percentiles(ct, nq)));
		json_object_set_new(pj, "threshold", json_real(threshold));
		json_object_set_new(pj, "queries", json_integer((json_int_t)nq));
		json_object_set_new(pj, "refused", json_integer((json_int_t)failed));
		json_object_set_new(pj, "with_hits", json_integer((json_int_t)with_hits));
		json_object_set_new(pj, "hits", json_integer((json_int_t)total_hits));
		json_array_append_new(passes, pj);
	}
	write_latencies(argv[3], q, nq, lat, npass);
	free(lat);
	out = json_pack("{s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:o}", "entries", (json_int_t)ids.n,
			"refused_entries", (json_int_t)refused, "build_s", build_s, "index_bytes",
			(json_int_t)match_index_memory(ix), "vmhwm_start_kb", (json_int_t)hwm_start,
			"vmhwm_built_kb", (json_int_t)hwm_built, "vmhwm_end_kb",
			(json_int_t)vm_hwm_kb(), "passes", passes);
	print_json(out);
	free(hits);
	free(t);
	free(ct);
	free(q);
	free(ids.v);
	arena_free(ids.a);
	arena_free(qa);
	match_index_free(ix);
	return 0;
}

/* The whole list in memory, for compare. */
struct list_mem {
	struct list_row *rows;
	size_t n;
	char **lines;
};

static void list_load(const char *path, struct list_mem *m)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, rcap = 0;
	long lineno = 0;

	if (!f)
		die("%s: %s", path, strerror(errno));
	memset(m, 0, sizeof(*m));
	while (getline(&line, &cap, f) > 0) {
		if (++lineno == 1)
			continue;
		if (m->n == rcap) {
			rcap = rcap ? rcap * 2 : 4096;
			m->rows = xrealloc(m->rows, rcap * sizeof(*m->rows));
			m->lines = xrealloc(m->lines, rcap * sizeof(*m->lines));
		}
		m->lines[m->n] = strdup(line);
		if (!m->lines[m->n])
			die("out of memory");
		list_parse(m->lines[m->n], &m->rows[m->n], lineno);
		m->n++;
	}
	free(line);
	fclose(f);
	/* Rows moved with realloc: point their records at their own arrays again. */
	for (size_t i = 0; i < m->n; i++) {
		struct list_row *r = &m->rows[i];
		r->r.names = r->names;
		if (r->r.n_birth_dates)
			r->r.birth_dates = r->dates;
		r->r.nationalities = r->nats;
		if (r->r.n_documents)
			r->r.documents = r->docs;
	}
}

static int cmp_row_id(const void *key, const void *elem)
{
	return strcmp(key, ((const struct list_row *)elem)->id);
}

static int cmd_compare(int argc, char **argv)
{
	struct arena *qa = arena_new(1 << 20);
	struct list_mem m;
	struct query *q;
	size_t nq, compared = 0;
	FILE *o;

	if (argc != 4)
		die("usage: match_bench compare LIST.csv QUERIES.jsonl OUT.jsonl");
	q = queries_read(argv[2], qa, &nq);
	list_load(argv[1], &m);
	if (!(o = fopen(argv[3], "w")))
		die("%s: %s", argv[3], strerror(errno));
	for (size_t i = 0; i < nq; i++) {
		json_t *reasons = NULL;
		if (!q[i].expect)
			continue;
		/* gen.py writes the list in id order. */
		const struct list_row *e = bsearch(q[i].expect, m.rows, m.n, sizeof(*m.rows),
						   cmp_row_id);
		if (!e)
			die("query %s: no entry %s", q[i].id, q[i].expect);
		double s = match_compare(&q[i].r, &e->r, &reasons);
		json_t *line = json_pack("{s:s,s:s,s:f,s:o*}", "id", q[i].id, "expect", q[i].expect,
					 "score", s, "reasons", reasons);
		char *txt = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!txt)
			die("out of memory");
		fprintf(o, "%s\n", txt);
		free(txt);
		json_decref(line);
		compared++;
	}
	if (fclose(o))
		die("%s: write failed", argv[3]);
	print_json(json_pack("{s:I}", "compared", (json_int_t)compared));
	for (size_t i = 0; i < m.n; i++)
		free(m.lines[i]);
	free(m.lines);
	free(m.rows);
	free(q);
	arena_free(qa);
	return 0;
}

static int cmd_normalise(int argc, char **argv)
{
	struct arena *qa = arena_new(1 << 20);
	FILE *f, *o;
	char *line = NULL, norm[MATCH_NORM_MAX];
	size_t cap = 0, names = 0, refused = 0, nq, qrefused = 0;
	long lineno = 0;
	struct list_row row;
	struct mmis_error err;
	struct query *q;
	double t0, list_s;

	if (argc != 5)
		die("usage: match_bench normalise LIST.csv QUERIES.jsonl NAMES.tsv QNAMES.tsv");
	if (!(f = fopen(argv[1], "r")))
		die("%s: %s", argv[1], strerror(errno));
	if (!(o = fopen(argv[3], "w")))
		die("%s: %s", argv[3], strerror(errno));
	t0 = now_s();
	while (getline(&line, &cap, f) > 0) {
		if (++lineno == 1)
			continue;
		list_parse(line, &row, lineno);
		for (size_t i = 0; i < row.r.n_names; i++, names++) {
			if (match_normalise(row.names[i], "name", norm, &err)) {
				refused++;
				continue;
			}
			fprintf(o, "%s\t%s\n", row.id, norm);
		}
	}
	list_s = now_s() - t0;
	free(line);
	fclose(f);
	if (fclose(o))
		die("%s: write failed", argv[3]);
	q = queries_read(argv[2], qa, &nq);
	if (!(o = fopen(argv[4], "w")))
		die("%s: %s", argv[4], strerror(errno));
	for (size_t i = 0; i < nq; i++) {
		if (match_normalise(q[i].name, "name", norm, &err)) {
			qrefused++;
			norm[0] = '\0';
		}
		fprintf(o, "%s\t%s\n", q[i].id, norm);
	}
	if (fclose(o))
		die("%s: write failed", argv[4]);
	print_json(json_pack("{s:I,s:I,s:f,s:I,s:I}", "names", (json_int_t)names, "refused",
			     (json_int_t)refused, "us_per_name",
			     names ? list_s * 1e6 / (double)names : 0.0, "queries", (json_int_t)nq,
			     "queries_refused", (json_int_t)qrefused));
	free(q);
	arena_free(qa);
	return 0;
}

/* ---- pg_trgm */

static void pg_ok(PGconn *c, PGresult *r, const char *what)
{
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN)
		die("%s: %s", what, PQerrorMessage(c));
}

static void pg_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	pg_ok(c, r, sql);
	PQclear(r);
}

static long pg_long(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	long v;
	pg_ok(c, r, sql);
	v = PQntuples(r) ? atol(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	return v;
}

/* COPY the engine's normalised names ("entry <TAB> name" lines) into bench_name. */
static void pg_load(PGconn *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	PGresult *r;

	if (!f)
		die("%s: %s", path, strerror(errno));
	r = PQexec(c, "COPY bench_name (entry, name) FROM STDIN");
	pg_ok(c, r, "COPY");
	PQclear(r);
	while ((len = getline(&line, &cap, f)) > 0)
		if (PQputCopyData(c, line, (int)len) != 1)
			die("COPY: %s", PQerrorMessage(c));
	free(line);
	fclose(f);
	if (PQputCopyEnd(c, NULL) != 1)
		die("COPY: %s", PQerrorMessage(c));
	r = PQgetResult(c);
	pg_ok(c, r, "COPY");
	PQclear(r);
}

static int cmd_pgtrgm(int argc, char **argv)
{
	PGconn *c;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, nq = 0, qcap = 0, limit;
	char **qid = NULL, **qname = NULL;
	double t0, load_s, index_s;
	json_t *passes = json_array();
	char limit_s[32];
	struct strbuf sb;

	if (argc < 7)
		die("usage: match_bench pgtrgm URL NAMES.tsv QNAMES.tsv OUT.tsv LIMIT T1 [T2 ...]");
	limit = parse_size(argv[5], "LIMIT");
	snprintf(limit_s, sizeof(limit_s), "%zu", limit);
	t0 = now_s();
	c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK)
		die("%s: %s", argv[1], PQerrorMessage(c));
	pg_exec(c, "SET client_min_messages = warning");
	load_s = index_s = 0;
	if (strcmp(argv[2], "-")) {
		pg_exec(c, "CREATE EXTENSION IF NOT EXISTS pg_trgm");
		pg_exec(c, "DROP TABLE IF EXISTS bench_name");
		pg_exec(c, "CREATE TABLE bench_name (entry text NOT NULL, name text NOT NULL)");
		pg_load(c, argv[2]);
		load_s = now_s() - t0;
		t0 = now_s();
		pg_exec(c, "SET maintenance_work_mem = '512MB'");
		pg_exec(c, "CREATE INDEX bench_name_trgm ON bench_name USING gin (name gin_trgm_ops)");
		pg_exec(c, "ANALYZE bench_name");
		index_s = now_s() - t0;
	}
	long rows = pg_long(c, "SELECT count(*) FROM bench_name");
	long index_bytes = pg_long(c, "SELECT pg_relation_size('bench_name_trgm')");
	long table_bytes = pg_long(c, "SELECT pg_relation_size('bench_name')");

	if (!(f = fopen(argv[3], "r")))
		die("%s: %s", argv[3], strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		chomp(line);
		char *tab = strchr(line, '\t');
		if (!tab)
			die("%s: no tab on line %zu", argv[3], nq + 1);
		*tab = '\0';
		if (nq == qcap) {
			qcap = qcap ? qcap * 2 : 1024;
			qid = xrealloc(qid, qcap * sizeof(*qid));
			qname = xrealloc(qname, qcap * sizeof(*qname));
		}
		qid[nq] = strdup(line);
		qname[nq] = strdup(tab + 1);
		if (!qid[nq] || !qname[nq])
			die("out of memory");
		nq++;
	}
	fclose(f);
	free(line);

	PGresult *r = PQprepare(c, "q",
				"SELECT entry, max(similarity(name, $1)) AS s FROM bench_name "
				"WHERE name % $1 GROUP BY entry ORDER BY s DESC, entry LIMIT $2",
				2, NULL);
	pg_ok(c, r, "PREPARE");
	PQclear(r);

	/* The floor of any query: one loopback round trip. */
	double *t = xrealloc(NULL, (nq > 1000 ? nq : 1000) * sizeof(*t));
	for (size_t i = 0; i < 1000; i++) {
		double a = now_s();
		PQclear(PQexec(c, "SELECT 1"));
		t[i] = (now_s() - a) * 1e6;
	}
	struct timing rt = percentiles(t, 1000);

	strbuf_init(&sb, 1 << 20);
	for (int p = 6; p < argc; p++) {
		double threshold = parse_threshold(argv[p]);
		FILE *o = NULL;
		size_t with_hits = 0, total_hits = 0;
		char set[64];

		snprintf(set, sizeof(set), "SET pg_trgm.similarity_threshold = %.3f", threshold);
		pg_exec(c, set);
		if (p == 6 && !(o = fopen(argv[4], "w")))
			die("%s: %s", argv[4], strerror(errno));
		for (size_t i = 0; i < nq; i++) {
			const char *params[2] = { qname[i], limit_s };
			size_t n = 0;
			double a = now_s();
			if (*qname[i]) {
				r = PQexecPrepared(c, "q", 2, params, NULL, NULL, 0);
				pg_ok(c, r, "query");
				n = (size_t)PQntuples(r);
			} else {
				r = NULL;
			}
			t[i] = (now_s() - a) * 1e6;
			with_hits += n > 0;
			total_hits += n;
			if (o) {
				strbuf_reset(&sb);
				for (size_t k = 0; k < n; k++)
					strbuf_addf(&sb, "%s%s:%.4f", k ? ";" : "",
						    PQgetvalue(r, (int)k, 0),
						    atof(PQgetvalue(r, (int)k, 1)));
				fprintf(o, "%s\t%.1f\t%s\n", qid[i], t[i], strbuf_str(&sb));
			}
			PQclear(r);
		}
		if (o && fclose(o))
			die("%s: write failed", argv[4]);
		json_t *pj = timing_json(percentiles(t, nq));
		json_object_set_new(pj, "threshold", json_real(threshold));
		json_object_set_new(pj, "queries", json_integer((json_int_t)nq));
		json_object_set_new(pj, "with_hits", json_integer((json_int_t)with_hits));
		json_object_set_new(pj, "hits", json_integer((json_int_t)total_hits));
		json_array_append_new(passes, pj);
	}
	strbuf_release(&sb);
	print_json(json_pack("{s:I,s:f,s:f,s:I,s:I,s:f,s:o}", "names", (json_int_t)rows, "load_s",
			     load_s, "index_s", index_s, "index_bytes", (json_int_t)index_bytes,
			     "table_bytes", (json_int_t)table_bytes, "round_trip_median_us", rt.median,
			     "passes", passes));
	for (size_t i = 0; i < nq; i++) {
		free(qid[i]);
		free(qname[i]);
	}
	free(qid);
	free(qname);
	free(t);
	PQfinish(c);
	return 0;
}

/* ---- de-duplication */

struct pairs {
	FILE *out;
	char **ids;
	size_t n;
};

static enum mmis_err on_pair(void *ctx, uint32_t a, uint32_t b, double score, json_t *reasons)
{
	struct pairs *p = ctx;
	json_decref(reasons);
	fprintf(p->out, "%s\t%s\t%.4f\n", p->ids[a], p->ids[b], score);
	p->n++;
	return MMIS_OK;
}

static int cmd_dedup(int argc, char **argv)
{
	struct ids ids = { .a = arena_new(1 << 20) };
	FILE *f;
	char *line = NULL;
	size_t cap = 0, refused = 0;
	long lineno = 0, hwm_start = vm_hwm_kb();
	struct match_index *ix;
	struct mmis_error err;
	struct pairs pairs = { 0 };
	double t0, build_s, dedup_s, threshold;
	unsigned threads;

	if (argc != 5)
		die("usage: match_bench dedup PERSONS.csv THREADS THRESHOLD OUT.tsv");
	threads = (unsigned)parse_size(argv[2], "THREADS");
	threshold = parse_threshold(argv[3]);
	if (!(f = fopen(argv[1], "r")))
		die("%s: %s", argv[1], strerror(errno));
	if (!(ix = match_index_new()))
		die("out of memory");
	t0 = now_s();
	while (getline(&line, &cap, f) > 0) {
		char *fl[8];
		const char *name[1], *date[1], *nat[1], *doc[1];
		struct match_record r = { 0 };

		if (++lineno == 1)
			continue;
		chomp(line);
		if (split(line, ',', fl, 8) != 8)
			die("%s line %ld: expected 8 fields", argv[1], lineno);
		name[0] = fl[1];
		date[0] = fl[2];
		nat[0] = fl[4];
		doc[0] = fl[5];
		r.names = name;
		r.n_names = 1;
		r.birth_dates = date;
		r.n_birth_dates = *fl[2] != '\0';
		r.sex = *fl[3] ? fl[3] : NULL;
		r.nationalities = nat;
		r.n_nationalities = *fl[4] != '\0';
		r.documents = doc;
		r.n_documents = *fl[5] != '\0';
		uint32_t id = ids_add(&ids, fl[0]);
		enum mmis_err e = match_index_add(ix, id, &r, &err);
		if (e == MMIS_EINVAL)
			refused++;
		else if (e)
			die("%s line %ld: %s", argv[1], lineno, mmis_error_text(&err));
	}
	free(line);
	fclose(f);
	if (match_index_build(ix, &err))
		die("match_index_build: %s", mmis_error_text(&err));
	build_s = now_s() - t0;
	long hwm_built = vm_hwm_kb();

	if (!(pairs.out = fopen(argv[4], "w")))
		die("%s: %s", argv[4], strerror(errno));
	pairs.ids = ids.v;
	double c0 = process_cpu_s();
	t0 = now_s();
	if (match_dedup(ix, threshold, threads, on_pair, &pairs, &err))
		die("match_dedup: %s", mmis_error_text(&err));
	dedup_s = now_s() - t0;
	double dedup_cpu_s = process_cpu_s() - c0;
	if (fclose(pairs.out))
		die("%s: write failed", argv[4]);
	print_json(json_pack("{s:I,s:I,s:f,s:f,s:f,s:i,s:f,s:I,s:I,s:I,s:I,s:I}", "records",
			     (json_int_t)ids.n, "refused", (json_int_t)refused, "build_s", build_s,
			     "dedup_s", dedup_s, "dedup_cpu_s", dedup_cpu_s, "threads", (int)threads,
			     "threshold", threshold,
			     "pairs", (json_int_t)pairs.n, "index_bytes",
			     (json_int_t)match_index_memory(ix), "vmhwm_start_kb",
			     (json_int_t)hwm_start, "vmhwm_built_kb", (json_int_t)hwm_built,
			     "vmhwm_end_kb", (json_int_t)vm_hwm_kb()));
	match_index_free(ix);
	free(ids.v);
	arena_free(ids.a);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} modes[] = {
	{ "screen", cmd_screen },
	{ "compare", cmd_compare },
	{ "normalise", cmd_normalise },
	{ "pgtrgm", cmd_pgtrgm },
	{ "dedup", cmd_dedup },
};

int main(int argc, char **argv)
{
	if (argc >= 2)
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(argv[1], modes[i].name))
				return modes[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "usage: match_bench screen|compare|normalise|pgtrgm|dedup ... "
			"(see bench/match_bench.c)\n");
	return 2;
}
