/*
 * service.c - the screening service (screen.h): an index (match.h) over every alert-list entry
 * valid today, built from the database, swapped for a new one when the lists change.
 *
 * A snapshot is immutable once built and reference-counted: a search takes a reference under the
 * mutex, searches without it, and drops it; a rebuild makes a new snapshot in a thread of its own
 * (with its own database connection) and swaps it in under the mutex; the old one is freed when
 * its last search ends. So searches never wait for a rebuild, and for the memory two indexes take
 * while a rebuild runs. Whether the lists changed is one read of watchlist_state.generation,
 * which every import raises in its transaction.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/arena.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/match.h"
#include "mmis/store.h"

#define RETRY_AFTER_MS (30 * 1000) /* a failed rebuild is tried again after this */
#define LOAD_PROGRESS_EVERY 10000
#define SEARCH_SPARE 8 /* hits asked beyond the limit, for entries that expired today */

struct list_info {
	const char *id, *name, *category, *action;
};

/* A document number of an entry without a name (a list of lost and stolen documents): the
 * matcher indexes names, so these are found here, exactly, by binary search. */
struct doc_ref {
	const char *number;
	uint32_t entry;
};

struct screen_snapshot {
	atomic_int refs;
	int64_t generation;
	int64_t day;          /* the day it was built for */
	int64_t next_change;  /* the first day an entry becomes or stops being valid */
	struct match_index *ix;
	struct screen_entry *e;
	size_t n, cap;
	struct list_info *lists;
	size_t n_lists;
	struct doc_ref *docs; /* sorted by number */
	size_t n_docs, docs_cap;
	size_t refused;       /* entries the index would not take */
	struct arena *strings;
	double build_ms;
	int64_t built_at;
};

struct screen {
	char *url;
	pthread_mutex_t mu;
	pthread_cond_t done;       /* a rebuild ended */
	pthread_mutex_t load_mu;   /* one synchronous load at a time */
	struct screen_snapshot *cur;
	bool building;
	bool thread_started;
	pthread_t thread;
	atomic_bool stop;
	char failed[MMIS_ERROR_MESSAGE_MAX]; /* the last rebuild's error, "" when it worked */
	int64_t failed_at;
	int64_t failed_generation;
};

/* ---- snapshots */

static void snapshot_free(struct screen_snapshot *snap)
{
	if (!snap)
		return;
	match_index_free(snap->ix);
	free(snap->e);
	free(snap->lists);
	free(snap->docs);
	arena_free(snap->strings);
	free(snap);
}

void screen_release(struct screen_snapshot *snap)
{
	if (snap && atomic_fetch_sub(&snap->refs, 1) == 1)
		snapshot_free(snap);
}

int64_t screen_snapshot_generation(const struct screen_snapshot *snap)
{
	return snap->generation;
}

size_t screen_snapshot_entries(const struct screen_snapshot *snap)
{
	return snap->n;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum mmis_err read_generation(struct store *s, int64_t *gen, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*gen = 0;
	if ((rc = store_prepare(s, "SELECT generation FROM watchlist_state WHERE id = 1", &st, err)))
		return rc;
	if (!(rc = store_step(st, &row, err)) && row)
		*gen = store_column_int64(st, 0);
	store_finalize(st);
	return rc;
}

/* A date column as days (`open` when NULL or unreadable). */
static int64_t day_of(const char *s, int64_t open)
{
	struct date d;
	if (!s || date_parse(s, NULL, &d, NULL))
		return open;
	return date_to_days(&d);
}

/* The strings of a JSON array text into v[] (at most max; pointers into the parsed value). */
static size_t strings_of(json_t **holder, const char *text, const char **v, size_t max)
{
	size_t n = 0, i;
	json_t *x;

	*holder = text ? json_loads(text, 0, NULL) : NULL;
	json_array_foreach(*holder, i, x) {
		const char *s = json_string_value(x);
		if (s && *s && n < max)
			v[n++] = s;
	}
	return n;
}

static enum mmis_err load_lists(struct store *s, struct screen_snapshot *snap,
				struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	size_t cap = 0;
	enum mmis_err rc;

	if ((rc = store_prepare(s, "SELECT id, name, category, action FROM watchlist", &st, err)))
		return rc;
	while (!(rc = store_step(st, &row, err)) && row) {
		if (snap->n_lists == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct list_info *nl = realloc(snap->lists, nc * sizeof(*nl));
			if (!nl) {
				rc = screen_oom(err);
				break;
			}
			snap->lists = nl;
			cap = nc;
		}
		struct list_info *l = &snap->lists[snap->n_lists];
		l->id = arena_strdup(snap->strings, store_column_text(st, 0));
		l->name = arena_strdup(snap->strings, store_column_text(st, 1));
		l->category = arena_strdup(snap->strings, store_column_text(st, 2));
		l->action = arena_strdup(snap->strings, store_column_text(st, 3));
		if (!l->id || !l->name || !l->category || !l->action) {
			rc = screen_oom(err);
			break;
		}
		snap->n_lists++;
	}
	store_finalize(st);
	return rc;
}

static const struct list_info *find_list(const struct screen_snapshot *snap, const char *id)
{
	for (size_t i = 0; i < snap->n_lists; i++)
		if (!strcmp(snap->lists[i].id, id))
			return &snap->lists[i];
	return NULL;
}

static int doc_cmp(const void *a, const void *b)
{
	const struct doc_ref *x = a, *y = b;
	int c = strcmp(x->number, y->number);
	return c ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

/* The document numbers of a nameless entry (number snap->n) into the document table. */
static enum mmis_err add_docs(struct screen_snapshot *snap, const struct match_record *r)
{
	for (size_t i = 0; i < r->n_documents; i++) {
		char norm[32];
		if (match_document_normalise(r->documents[i], norm, NULL))
			continue;
		if (snap->n_docs == snap->docs_cap) {
			size_t nc = snap->docs_cap ? snap->docs_cap * 2 : 256;
			struct doc_ref *nd = realloc(snap->docs, nc * sizeof(*nd));
			if (!nd)
				return MMIS_ENOMEM;
			snap->docs = nd;
			snap->docs_cap = nc;
		}
		if (!(snap->docs[snap->n_docs].number = arena_strdup(snap->strings, norm)))
			return MMIS_ENOMEM;
		snap->docs[snap->n_docs++].entry = (uint32_t)snap->n;
	}
	return MMIS_OK;
}

/*
 * Build a snapshot from the database: the generation first, then the lists, then the entries
 * (each statement sees a committed state; an import committed in between makes the generation
 * read too old, so the next poll rebuilds again: never the other way round).
 */
static enum mmis_err build(struct store *s, const atomic_bool *stop, screen_progress_fn progress,
			   void *progress_ctx, struct screen_snapshot **out, struct mmis_error *err)
{
	struct screen_snapshot *snap = calloc(1, sizeof(*snap));
	struct store_stmt *st = NULL;
	int64_t started = mono_ms(), today = screen_today(), rows = 0;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	if (!snap)
		return screen_oom(err);
	atomic_init(&snap->refs, 1);
	snap->day = today;
	snap->next_change = INT64_MAX;
	if (!(snap->strings = arena_new(1 << 20)) || !(snap->ix = match_index_new())) {
		snapshot_free(snap);
		return screen_oom(err);
	}
	if ((rc = read_generation(s, &snap->generation, err)) || (rc = load_lists(s, snap, err)) ||
	    (rc = store_prepare(s, "SELECT watchlist_id, external_id, name, aliases, birth_dates, "
				"nationalities, documents, sex, valid_from, valid_to FROM "
				"watchlist_entry", &st, err))) {
		snapshot_free(snap);
		return rc;
	}
	while (!(rc = store_step(st, &row, err)) && row) {
		const struct list_info *l = find_list(snap, store_column_text(st, 0));
		int64_t from = day_of(store_column_text(st, 8), INT32_MIN);
		int64_t to = day_of(store_column_text(st, 9), INT32_MAX);
		const char *names[WATCHLIST_ALIASES_MAX + 1], *dates[WATCHLIST_VALUES_MAX],
			*nats[WATCHLIST_VALUES_MAX], *docs[WATCHLIST_VALUES_MAX];
		json_t *ja = NULL, *jb = NULL, *jn = NULL, *jd = NULL;
		const char *name = store_column_text(st, 2);
		struct match_record r = { 0 };
		struct mmis_error ae;

		if (++rows % 1024 == 0 && atomic_load(stop)) {
			rc = mmis_error_set(err, MMIS_EBUSY, NULL, "the screening service is stopping");
			break;
		}
		if (progress && rows % LOAD_PROGRESS_EVERY == 0)
			progress(progress_ctx, (uint64_t)rows);
		if (!l)
			continue; /* a list made after the lists were read: the next build has it */
		if (to < today)
			continue;
		if (from > today) {
			if (from < snap->next_change)
				snap->next_change = from;
			continue;
		}
		if (to != INT32_MAX && to + 1 < snap->next_change)
			snap->next_change = to + 1;
		if (name && *name)
			names[r.n_names++] = name;
		r.n_names += strings_of(&ja, store_column_text(st, 3), names + r.n_names,
					WATCHLIST_ALIASES_MAX + 1 - r.n_names);
		r.n_birth_dates = strings_of(&jb, store_column_text(st, 4), dates, WATCHLIST_VALUES_MAX);
		r.n_nationalities = strings_of(&jn, store_column_text(st, 5), nats,
					       WATCHLIST_VALUES_MAX);
		r.n_documents = strings_of(&jd, store_column_text(st, 6), docs, WATCHLIST_VALUES_MAX);
		r.names = names;
		r.birth_dates = dates;
		r.nationalities = nats;
		r.documents = docs;
		r.sex = store_column_text(st, 7);
		if (snap->n == snap->cap) {
			size_t nc = snap->cap ? snap->cap * 2 : 1024;
			struct screen_entry *ne = nc <= UINT32_MAX ? realloc(snap->e, nc * sizeof(*ne)) : NULL;
			if (!ne) {
				rc = screen_oom(err);
			} else {
				snap->e = ne;
				snap->cap = nc;
			}
		}
		if (!rc) {
			struct screen_entry *e = &snap->e[snap->n];
			e->list_id = l->id;
			e->list_name = l->name;
			e->category = l->category;
			e->action = l->action;
			e->external_id = arena_strdup(snap->strings, store_column_text(st, 1));
			e->name = name && *name ? arena_strdup(snap->strings, name) : NULL;
			e->document = !e->name && r.n_documents ? arena_strdup(snap->strings, docs[0])
								: NULL;
			e->valid_from = (int32_t)from;
			e->valid_to = (int32_t)to;
			if (!e->external_id || (name && *name && !e->name))
				rc = screen_oom(err);
		}
		if (!rc && !r.n_names) {
			rc = add_docs(snap, &r);
			if (!rc)
				snap->n++;
		} else if (!rc) {
			/* An entry the index refuses (its names no longer normalise under this
			 * version's rules) is counted, not fatal: the others must be screened. */
			enum mmis_err ar = match_index_add(snap->ix, (uint32_t)snap->n, &r, &ae);
			if (ar == MMIS_ENOMEM)
				rc = mmis_error_set(err, ar, NULL, "%s", mmis_error_text(&ae));
			else if (ar)
				snap->refused++;
			else
				snap->n++;
		}
		json_decref(ja);
		json_decref(jb);
		json_decref(jn);
		json_decref(jd);
		if (rc)
			break;
	}
	store_finalize(st);
	if (rc == MMIS_ENOMEM)
		screen_oom(err);
	if (!rc)
		rc = match_index_build(snap->ix, err);
	if (!rc && snap->n_docs)
		qsort(snap->docs, snap->n_docs, sizeof(*snap->docs), doc_cmp);
	if (rc) {
		snapshot_free(snap);
		return rc;
	}
	if (progress)
		progress(progress_ctx, (uint64_t)rows);
	snap->build_ms = (double)(mono_ms() - started);
	snap->built_at = timestamp_now();
	*out = snap;
	return MMIS_OK;
}

/* ---- the service */

enum mmis_err screen_new(const char *db_url, struct screen **out, struct mmis_error *err)
{
	struct screen *sc = calloc(1, sizeof(*sc));

	*out = NULL;
	if (!sc || !(sc->url = strdup(db_url ? db_url : ""))) {
		free(sc);
		return screen_oom(err);
	}
	pthread_mutex_init(&sc->mu, NULL);
	pthread_mutex_init(&sc->load_mu, NULL);
	pthread_cond_init(&sc->done, NULL);
	atomic_init(&sc->stop, false);
	*out = sc;
	return MMIS_OK;
}

void screen_free(struct screen *sc)
{
	if (!sc)
		return;
	atomic_store(&sc->stop, true);
	if (sc->thread_started)
		pthread_join(sc->thread, NULL);
	screen_release(sc->cur);
	pthread_cond_destroy(&sc->done);
	pthread_mutex_destroy(&sc->load_mu);
	pthread_mutex_destroy(&sc->mu);
	free(sc->url);
	free(sc);
}

/* Put `snap` in place (unless a newer one is there already); the old one goes. */
static void install(struct screen *sc, struct screen_snapshot *snap)
{
	struct screen_snapshot *old;

	pthread_mutex_lock(&sc->mu);
	if (sc->cur && sc->cur->generation > snap->generation) {
		old = snap;
	} else {
		old = sc->cur;
		sc->cur = snap;
		sc->failed[0] = '\0';
	}
	pthread_mutex_unlock(&sc->mu);
	screen_release(old);
}

enum mmis_err screen_load(struct screen *sc, struct store *s, screen_progress_fn progress,
			  void *progress_ctx, struct mmis_error *err)
{
	struct screen_snapshot *snap = NULL;
	enum mmis_err rc;

	pthread_mutex_lock(&sc->load_mu);
	rc = build(s, &sc->stop, progress, progress_ctx, &snap, err);
	if (!rc)
		install(sc, snap);
	pthread_mutex_unlock(&sc->load_mu);
	return rc;
}

static void *rebuild_main(void *arg)
{
	struct screen *sc = arg;
	struct screen_snapshot *snap = NULL;
	struct store *s = NULL;
	struct mmis_error err;
	enum mmis_err rc;

	mmis_error_clear(&err);
	rc = store_open(sc->url, 0, &s, &err);
	if (!rc)
		rc = build(s, &sc->stop, NULL, NULL, &snap, &err);
	store_close(s);
	if (!rc)
		install(sc, snap);
	pthread_mutex_lock(&sc->mu);
	if (rc) {
		screen_copy(sc->failed, sizeof(sc->failed), mmis_error_text(&err));
		sc->failed_at = mono_ms();
	}
	sc->building = false;
	pthread_cond_broadcast(&sc->done);
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

/* Whether `snap` is out of date: the lists changed, or an entry's validity begins or ends. */
static bool stale(const struct screen_snapshot *snap, int64_t generation, int64_t today)
{
	return snap->generation != generation || today >= snap->next_change || today < snap->day;
}

/* With the mutex held: start a rebuild unless one runs, or the last one for this generation
 * failed a short while ago. */
static void start_rebuild(struct screen *sc, int64_t generation)
{
	if (sc->building || atomic_load(&sc->stop))
		return;
	if (sc->failed[0] && sc->failed_generation == generation &&
	    mono_ms() - sc->failed_at < RETRY_AFTER_MS)
		return;
	if (sc->thread_started) {
		pthread_join(sc->thread, NULL); /* it has ended: building is false */
		sc->thread_started = false;
	}
	sc->failed_generation = generation;
	sc->building = true;
	if (pthread_create(&sc->thread, NULL, rebuild_main, sc)) {
		sc->building = false;
		screen_copy(sc->failed, sizeof(sc->failed), "could not start a thread");
		sc->failed_at = mono_ms();
		return;
	}
	sc->thread_started = true;
}

/* screen_poll, also saying the generation it read. */
static enum mmis_err poll_generation(struct screen *sc, struct store *s, int64_t *generation,
				     struct mmis_error *err)
{
	int64_t today = screen_today();
	bool loaded;
	enum mmis_err rc;

	if ((rc = read_generation(s, generation, err)))
		return rc;
	pthread_mutex_lock(&sc->mu);
	loaded = sc->cur != NULL;
	if (loaded && stale(sc->cur, *generation, today))
		start_rebuild(sc, *generation);
	pthread_mutex_unlock(&sc->mu);
	if (loaded)
		return MMIS_OK;
	/* Nothing to search yet: load now (once, whoever comes first). */
	pthread_mutex_lock(&sc->mu);
	loaded = sc->cur != NULL;
	pthread_mutex_unlock(&sc->mu);
	return loaded ? MMIS_OK : screen_load(sc, s, NULL, NULL, err);
}

enum mmis_err screen_poll(struct screen *sc, struct store *s, struct mmis_error *err)
{
	int64_t generation;
	return poll_generation(sc, s, &generation, err);
}

void screen_wait(struct screen *sc)
{
	pthread_mutex_lock(&sc->mu);
	while (sc->building)
		pthread_cond_wait(&sc->done, &sc->mu);
	pthread_mutex_unlock(&sc->mu);
}

struct screen_snapshot *screen_acquire(struct screen *sc, struct store *s, bool *current,
				       struct mmis_error *err)
{
	struct screen_snapshot *snap = NULL;
	int64_t generation = 0;

	*current = false;
	if (poll_generation(sc, s, &generation, err))
		return NULL;
	pthread_mutex_lock(&sc->mu);
	if ((snap = sc->cur)) {
		atomic_fetch_add(&snap->refs, 1);
		*current = !stale(snap, generation, screen_today());
	}
	pthread_mutex_unlock(&sc->mu);
	if (!snap)
		mmis_error_set(err, MMIS_EBUSY, NULL, "the alert lists are not loaded");
	return snap;
}

json_t *screen_status(struct screen *sc)
{
	json_t *o;
	char at[TIMESTAMP_STR_MAX] = "";

	pthread_mutex_lock(&sc->mu);
	if (sc->cur)
		timestamp_format(sc->cur->built_at, at);
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:s?, s:b, s:s?}", "generation",
		      (json_int_t)(sc->cur ? sc->cur->generation : -1), "entries",
		      (json_int_t)(sc->cur ? sc->cur->n : 0), "refused",
		      (json_int_t)(sc->cur ? sc->cur->refused : 0), "lists",
		      (json_int_t)(sc->cur ? sc->cur->n_lists : 0), "memory",
		      (json_int_t)(sc->cur ? match_index_memory(sc->cur->ix) : 0), "build_ms",
		      sc->cur ? sc->cur->build_ms : 0.0, "built_at", at[0] ? at : NULL,
		      "rebuilding", sc->building, "failed", sc->failed[0] ? sc->failed : NULL);
	pthread_mutex_unlock(&sc->mu);
	return o;
}

/* ---- searching */

/* The nameless entries holding the query's document numbers, as hits of score 1. */
static enum mmis_err doc_hits(const struct screen_snapshot *snap, const struct match_record *q,
			      struct match_hit *out, size_t cap, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < q->n_documents; i++) {
		char norm[32];
		size_t lo = 0, hi = snap->n_docs;
		if (match_document_normalise(q->documents[i], norm, NULL))
			continue;
		while (lo < hi) { /* the first number >= norm */
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(snap->docs[mid].number, norm) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < snap->n_docs && !strcmp(snap->docs[lo].number, norm) && *n < cap; lo++) {
			json_t *why = json_pack("[{s:s, s:s, s:s, s:s, s:f, s:s}]", "field", "document",
						"query", norm, "entry", norm, "how", "exact", "effect",
						1.0, "text", "the document number is on the list");
			if (!why)
				return MMIS_ENOMEM;
			out[*n].id = snap->docs[lo].entry;
			out[*n].score = 1.0;
			out[*n].reasons = why;
			(*n)++;
		}
	}
	return MMIS_OK;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct match_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

enum mmis_err screen_snapshot_search(const struct screen_snapshot *snap,
				     const struct match_record *q, double threshold, size_t limit,
				     struct match_hit *hits, const struct screen_entry **entries,
				     size_t *n_hits, struct mmis_error *err)
{
	size_t want = limit + SEARCH_SPARE, got = 0, k = 0, dn = 0;
	struct match_hit *all = calloc(2 * want, sizeof(*all));
	int64_t today = screen_today();
	enum mmis_err rc = MMIS_OK;

	*n_hits = 0;
	if (!all)
		return screen_oom(err);
	if (q->n_names || q->n_documents)
		rc = match_index_search(snap->ix, q, threshold, want, all, &got, err);
	if (!rc && doc_hits(snap, q, all + got, want, &dn))
		rc = screen_oom(err);
	got += dn;
	if (dn)
		qsort(all, got, sizeof(*all), hit_cmp);
	for (size_t i = 0; !rc && i < got; i++) {
		const struct screen_entry *e = all[i].id < snap->n ? &snap->e[all[i].id] : NULL;
		if (!e || e->valid_from > today || e->valid_to < today || k == limit) {
			match_hits_free(&all[i], 1);
			continue;
		}
		hits[k] = all[i];
		entries[k] = e;
		k++;
	}
	if (rc)
		match_hits_free(all, got);
	free(all);
	*n_hits = k;
	return rc;
}
