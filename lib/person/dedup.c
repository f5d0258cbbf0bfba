/*
 * dedup.c - detection of duplicate persons (dedup.h): load the persons in reach into a
 * match_index, run match_dedup, store the pairs as proposals with their explanation.
 *
 * A person's record for matching: the name in document form (MRZ, upper-case Latin) and as typed
 * (any script), the names of every record merged into the person as aliases, birth dates,
 * nationalities, sex and document numbers. Pairs already decided are skipped, and so are pairs
 * whose records were merged into the two persons of a decided pair: "Smirnov" rejected against
 * "Smirnova" stays rejected after "Smirnov" absorbed a third record.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/arena.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/match.h"
#include "mmis/uuid.h"

#define SQL_MAX 8192
#define CHAIN_MAX 64 /* merged into a merged person into ...: deeper is a broken chain */

/* A person as compared; strings live in the run's arena. */
struct pers {
	const char *id;
	const char *surname, *given, *surname_typed, *given_typed, *sex, *birth, *nationality;
	/* Filled from `items` once everything is read. */
	const char **names, **births, **nats, **docs, **members;
	size_t n_names, n_births, n_nats, n_docs, n_members;
	struct date *dates; /* the births parsed (those that parse), for corroborated() */
	size_t n_dates;
};

/* One value of one person, gathered while reading (names, births, nationalities, documents,
 * members of the merge group), then sorted by person into the arrays above. */
enum item_kind { ITEM_NAME, ITEM_BIRTH, ITEM_NAT, ITEM_DOC, ITEM_MEMBER };

struct item {
	uint32_t person;
	enum item_kind kind;
	const char *value;
};

struct pair {
	uint32_t a, b;
	double score;
	json_t *reasons;
};

/* A decided or open pair as stored. */
struct known {
	const char *a, *b; /* a < b */
	const char *id;
	const char *status;
};

struct run {
	const struct mmis_ctx *cx;
	const struct actor *a;
	const struct dedup_options *opt;
	struct dedup_result *res;
	enum scope sc;
	struct arena *mem;
	struct pers *p;
	size_t n_p, cap_p;
	struct item *it;
	size_t n_it, cap_it;
	struct pair *pairs;
	size_t n_pairs, cap_pairs;
	struct known *known;
	size_t n_known;
};

static void progress(struct run *r, enum dedup_phase phase, uint64_t done, uint64_t total)
{
	if (r->opt->progress)
		r->opt->progress(r->opt->progress_ctx, phase, done, total);
}

/* Room for one more element in an array of `size`-byte elements holding `n` of `*cap`: the
 * array, moved or not; *ok false (and the array as it was) when out of memory. */
static void *grow(void *v, size_t *cap, size_t n, size_t size, bool *ok)
{
	*ok = true;
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 1024;
	void *nv = realloc(v, nc * size);
	if (!nv) {
		*ok = false;
		return v;
	}
	*cap = nc;
	return nv;
}

/* A copy of a column's text in the arena; NULL for NULL or "". */
static const char *keep(struct run *r, const char *s)
{
	return s && *s ? arena_strdup(r->mem, s) : NULL;
}

static enum mmis_err add_item(struct run *r, uint32_t person, enum item_kind kind,
			      const char *value, struct mmis_error *err)
{
	bool grown;
	if (!value || !*value)
		return MMIS_OK;
	r->it = grow(r->it, &r->cap_it, r->n_it, sizeof(*r->it), &grown);
	if (!grown)
		return person_oom(err);
	r->it[r->n_it++] = (struct item){ person, kind, value };
	return MMIS_OK;
}

/* "given surname" of two parts, either may be empty; NULL when both are. */
static const char *join_name(struct run *r, const char *first, const char *second)
{
	if (!first && !second)
		return NULL;
	if (!first || !second)
		return arena_strdup(r->mem, first ? first : second);
	return arena_printf(r->mem, "%s %s", first, second);
}

/* The names of a record: the document form and the typed form. */
static enum mmis_err add_names(struct run *r, uint32_t person, const char *surname,
			       const char *given, const char *surname_typed,
			       const char *given_typed, struct mmis_error *err)
{
	enum mmis_err rc;
	if ((rc = add_item(r, person, ITEM_NAME, join_name(r, given, surname), err)))
		return rc;
	return add_item(r, person, ITEM_NAME, join_name(r, given_typed, surname_typed), err);
}

static int pers_cmp(const void *x, const void *y)
{
	return strcmp(((const struct pers *)x)->id, ((const struct pers *)y)->id);
}

/* The index of person `id` among the loaded (sorted) ones, or -1. */
static long find_pers(const struct run *r, const char *id)
{
	size_t lo = 0, hi = r->n_p;
	while (id && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->p[mid].id, id);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Persons not merged, within reach: their own fields. */
static enum mmis_err load_persons(struct run *r, struct mmis_error *err)
{
	bool grown;
	struct store *s = r->cx->store;
	struct store_stmt *st;
	struct strbuf sb;
	int64_t total = 0;
	bool row = false;
	enum mmis_err rc;

	strbuf_init(&sb, SQL_MAX);
	strbuf_addstr(&sb, "SELECT COUNT(*) FROM person p WHERE p.merged_into IS NULL AND ");
	reach_sql(&sb, "p.id");
	if (strbuf_error(&sb)) {
		strbuf_release(&sb);
		return person_oom(err);
	}
	if (!(rc = store_prepare(s, strbuf_str(&sb), &st, err))) {
		reach_bind(st, 1, r->sc, r->a);
		if (!(rc = store_step(st, &row, err)) && row)
			total = store_column_int64(st, 0);
		store_finalize(st);
	}
	if (!rc && r->opt->max_persons && (uint64_t)total > r->opt->max_persons)
		rc = mmis_error_set(err, MMIS_ETOOBIG, NULL,
				    "%lld persons are more than %zu: run `mmis dedup` on the server "
				    "for a detection this large", (long long)total, r->opt->max_persons);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "SELECT p.id, p.surname, p.given_names, p.surname_typed, "
		      "p.given_names_typed, p.sex, p.birth_date, p.nationality FROM person p "
		      "WHERE p.merged_into IS NULL AND ");
	reach_sql(&sb, "p.id");
	if (!rc && strbuf_error(&sb))
		rc = person_oom(err);
	if (!rc && !(rc = store_prepare(s, strbuf_str(&sb), &st, err))) {
		reach_bind(st, 1, r->sc, r->a);
		while (!(rc = store_step(st, &row, err)) && row) {
			struct pers *x;
			r->p = grow(r->p, &r->cap_p, r->n_p, sizeof(*r->p), &grown);
			if (!grown) {
				rc = person_oom(err);
				break;
			}
			x = &r->p[r->n_p];
			memset(x, 0, sizeof(*x));
			x->id = keep(r, store_column_text(st, 0));
			x->surname = keep(r, store_column_text(st, 1));
			x->given = keep(r, store_column_text(st, 2));
			x->surname_typed = keep(r, store_column_text(st, 3));
			x->given_typed = keep(r, store_column_text(st, 4));
			x->sex = keep(r, store_column_text(st, 5));
			x->birth = keep(r, store_column_text(st, 6));
			x->nationality = keep(r, store_column_text(st, 7));
			if (!x->id) {
				rc = person_oom(err);
				break;
			}
			r->n_p++;
			if (r->n_p % 1024 == 0)
				progress(r, DEDUP_LOADING, r->n_p, (uint64_t)total);
		}
		store_finalize(st);
	}
	strbuf_release(&sb);
	if (rc)
		return rc;
	/* Sorted in C, by bytes: the databases' collations need not agree with strcmp. */
	if (r->n_p)
		qsort(r->p, r->n_p, sizeof(*r->p), pers_cmp);
	for (size_t i = 0; !rc && i < r->n_p; i++) {
		struct pers *x = &r->p[i];
		uint32_t k = (uint32_t)i;
		if (!(rc = add_item(r, k, ITEM_MEMBER, x->id, err)) &&
		    !(rc = add_names(r, k, x->surname, x->given, x->surname_typed, x->given_typed,
				     err)) &&
		    !(rc = add_item(r, k, ITEM_BIRTH, x->birth, err)))
			rc = add_item(r, k, ITEM_NAT, x->nationality, err);
	}
	progress(r, DEDUP_LOADING, r->n_p, (uint64_t)total);
	return rc;
}

/* Documents of the loaded persons. */
static enum mmis_err load_documents(struct run *r, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(r->cx->store, "SELECT d.person_id, d.number FROM travel_document d "
				"JOIN person p ON p.id = d.person_id WHERE p.merged_into IS NULL",
				&st, err)))
		return rc;
	while (!(rc = store_step(st, &row, err)) && row) {
		long k = find_pers(r, store_column_text(st, 0));
		if (k >= 0 && (rc = add_item(r, (uint32_t)k, ITEM_DOC, keep(r, store_column_text(st, 1)),
					     err)))
			break;
	}
	store_finalize(st);
	return rc;
}

struct merged {
	const char *id, *into;
	const char *surname, *given, *surname_typed, *given_typed, *birth, *nationality;
};

static int merged_cmp(const void *x, const void *y)
{
	return strcmp(((const struct merged *)x)->id, ((const struct merged *)y)->id);
}

/* Records merged into the loaded persons (through chains of merges): aliases, birth dates and
 * nationalities, and members of the person's merge group. */
static enum mmis_err load_merged(struct run *r, struct mmis_error *err)
{
	bool grown;
	struct store_stmt *st;
	struct merged *m = NULL;
	size_t n = 0, cap = 0;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(r->cx->store, "SELECT id, merged_into, surname, given_names, "
				"surname_typed, given_names_typed, birth_date, nationality FROM person "
				"WHERE merged_into IS NOT NULL", &st, err)))
		return rc;
	while (!(rc = store_step(st, &row, err)) && row) {
		m = grow(m, &cap, n, sizeof(*m), &grown);
		if (!grown) {
			rc = person_oom(err);
			break;
		}
		m[n] = (struct merged){
			keep(r, store_column_text(st, 0)), keep(r, store_column_text(st, 1)),
			keep(r, store_column_text(st, 2)), keep(r, store_column_text(st, 3)),
			keep(r, store_column_text(st, 4)), keep(r, store_column_text(st, 5)),
			keep(r, store_column_text(st, 6)), keep(r, store_column_text(st, 7)),
		};
		if (!m[n].id || !m[n].into) {
			rc = person_oom(err);
			break;
		}
		n++;
	}
	store_finalize(st);
	if (!rc && n)
		qsort(m, n, sizeof(*m), merged_cmp);
	for (size_t i = 0; !rc && i < n; i++) {
		const char *into = m[i].into;
		long k = -1;
		for (int depth = 0; depth < CHAIN_MAX && into && (k = find_pers(r, into)) < 0; depth++) {
			struct merged key = { .id = into };
			struct merged *up = bsearch(&key, m, n, sizeof(*m), merged_cmp); /* n > 0 here */
			into = up ? up->into : NULL;
		}
		if (k < 0)
			continue; /* merged into someone out of reach */
		uint32_t p = (uint32_t)k;
		if (!(rc = add_item(r, p, ITEM_MEMBER, m[i].id, err)) &&
		    !(rc = add_names(r, p, m[i].surname, m[i].given, m[i].surname_typed,
				     m[i].given_typed, err)) &&
		    !(rc = add_item(r, p, ITEM_BIRTH, m[i].birth, err)))
			rc = add_item(r, p, ITEM_NAT, m[i].nationality, err);
	}
	free(m);
	return rc;
}

static int item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	if (a->person != b->person)
		return a->person < b->person ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->value, b->value);
}

/* Give every person the arrays of their items, each value once; names that do not normalise
 * are left out. */
static enum mmis_err spread_items(struct run *r, struct mmis_error *err)
{
	if (r->n_it)
		qsort(r->it, r->n_it, sizeof(*r->it), item_cmp);
	for (size_t i = 0; i < r->n_it;) {
		size_t j = i;
		while (j < r->n_it && r->it[j].person == r->it[i].person && r->it[j].kind == r->it[i].kind)
			j++;
		const char **arr = arena_calloc(r->mem, j - i, sizeof(*arr));
		size_t n = 0;
		if (!arr)
			return person_oom(err);
		for (size_t k = i; k < j; k++) {
			if (n && !strcmp(arr[n - 1], r->it[k].value))
				continue;
			if (r->it[k].kind == ITEM_NAME) {
				char norm[MATCH_NORM_MAX];
				if (match_normalise(r->it[k].value, "name", norm, NULL))
					continue;
			}
			arr[n++] = r->it[k].value;
		}
		struct pers *x = &r->p[r->it[i].person];
		switch (r->it[i].kind) {
		case ITEM_NAME:
			x->names = arr;
			x->n_names = n;
			break;
		case ITEM_BIRTH:
			x->births = arr;
			x->n_births = n;
			if (!(x->dates = arena_calloc(r->mem, n, sizeof(*x->dates))))
				return person_oom(err);
			for (size_t k = 0; k < n; k++)
				if (!date_parse_partial(arr[k], NULL, &x->dates[x->n_dates], NULL))
					x->n_dates++;
			break;
		case ITEM_NAT:
			x->nats = arr;
			x->n_nats = n;
			break;
		case ITEM_DOC:
			x->docs = arr;
			x->n_docs = n;
			break;
		case ITEM_MEMBER:
			x->members = arr;
			x->n_members = n;
			break;
		}
		i = j;
	}
	free(r->it);
	r->it = NULL;
	r->n_it = r->cap_it = 0;
	return MMIS_OK;
}

/*
 * Whether something besides the names says two persons are one: a birth date of one agrees with
 * one of the other's ("1990" with "1990-03-04"), or they share a document number. Names alone
 * are never enough to join two histories: a common name is many people's.
 */
static bool corroborated(const struct pers *x, const struct pers *y)
{
	for (size_t i = 0; i < x->n_docs; i++)
		for (size_t j = 0; j < y->n_docs; j++)
			if (!strcmp(x->docs[i], y->docs[j]))
				return true;
	for (size_t i = 0; i < x->n_dates; i++)
		for (size_t j = 0; j < y->n_dates; j++)
			if (date_compatible(&x->dates[i], &y->dates[j]))
				return true;
	return false;
}

static enum mmis_err on_pair(void *ctx, uint32_t a, uint32_t b, double score, json_t *reasons)
{
	struct run *r = ctx;
	bool grown;

	if (a >= r->n_p || b >= r->n_p) {
		json_decref(reasons);
		return MMIS_OK; /* not ids of ours: cannot happen */
	}
	if (!corroborated(&r->p[a], &r->p[b])) {
		r->res->names_only++;
		json_decref(reasons);
		return MMIS_OK;
	}

	r->pairs = grow(r->pairs, &r->cap_pairs, r->n_pairs, sizeof(*r->pairs), &grown);
	if (!grown) {
		json_decref(reasons);
		return MMIS_ENOMEM;
	}
	if (a > b) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	r->pairs[r->n_pairs++] = (struct pair){ a, b, score, reasons };
	progress(r, DEDUP_COMPARING, r->n_pairs, 0);
	return MMIS_OK;
}

static enum mmis_err compare(struct run *r, struct mmis_error *err)
{
	struct match_index *ix = match_index_new();
	enum mmis_err rc = MMIS_OK;

	if (!ix)
		return person_oom(err);
	for (size_t i = 0; !rc && i < r->n_p; i++) {
		struct pers *x = &r->p[i];
		struct match_record m = {
			.names = x->names, .n_names = x->n_names,
			.birth_dates = x->births, .n_birth_dates = x->n_births,
			.nationalities = x->nats, .n_nationalities = x->n_nats,
			.sex = x->sex, .documents = x->docs, .n_documents = x->n_docs,
		};
		if (!x->n_names) {
			r->res->unusable++;
			continue;
		}
		if ((rc = match_index_add(ix, (uint32_t)i, &m, err)) == MMIS_EINVAL) {
			r->res->unusable++; /* a name the engine refuses after all: left out */
			rc = MMIS_OK;
		}
		if (i % 4096 == 0)
			progress(r, DEDUP_INDEXING, i, r->n_p);
	}
	progress(r, DEDUP_INDEXING, r->n_p, r->n_p);
	r->res->persons = (int64_t)r->n_p - r->res->unusable;
	if (!rc)
		rc = match_index_build(ix, err);
	if (!rc) {
		rc = match_dedup(ix, r->res->threshold, r->opt->threads, on_pair, r, err);
		if (rc == MMIS_ENOMEM)
			person_oom(err);
	}
	match_index_free(ix);
	return rc;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

static int known_cmp(const void *x, const void *y)
{
	const struct known *a = x, *b = y;
	int c = strcmp(a->a, b->a);
	return c ? c : strcmp(a->b, b->b);
}

/* Every stored pair (they are few next to the persons). */
static enum mmis_err load_known(struct run *r, struct mmis_error *err)
{
	bool grown;
	struct store_stmt *st;
	size_t cap = 0;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(r->cx->store, "SELECT person_a, person_b, id, status FROM "
				"person_merge", &st, err)))
		return rc;
	while (!(rc = store_step(st, &row, err)) && row) {
		r->known = grow(r->known, &cap, r->n_known, sizeof(*r->known), &grown);
		if (!grown) {
			rc = person_oom(err);
			break;
		}
		struct known *k = &r->known[r->n_known++];
		k->a = keep(r, store_column_text(st, 0));
		k->b = keep(r, store_column_text(st, 1));
		k->id = keep(r, store_column_text(st, 2));
		k->status = keep(r, store_column_text(st, 3));
		if (!k->a || !k->b || !k->id || !k->status) {
			rc = person_oom(err);
			break;
		}
	}
	store_finalize(st);
	if (!rc && r->n_known)
		qsort(r->known, r->n_known, sizeof(*r->known), known_cmp);
	return rc;
}

static const struct known *find_known(const struct run *r, const char *x, const char *y)
{
	struct known key = { .a = strcmp(x, y) < 0 ? x : y, .b = strcmp(x, y) < 0 ? y : x };
	return r->n_known ? bsearch(&key, r->known, r->n_known, sizeof(*r->known), known_cmp) : NULL;
}

/* What is stored about a pair: the open proposal of the two persons themselves, or a decision
 * against the pair or any two records of their merge groups. */
static const struct known *pair_status(const struct run *r, const struct pair *p)
{
	const struct pers *x = &r->p[p->a], *y = &r->p[p->b];
	const struct known *own = find_known(r, x->id, y->id);

	if (own && strcmp(own->status, "proposed"))
		return own;
	for (size_t i = 0; i < x->n_members; i++)
		for (size_t j = 0; j < y->n_members; j++) {
			const struct known *k = find_known(r, x->members[i], y->members[j]);
			if (k && (!strcmp(k->status, "rejected") || !strcmp(k->status, "reverted")))
				return k;
		}
	return own;
}

static json_t *pers_json(const struct pers *x)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id", x->id, "surname",
			 x->surname, "given_names", x->given, "surname_typed", x->surname_typed,
			 "given_names_typed", x->given_typed, "sex", x->sex, "birth_date", x->birth,
			 "nationality", x->nationality);
}

/* Store (or, in a dry run, count) the proposals; fill res->pairs when asked. */
static enum mmis_err store_pairs(struct run *r, struct mmis_error *err)
{
	struct store *s = r->cx->store;
	char now[TIMESTAMP_STR_MAX];
	enum mmis_err rc = MMIS_OK;

	timestamp_format(timestamp_now(), now);
	if (r->opt->want_pairs && !(r->res->pairs = json_array()))
		return person_oom(err);
	for (size_t i = 0; !rc && i < r->n_pairs; i++) {
		const struct pair *p = &r->pairs[i];
		const struct known *k = pair_status(r, p);
		const char *status = k ? k->status : "new";
		char id[UUID_STR_MAX] = "";
		if (k && strcmp(k->status, "proposed")) {
			r->res->skipped++;
		} else if (r->opt->dry_run) {
			if (k)
				r->res->refreshed++;
			else
				r->res->proposed++;
		} else {
			struct store_stmt *st;
			char *reasons = mjson_dump(p->reasons ? p->reasons : json_array());
			if (!reasons) {
				rc = person_oom(err);
				break;
			}
			if (k) {
				person_copy(id, sizeof(id), k->id);
				rc = store_prepare(s, "UPDATE person_merge SET score = ?, reasons = ? "
						   "WHERE id = ? AND status = 'proposed'", &st, err);
				if (!rc) {
					store_bind_double(st, 1, p->score);
					store_bind_text(st, 2, reasons);
					store_bind_text(st, 3, id);
					rc = store_run(st, err);
					store_finalize(st);
					r->res->refreshed++;
				}
			} else {
				uuid7_new_str(id);
				rc = store_prepare(s, "INSERT INTO person_merge (id, person_a, person_b, "
						   "score, reasons, status, proposed_at, proposed_by) "
						   "VALUES (?, ?, ?, ?, ?, 'proposed', ?, ?)", &st, err);
				if (!rc) {
					store_bind_text(st, 1, id);
					store_bind_text(st, 2, r->p[p->a].id);
					store_bind_text(st, 3, r->p[p->b].id);
					store_bind_double(st, 4, p->score);
					store_bind_text(st, 5, reasons);
					store_bind_text(st, 6, now);
					store_bind_text(st, 7, r->a->user_id[0] ? r->a->user_id : NULL);
					rc = store_run(st, err);
					store_finalize(st);
					r->res->proposed++;
				}
			}
			free(reasons);
		}
		if (!rc && r->res->pairs) {
			json_t *o = json_pack("{s:o, s:s, s:f, s:o, s:[o, o]}", "merge_id",
					      id[0] ? json_string(id) : json_null(), "status", status,
					      "score", p->score, "reasons",
					      p->reasons ? json_incref(p->reasons) : json_array(),
					      "persons", pers_json(&r->p[p->a]), pers_json(&r->p[p->b]));
			if (!o || json_array_append_new(r->res->pairs, o))
				rc = person_oom(err);
		}
		if (i % 256 == 0)
			progress(r, DEDUP_STORING, i, r->n_pairs);
	}
	progress(r, DEDUP_STORING, r->n_pairs, r->n_pairs);
	return rc;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n_pairs; i++)
		json_decref(r->pairs[i].reasons);
	free(r->pairs);
	free(r->p);
	free(r->it);
	free(r->known);
	arena_free(r->mem);
}

enum mmis_err dedup_run(const struct mmis_ctx *cx, const struct actor *a,
			const struct dedup_options *opt_in, struct dedup_result *out,
			struct mmis_error *err)
{
	static const struct dedup_options defaults = { 0 };
	const struct dedup_options *opt = opt_in ? opt_in : &defaults;
	struct mmis_error local;
	struct audited_op op;
	struct run r;
	int64_t started = timestamp_now();
	enum mmis_err rc, work = MMIS_OK;

	if (!err)
		err = &local;
	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if ((rc = person_check_ctx(cx, a, err)))
		return rc;
	r.cx = cx;
	r.a = a;
	r.opt = opt;
	r.res = out;
	out->threshold = opt->threshold == 0 ? DEDUP_DEFAULT_THRESHOLD : opt->threshold;
	if ((work = merge_scope(a, &r.sc, err)))
		;
	else if (!(out->threshold >= DEDUP_THRESHOLD_MIN && out->threshold <= 1.0))
		work = mmis_error_set(err, MMIS_EINVAL, "threshold", "a threshold is from %.2f to 1",
				      DEDUP_THRESHOLD_MIN);
	else if (!(r.mem = arena_new(1 << 20)))
		work = person_oom(err);
	/*
	 * Reading and comparing run outside a transaction: a detection over a million persons
	 * takes a minute, and the border must not wait that long for the write lock. What was
	 * read is audited by the event below, written before anything read is stored or shown.
	 */
	if (!work && !(work = load_persons(&r, err)) && !(work = load_documents(&r, err)) &&
	    !(work = load_merged(&r, err)) && !(work = spread_items(&r, err)) &&
	    !(work = compare(&r, err)))
		work = load_known(&r, err);
	if (!work && r.n_pairs)
		qsort(r.pairs, r.n_pairs, sizeof(*r.pairs), pair_cmp);
	if ((rc = audited_begin(&op, cx, a, "merge.detect", "person_merge", err))) {
		run_free(&r);
		return work ? work : rc;
	}
	rc = work;
	out->found = (int64_t)r.n_pairs;
	if (!rc)
		rc = store_pairs(&r, err);
	if (!rc)
		audited_detail(&op, "%s%lld persons at %.2f: %lld pairs (%lld more alike in name "
			       "only), %lld new, %lld refreshed, %lld decided before",
			       opt->dry_run ? "dry run, " : "", (long long)out->persons, out->threshold,
			       (long long)r.n_pairs, (long long)out->names_only,
			       (long long)out->proposed, (long long)out->refreshed,
			       (long long)out->skipped);
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(out->pairs);
		out->pairs = NULL;
	}
	run_free(&r);
	out->elapsed_ms = timestamp_now() - started;
	return rc;
}
