/*
 * screen_bench.c - alert lists: how fast `mmis watchlist import` brings in a large list, how long
 * the screening index takes to load, and what screening every crossing costs the border queue
 * (crossings recorded per second with no list, with a 1,000-entry and with a 100,000-entry list).
 *
 * usage: screen_bench DIR [ENTRIES [POSTGRES_URL]]     (ENTRIES default 1000000)
 *
 * Writes DIR/watchlist.csv (ENTRIES synthetic entries: names of two to four parts from syllables,
 * a tenth of them in Cyrillic, aliases, birth dates, nationalities, some document numbers),
 * imports it into a new SQLite database in DIR (and into the PostgreSQL database at POSTGRES_URL
 * when given), loads the screening index from it; then records crossings (crossing_record, one
 * durable transaction each, as the border page does) on fresh SQLite databases holding lists of
 * 0, 1,000 and 100,000 entries. Prints Markdown tables. Everything is synthetic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "mmis/auth.h"
#include "mmis/border.h"
#include "mmis/date.h"
#include "mmis/screen.h"
#include "mmis/store.h"
#include "mmis/rng.h"

#define CROSSINGS 2000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "screen_bench: %s: %s\n", what, msg);
	exit(1);
}

static struct rng rng_state = { 42 };
static uint64_t next(void)
{
	return rng_next(&rng_state);
}
static int below(int n)
{
	return (int)(next() % (uint64_t)n);
}

static const char *const syl[] = { "ka", "lo", "mi", "ra", "se", "to", "vu", "an", "el", "ir",
				   "dra", "gan", "mir", "sla", "vo", "ze", "ha", "mu", "di", "ne",
				   "bo", "ja", "ko", "li", "pe", "sa", "ti", "ve", "zo", "na" };
/* The same syllables in Cyrillic, for a tenth of the entries. */
static const char *const syl_cy[] = { "ка", "ло", "ми", "ра", "се", "то", "ву", "ан", "ел", "ир",
				      "дра", "ган", "мир", "сла", "во", "зе", "ха", "му", "ди", "не",
				      "бо", "я", "ко", "ли", "пе", "са", "ти", "ве", "зо", "на" };
static const char *const nats[] = { "SRB", "BIH", "RKS", "ALB", "RUS", "TUR", "DEU", "UKR",
				    "SYR", "AFG", "IRQ", "CHN", "ITA", "HRV", "MKD", "GEO" };

/* Syllables of the travellers who cross: other sounds than the lists', so that hits are as rare
 * as at a real border and what is measured is the search, not the saving of hits. */
static const char *const syl_tr[] = { "qu", "wy", "xe", "fy", "gu", "hy", "jo", "ce", "by", "ox" };

/* A name part of 2 or 3 syllables, capitalised (Latin) into buf; `traveller`: from syl_tr. */
static void part_of(char *buf, size_t cap, bool cyrillic, bool traveller)
{
	int n = 2 + below(2);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		int s = below(traveller ? (int)(sizeof(syl_tr) / sizeof(syl_tr[0]))
					: (int)(sizeof(syl) / sizeof(syl[0])));
		const char *x = traveller ? syl_tr[s] : cyrillic ? syl_cy[s] : syl[s];
		size_t l = strlen(x);
		if (k + l + 1 >= cap)
			break;
		memcpy(buf + k, x, l);
		if (!i && !cyrillic)
			buf[k] = (char)(buf[k] - 32);
		k += l;
	}
	buf[k] = '\0';
}

static void part(char *buf, size_t cap, bool cyrillic)
{
	part_of(buf, cap, cyrillic, false);
}

static void name(char *buf, size_t cap, bool cyrillic)
{
	char p[64];
	int parts = 2 + (below(10) < 3) + (below(10) < 1);
	size_t k = 0;
	for (int i = 0; i < parts; i++) {
		part(p, sizeof(p), cyrillic);
		k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? " " : "", p);
	}
}

static void write_csv(const char *path, long entries)
{
	FILE *f = fopen(path, "w");
	char n[256], a[256];

	if (!f)
		die(path, "cannot write");
	fputs("id,name,aliases,birth_date,nationality,document_number\n", f);
	for (long i = 0; i < entries; i++) {
		bool cy = below(10) == 0;
		name(n, sizeof(n), cy);
		fprintf(f, "E%08ld,%s,", i, n);
		if (below(3) == 0) {
			name(a, sizeof(a), false);
			fputs(a, f);
		}
		fputc(',', f);
		if (below(5))
			fprintf(f, "19%02d-%02d-%02d", 40 + below(60), 1 + below(12), 1 + below(28));
		fprintf(f, ",%s,", nats[below(16)]);
		if (below(4) == 0)
			fprintf(f, "D%08ld", i);
		fputc('\n', f);
	}
	if (fclose(f))
		die(path, "cannot write");
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

struct env {
	struct store *s;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys;
};

static void open_env(struct env *e, const char *url)
{
	struct mmis_error err;
	memset(e, 0, sizeof(*e));
	if (store_init(url, &e->s, NULL, NULL, &err))
		die(url, mmis_error_text(&err));
	randombytes_buf(e->key.bytes, sizeof(e->key.bytes));
	e->cx.store = e->s;
	e->cx.audit_key = &e->key;
	actor_system(&e->sys);
}

static double import(struct env *e, const char *csv, const char *list, int64_t *n)
{
	struct watchlist_meta m = { .name = list, .action = "refuse_entry", .category = "entry_ban" };
	struct watchlist_import_result res;
	struct mmis_error err;
	FILE *in = fopen(csv, "r");
	double t0, t1;

	if (!in)
		die(csv, "cannot read");
	t0 = now_s();
	if (watchlist_import(&e->cx, &e->sys, in, csv, &m, NULL, NULL, &res, &err))
		die("import", mmis_error_text(&err));
	t1 = now_s();
	fclose(in);
	json_decref(res.errors);
	*n = res.imported;
	return t1 - t0;
}

/* Crossings per second recorded on a fresh database holding `entries` (0: none) of the CSV;
 * *hits receives the hits raised. */
static double crossings(const char *dir, const char *csv, long entries, bool service, long *hits_out)
{
	char url[512], part_csv[512], cmd[1200];
	struct mmis_error err;
	struct env e;
	struct screen *sc = NULL;
	int64_t n = 0;
	long hits = 0;
	double t0, t1;

	snprintf(url, sizeof(url), "%s/cross-%ld-%d.db", dir, entries, service);
	unlink(url);
	open_env(&e, url);
	if (entries) {
		snprintf(part_csv, sizeof(part_csv), "%s/list-%ld.csv", dir, entries);
		snprintf(cmd, sizeof(cmd), "head -n %ld '%s' > '%s'", entries + 1, csv, part_csv);
		if (system(cmd))
			die(cmd, "failed");
		import(&e, part_csv, "bench", &n);
	}
	if (service) {
		if (screen_new(url, &sc, &err) || screen_load(sc, e.s, NULL, NULL, &err))
			die("screen_load", mmis_error_text(&err));
		e.cx.screen = sc;
	}
	t0 = now_s();
	for (int i = 0; i < CROSSINGS; i++) {
		char number[32], surname[64], given[64];
		struct crossing_in in = { 0 };
		json_t *out;
		part_of(surname, sizeof(surname), false, true);
		part_of(given, sizeof(given), false, true);
		snprintf(number, sizeof(number), "T%08d", i);
		in.document_type = "P";
		in.issuing_state = nats[i % 16];
		in.document_number = number;
		in.surname = surname;
		in.given_names = given;
		in.sex = i % 2 ? 'F' : 'M';
		in.nationality = nats[i % 16];
		date_parse("1980-05-05", NULL, &in.birth_date, NULL);
		in.birth_known = true;
		in.bcp = "MNE-DBR";
		in.direction = CROSSING_ENTRY;
		if (crossing_record(&e.cx, &e.sys, &in, &out, &err))
			die("crossing_record", mmis_error_text(&err));
		hits += (long)json_array_size(json_object_get(out, "hits"));
		json_decref(out);
	}
	t1 = now_s();
	screen_free(sc);
	store_close(e.s);
	*hits_out = hits;
	return CROSSINGS / (t1 - t0);
}

/* Screening queries against the loaded index, in batches of 1000 (one audit event each):
 * travellers of other names (no hit, the usual case at a border) and names of the list. */
static void queries(struct env *e, const char *csv)
{
	enum { N = 2000, BATCH = 1000 };
	static char names[N][256];
	struct screen_query *q = calloc(N, sizeof(*q));
	struct mmis_error err;
	FILE *f = fopen(csv, "r");
	char line[1024];
	long hits = 0;

	if (!q || !f)
		die("queries", "out of memory or no list");
	printf("\n| %d screening queries against the index (batches of %d) | µs per query | hits |\n"
	       "| --- | --- | --- |\n", N, BATCH);
	for (int kind = 0; kind < 2; kind++) {
		double t0, t1;
		hits = 0;
		for (int i = 0; i < N; i++) {
			memset(&q[i], 0, sizeof(q[i]));
			if (kind == 0) {
				char a[64], b[64];
				part_of(a, sizeof(a), false, true);
				part_of(b, sizeof(b), false, true);
				snprintf(names[i], sizeof(names[i]), "%s %s", a, b);
			} else {
				/* every 400th entry of the file: its primary name */
				for (int k = 0; k < 400 && fgets(line, sizeof(line), f); k++)
					;
				char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
				if (!c1 || !c2 || c2 - c1 - 1 >= 255)
					snprintf(names[i], sizeof(names[i]), "Karo Lomi");
				else
					snprintf(names[i], sizeof(names[i]), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
			}
			q[i].name = names[i];
		}
		t0 = now_s();
		for (int b = 0; b < N; b += BATCH) {
			json_t *out = NULL, *r;
			size_t i;
			if (screen_queries(&e->cx, &e->sys, q + b, BATCH, 0.8, 10, &out, &err))
				die("screen_queries", mmis_error_text(&err));
			json_array_foreach(out, i, r)
				hits += (long)json_array_size(json_object_get(r, "hits"));
			json_decref(out);
		}
		t1 = now_s();
		printf("| %s | %.0f | %ld |\n", kind ? "names from the list" : "travellers not on it",
		       (t1 - t0) * 1e6 / N, hits);
	}
	fclose(f);
	free(q);
}

int main(int argc, char **argv)
{
	const char *dir, *pg = NULL;
	long entries = 1000000;
	char csv[512], url[512];
	struct mmis_error err;
	struct screen *sc;
	struct env e;
	int64_t n = 0;
	double t, t0;
	json_t *st;

	if (argc < 2)
		die("usage", "screen_bench DIR [ENTRIES [POSTGRES_URL]]");
	dir = argv[1];
	if (argc > 2)
		entries = atol(argv[2]);
	if (argc > 3)
		pg = argv[3];
	if (sodium_init() < 0)
		die("sodium", "init");
	snprintf(csv, sizeof(csv), "%s/watchlist.csv", dir);
	write_csv(csv, entries);

	printf("| import of %ld entries | seconds | entries/s |\n| --- | --- | --- |\n", entries);
	snprintf(url, sizeof(url), "%s/watchlist.db", dir);
	unlink(url);
	open_env(&e, url);
	t = import(&e, csv, "bench", &n);
	printf("| SQLite | %.1f | %.0f |\n", t, (double)n / t);
	t = import(&e, csv, "bench", &n);
	printf("| SQLite, replacing the same list | %.1f | %.0f |\n", t, (double)n / t);
	if (pg) {
		struct env p;
		open_env(&p, pg);
		t = import(&p, csv, "bench", &n);
		printf("| PostgreSQL | %.1f | %.0f |\n", t, (double)n / t);
		store_close(p.s);
	}
	long before = rss_kb();
	if (screen_new(url, &sc, &err))
		die("screen_new", mmis_error_text(&err));
	t0 = now_s();
	if (screen_load(sc, e.s, NULL, NULL, &err))
		die("screen_load", mmis_error_text(&err));
	t = now_s() - t0;
	st = screen_status(sc);
	printf("\n| screening index of %ld entries | seconds | index memory (MiB) | process memory "
	       "added (MiB) |\n| --- | --- | --- | --- |\n", (long)json_integer_value(json_object_get(st, "entries")));
	printf("| load from SQLite | %.1f | %.0f | %.0f |\n", t,
	       (double)json_integer_value(json_object_get(st, "memory")) / 1048576.0,
	       (double)(rss_kb() - before) / 1024.0);
	json_decref(st);
	e.cx.screen = sc;
	queries(&e, csv);
	screen_free(sc);
	store_close(e.s);

	printf("\n| %d crossings recorded (SQLite, durable; best of 3) | list entries | crossings/s | "
	       "ms per crossing | hits |\n| --- | --- | --- | --- | --- |\n", CROSSINGS);
	/* Each configuration three times, interleaved (the machine is shared): the best of three. */
	{
		const long sizes[] = { 0, 0, 1000, entries < 100000 ? entries : 100000 };
		const bool service[] = { false, true, true, true };
		double best[4] = { 0 };
		long hits[4] = { 0 };
		for (int round = 0; round < 3; round++)
			for (int c = 0; c < 4; c++) {
				double r = crossings(dir, csv, sizes[c], service[c], &hits[c]);
				if (r > best[c])
					best[c] = r;
			}
		for (int c = 0; c < 4; c++)
			printf("| %s | %ld | %.0f | %.2f | %ld |\n",
			       service[c] ? "screened" : "not screened (no service)", sizes[c], best[c],
			       1000 / best[c], hits[c]);
	}
	return 0;
}
