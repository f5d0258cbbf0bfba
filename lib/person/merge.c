/*
 * merge.c - merge proposals: the review queue, one proposal with both persons side by side, and
 * the decisions (dedup.h): accept (merge), reject, revert (undo exactly).
 *
 * What a merge moves is decided by one table, person_refs: every table that references
 * person(id). A merge records each row it moves in person_merge_moved before moving it; a revert
 * moves exactly those rows back (refusing, and changing nothing, when one is no longer with the
 * survivor), then the rows recorded since under a document that went back. Decisions follow the
 * transitions table; each is one audited operation in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/stats.h"
#include "mmis/store_json.h"
#include "mmis/uuid.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SQL_MAX 8192

/*
 * Every table that references person(id). A table added later that references a person (a
 * protection case, a screening hit) is one more line here: merges move its rows, reverts move
 * them back, and its agency column, if it has one, puts a person in that agency's reach.
 * The documents come first: a revert gives documents back before the rows that follow them.
 */
static const struct person_ref person_refs[] = {
	/* table                column       rows follow document   agency column */
	{ "travel_document",    "person_id", NULL,                  NULL },
	{ "crossing",           "person_id", "document_id",         "agency_id" },
	{ "refusal",            "person_id", "document_id",         "agency_id" },
	{ "stay_authorisation", "person_id", NULL,                  NULL },
	{ "protect_screening",  "person_id", NULL,                  NULL },
	{ "protect_case",       "person_id", NULL,                  NULL },
	{ "screening_hit",      "person_id", "document_id",         NULL },
};

size_t person_ref_count(void)
{
	return COUNT(person_refs);
}

const struct person_ref *person_ref_at(size_t i)
{
	return i < COUNT(person_refs) ? &person_refs[i] : NULL;
}

/*
 * Who reviews merges: a supervisor of the records a merge joins. Protection cases will reference
 * persons too; case.supervise joins this list then.
 */
static const enum perm merge_perms[] = { PERM_BORDER_SUPERVISE };

const char *const merge_statuses[] = { "proposed", "accepted", "rejected", "reverted", NULL };

/* ---- shared helpers (internal.h) */

enum mmis_err merge_scope(const struct actor *a, enum scope *out, struct mmis_error *err)
{
	enum scope best = SCOPE_NONE;

	for (size_t i = 0; i < COUNT(merge_perms); i++) {
		enum scope s = actor_scope(a, merge_perms[i]);
		if (s > best)
			best = s;
	}
	*out = best;
	/* An own scope would reach nothing a merge needs: both persons are someone else's records. */
	if (best < SCOPE_AGENCY)
		return mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: needs the permission %s",
				      perm_name(merge_perms[0]));
	return MMIS_OK;
}

void reach_sql(struct strbuf *sb, const char *expr)
{
	strbuf_addf(sb, "(? OR EXISTS (SELECT 1 FROM person r0 WHERE r0.id = %s AND "
		    "r0.agency_id = ?)", expr);
	for (size_t i = 0; i < COUNT(person_refs); i++) {
		const struct person_ref *r = &person_refs[i];
		if (r->agency_column)
			strbuf_addf(sb, " OR EXISTS (SELECT 1 FROM %s r%zu WHERE r%zu.%s = %s AND "
				    "r%zu.%s = ?)", r->table, i + 1, i + 1, r->column, expr, i + 1,
				    r->agency_column);
	}
	strbuf_addch(sb, ')');
}

int reach_bind(struct store_stmt *st, int first, enum scope sc, const struct actor *a)
{
	/* "-" is never an agency's id: with scope all the agency tests match nothing (and are
	 * not needed). */
	const char *ag = sc == SCOPE_AGENCY && a->agency_id[0] ? a->agency_id : "-";
	int i = first;

	store_bind_bool(st, i++, sc == SCOPE_ALL);
	store_bind_text(st, i++, ag);
	for (size_t k = 0; k < COUNT(person_refs); k++)
		if (person_refs[k].agency_column)
			store_bind_text(st, i++, ag);
	return i;
}

static const char *const person_col_names[PERSON_JSON_COLS] = {
	"id", "surname", "given_names", "surname_typed", "given_names_typed", "sex", "birth_date",
	"nationality", "merged_into",
};

void person_cols_sql(struct strbuf *sb, const char *alias)
{
	for (size_t i = 0; i < PERSON_JSON_COLS; i++)
		strbuf_addf(sb, "%s%s%s", i ? ", " : "", alias, person_col_names[i]);
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *person_cols_json(struct store_stmt *st, int col)
{
	json_t *o = json_object();
	for (int i = 0; o && i < PERSON_JSON_COLS; i++)
		if (json_object_set_new(o, person_col_names[i],
					text_or_null(store_column_text(st, col + i)))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* ---- one proposal as JSON */

/* The columns of a proposal (13), then its two persons (PERSON_JSON_COLS each). */
static void merge_select_sql(struct strbuf *sb)
{
	strbuf_addstr(sb, "SELECT m.id, m.status, m.score, m.proposed_at, m.decided_at, ud.username, "
		      "m.note, m.reverted_at, ur.username, m.revert_note, m.survivor_id, m.merged_id, "
		      "m.reasons, ");
	person_cols_sql(sb, "pa.");
	strbuf_addstr(sb, ", ");
	person_cols_sql(sb, "pb.");
	strbuf_addstr(sb, " FROM person_merge m JOIN person pa ON pa.id = m.person_a "
		      "JOIN person pb ON pb.id = m.person_b "
		      "LEFT JOIN app_user ud ON ud.id = m.decided_by "
		      "LEFT JOIN app_user ur ON ur.id = m.reverted_by ");
}

#define MERGE_COLS 13

static json_t *merge_row_json(struct store_stmt *st, bool with_reasons)
{
	const char *status = store_column_text(st, 1);
	json_t *pa = person_cols_json(st, MERGE_COLS);
	json_t *pb = person_cols_json(st, MERGE_COLS + PERSON_JSON_COLS);
	bool open = status && !strcmp(status, "proposed") &&
		    store_column_is_null(st, MERGE_COLS + PERSON_JSON_COLS - 1) &&
		    store_column_is_null(st, MERGE_COLS + 2 * PERSON_JSON_COLS - 1);
	json_t *o;

	if (!pa || !pb) {
		json_decref(pa);
		json_decref(pb);
		return NULL;
	}
	o = json_pack("{s:s?, s:s?, s:f, s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:[o, o]}",
		      "id", store_column_text(st, 0), "status", status, "score",
		      store_column_double(st, 2), "proposed_at", store_column_text(st, 3),
		      "decided_at", text_or_null(store_column_text(st, 4)), "decided_by",
		      text_or_null(store_column_text(st, 5)), "note",
		      text_or_null(store_column_text(st, 6)), "reverted_at",
		      text_or_null(store_column_text(st, 7)), "reverted_by",
		      text_or_null(store_column_text(st, 8)), "revert_note",
		      text_or_null(store_column_text(st, 9)), "survivor_id",
		      text_or_null(store_column_text(st, 10)), "merged_id",
		      text_or_null(store_column_text(st, 11)), "open", open, "persons", pa, pb);
	/* A decision with no user behind it was the system's (the command line). */
	if (o && !store_column_is_null(st, 4) && store_column_is_null(st, 5))
		json_object_set_new(o, "decided_by", json_string("system"));
	if (o && !store_column_is_null(st, 7) && store_column_is_null(st, 8))
		json_object_set_new(o, "reverted_by", json_string("system"));
	if (o && with_reasons) {
		const char *text = store_column_text(st, 12);
		json_t *reasons = text ? json_loads(text, 0, NULL) : NULL;
		json_object_set_new(o, "reasons", reasons ? reasons : json_array());
	}
	return o;
}

/* One integer from `sql` with text parameters p1..p3 (NULL: not bound). */
static enum mmis_err query_int(struct store *s, const char *sql, const char *p1, const char *p2,
			       const char *p3, int64_t *out, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*out = 0;
	if ((rc = store_prepare(s, sql, &st, err)))
		return rc;
	if (p1)
		store_bind_text(st, 1, p1);
	if (p2)
		store_bind_text(st, 2, p2);
	if (p3)
		store_bind_text(st, 3, p3);
	if (!(rc = store_step(st, &row, err)) && row)
		*out = store_column_int64(st, 0);
	store_finalize(st);
	return rc;
}

/* How the rows of `person` are counted for a proposal's view. */
enum view_side {
	VIEW_NOW = 0,      /* the rows the person holds */
	VIEW_SURVIVOR = 1, /* of an accepted merge: the rows held but those the merge moved in */
	VIEW_MERGED = 2,   /* of an accepted merge: the rows the merge moved away */
};

/* The condition selecting a person's rows of `r` (alias t) for a side; side_bind binds its
 * parameters: the person (now, survivor), the merge and the table (survivor, merged). */
static void side_sql(struct strbuf *sb, const struct person_ref *r, enum view_side side)
{
	static const char moved[] = "EXISTS (SELECT 1 FROM person_merge_moved mv WHERE "
				    "mv.merge_id = ? AND mv.phase = 'merge' AND mv.table_name = ? "
				    "AND mv.row_id = t.id)";
	switch (side) {
	case VIEW_NOW:
		strbuf_addf(sb, "t.%s = ?", r->column);
		break;
	case VIEW_SURVIVOR:
		strbuf_addf(sb, "t.%s = ? AND NOT %s", r->column, moved);
		break;
	case VIEW_MERGED:
		/* The moved rows, wherever they are now (with the survivor while accepted). */
		strbuf_addstr(sb, moved);
		break;
	}
}

static void side_bind(struct store_stmt *st, const struct person_ref *r, const char *person,
		      const char *merge_id, enum view_side side)
{
	int i = 1;
	if (side != VIEW_MERGED)
		store_bind_text(st, i++, person);
	if (side != VIEW_NOW) {
		store_bind_text(st, i++, merge_id);
		store_bind_text(st, i, r->table);
	}
}

/* Documents, counts per referencing table and the last crossing of one person of a proposal. */
static enum mmis_err person_view(struct store *s, json_t *p, const char *merge_id,
				 enum view_side side, struct mmis_error *err)
{
	const char *pid = json_string_value(json_object_get(p, "id"));
	json_t *docs = json_array(), *counts = json_object();
	struct store_stmt *st;
	struct strbuf sb;
	bool row = false;
	enum mmis_err rc = MMIS_OK;

	if (!docs || !counts) {
		json_decref(docs);
		json_decref(counts);
		return person_oom(err);
	}
	json_object_set_new(p, "documents", docs);
	json_object_set_new(p, "counts", counts);
	strbuf_init(&sb, SQL_MAX);
	for (size_t i = 0; !rc && i < COUNT(person_refs); i++) {
		const struct person_ref *r = &person_refs[i];
		strbuf_reset(&sb);
		strbuf_addf(&sb, "SELECT COUNT(*) FROM %s t WHERE ", r->table);
		side_sql(&sb, r, side);
		if (strbuf_error(&sb))
			rc = person_oom(err);
		else if (!(rc = store_prepare(s, strbuf_str(&sb), &st, err))) {
			side_bind(st, r, pid, merge_id, side);
			if (!(rc = store_step(st, &row, err)) && row)
				json_object_set_new(counts, r->table,
						    json_integer(store_column_int64(st, 0)));
			store_finalize(st);
		}
	}
	/* The documents (person_refs[0]) and the last crossing (person_refs[1]). */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "SELECT t.id, t.doc_type, t.issuing_state, t.number, t.expiry_date FROM "
		      "travel_document t WHERE ");
	side_sql(&sb, &person_refs[0], side);
	strbuf_addstr(&sb, " ORDER BY t.created_at, t.id");
	if (!rc && !(rc = store_prepare(s, strbuf_str(&sb), &st, err))) {
		side_bind(st, &person_refs[0], pid, merge_id, side);
		while (!(rc = store_step(st, &row, err)) && row)
			json_array_append_new(docs, json_pack("{s:s?, s:s?, s:s?, s:s?, s:o}", "id",
							      store_column_text(st, 0), "type",
							      store_column_text(st, 1),
							      "issuing_state", store_column_text(st, 2),
							      "number", store_column_text(st, 3),
							      "expiry_date",
							      text_or_null(store_column_text(st, 4))));
		store_finalize(st);
	}
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "SELECT MAX(t.at) FROM crossing t WHERE ");
	side_sql(&sb, &person_refs[1], side);
	if (!rc && !(rc = store_prepare(s, strbuf_str(&sb), &st, err))) {
		side_bind(st, &person_refs[1], pid, merge_id, side);
		if (!(rc = store_step(st, &row, err)) && row)
			json_object_set_new(p, "last_crossing_at",
					    text_or_null(store_column_text(st, 0)));
		store_finalize(st);
	}
	strbuf_release(&sb);
	return rc;
}

/* What a merge moved, {table: rows}, for a phase. */
static enum mmis_err moved_counts(struct store *s, const char *merge_id, const char *phase,
				  json_t **out, struct mmis_error *err)
{
	json_t *o = json_object();
	enum mmis_err rc = MMIS_OK;

	*out = NULL;
	if (!o)
		return person_oom(err);
	for (size_t i = 0; !rc && i < COUNT(person_refs); i++) {
		int64_t n = 0;
		rc = query_int(s, "SELECT COUNT(*) FROM person_merge_moved WHERE merge_id = ? AND "
			       "phase = ? AND table_name = ?", merge_id, phase, person_refs[i].table, &n,
			       err);
		if (!rc)
			json_object_set_new(o, person_refs[i].table, json_integer(n));
	}
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}

/* The proposal `id` as JSON (MERGE; with `detail`, as merge_get shows it). No reach check, no
 * audit: callers do both. MMIS_ENOTFOUND when there is none. */
static enum mmis_err merge_json(struct store *s, const char *id, bool detail, json_t **out,
				struct mmis_error *err)
{
	struct store_stmt *st;
	struct strbuf sb;
	json_t *o = NULL;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	strbuf_init(&sb, SQL_MAX);
	merge_select_sql(&sb);
	strbuf_addstr(&sb, "WHERE m.id = ?");
	if (strbuf_error(&sb)) {
		strbuf_release(&sb);
		return person_oom(err);
	}
	rc = store_prepare(s, strbuf_str(&sb), &st, err);
	strbuf_release(&sb);
	if (rc)
		return rc;
	store_bind_text(st, 1, id);
	if (!(rc = store_step(st, &row, err)) && row && !(o = merge_row_json(st, detail)))
		rc = person_oom(err);
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such proposal");
	if (!rc && detail) {
		const char *status = json_string_value(json_object_get(o, "status"));
		const char *merged = json_string_value(json_object_get(o, "merged_id"));
		bool accepted = status && !strcmp(status, "accepted");
		json_t *persons = json_object_get(o, "persons");
		for (size_t i = 0; !rc && i < json_array_size(persons); i++) {
			json_t *p = json_array_get(persons, i);
			const char *pid = json_string_value(json_object_get(p, "id"));
			enum view_side side = !accepted ? VIEW_NOW :
					      merged && pid && !strcmp(merged, pid) ? VIEW_MERGED :
					      VIEW_SURVIVOR;
			rc = person_view(s, p, id, side, err);
		}
		if (!rc && status && strcmp(status, "proposed") && strcmp(status, "rejected")) {
			json_t *m = NULL, *back = NULL;
			if (!(rc = moved_counts(s, id, "merge", &m, err)))
				json_object_set_new(o, "moved", m);
			if (!rc && !(rc = moved_counts(s, id, "revert", &back, err)))
				json_object_set_new(o, "moved_back_since", back);
		}
	}
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}

/* ---- the queue */

static const struct {
	const char *name;
	const char *where;
	const char *order;
} filters[] = {
	{ "open", "m.status = 'proposed' AND pa.merged_into IS NULL AND pb.merged_into IS NULL",
	  "m.score DESC, m.id" },
	{ "decided", "m.status <> 'proposed'",
	  "COALESCE(m.reverted_at, m.decided_at) DESC, m.id DESC" },
	{ "all", "m.status IS NOT NULL", "m.proposed_at DESC, m.id DESC" },
	{ "proposed", "m.status = 'proposed'", "m.score DESC, m.id" },
	{ "accepted", "m.status = 'accepted'", "m.decided_at DESC, m.id DESC" },
	{ "rejected", "m.status = 'rejected'", "m.decided_at DESC, m.id DESC" },
	{ "reverted", "m.status = 'reverted'", "m.reverted_at DESC, m.id DESC" },
};

const char *const merge_list_filters[] = { "open", "decided", "all", "proposed", "accepted",
					   "rejected", "reverted", NULL };

/* The reach of a proposal: both persons (a merged person through the survivor holding their
 * records). */
static void merge_reach_sql(struct strbuf *sb)
{
	reach_sql(sb, "COALESCE(pa.merged_into, pa.id)");
	strbuf_addstr(sb, " AND ");
	reach_sql(sb, "COALESCE(pb.merged_into, pb.id)");
}

static int merge_reach_bind(struct store_stmt *st, int first, enum scope sc, const struct actor *a)
{
	return reach_bind(st, reach_bind(st, first, sc, a), sc, a);
}

enum mmis_err merge_list(const struct mmis_ctx *cx, const struct actor *a, const char *filter,
			 int limit, int offset, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st;
	struct audited_op op;
	struct strbuf sb;
	enum scope sc = SCOPE_NONE;
	json_t *items = NULL, *res = NULL;
	int64_t total = 0;
	size_t f = 0;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = person_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "merge.list", "person_merge", err)))
		return rc;
	if (!filter || !*filter)
		filter = "open";
	while (f < COUNT(filters) && strcmp(filters[f].name, filter))
		f++;
	if (limit == 0)
		limit = 50;
	strbuf_init(&sb, SQL_MAX);
	if ((rc = merge_scope(a, &sc, err)))
		;
	else if (f == COUNT(filters))
		rc = mmis_error_set(err, MMIS_EINVAL, "status", "status '%.20s' is not one of open, "
				    "decided, all, proposed, accepted, rejected, reverted", filter);
	else if (limit < 1 || limit > MERGE_LIST_MAX)
		rc = mmis_error_set(err, MMIS_EINVAL, "limit", "limit is 1 to %d", MERGE_LIST_MAX);
	else if (offset < 0)
		rc = mmis_error_set(err, MMIS_EINVAL, "offset", "offset must not be negative");
	else if (!(items = json_array()))
		rc = person_oom(err);
	if (!rc) {
		strbuf_addstr(&sb, "SELECT COUNT(*) FROM person_merge m JOIN person pa ON "
			      "pa.id = m.person_a JOIN person pb ON pb.id = m.person_b WHERE ");
		strbuf_addf(&sb, "%s AND ", filters[f].where);
		merge_reach_sql(&sb);
		if (strbuf_error(&sb))
			rc = person_oom(err);
		else if (!(rc = store_prepare(cx->store, strbuf_str(&sb), &st, err))) {
			merge_reach_bind(st, 1, sc, a);
			if (!(rc = store_step(st, &row, err)) && row)
				total = store_column_int64(st, 0);
			store_finalize(st);
		}
	}
	if (!rc) {
		strbuf_reset(&sb);
		merge_select_sql(&sb);
		strbuf_addf(&sb, "WHERE %s AND ", filters[f].where);
		merge_reach_sql(&sb);
		strbuf_addf(&sb, " ORDER BY %s LIMIT ? OFFSET ?", filters[f].order);
		if (strbuf_error(&sb))
			rc = person_oom(err);
		else if (!(rc = store_prepare(cx->store, strbuf_str(&sb), &st, err))) {
			int i = merge_reach_bind(st, 1, sc, a);
			store_bind_int64(st, i, limit);
			store_bind_int64(st, i + 1, offset);
			while (!(rc = store_step(st, &row, err)) && row) {
				json_t *o = merge_row_json(st, false);
				if (!o || json_array_append_new(items, o)) {
					rc = person_oom(err);
					break;
				}
			}
			store_finalize(st);
		}
	}
	strbuf_release(&sb);
	if (!rc) {
		audited_detail(&op, "%s: %zu of %lld from %d", filter, json_array_size(items),
			       (long long)total, offset);
		if (!(res = json_pack("{s:O, s:I, s:i, s:i}", "items", items, "total",
				      (json_int_t)total, "limit", limit, "offset", offset)))
			rc = person_oom(err);
	}
	json_decref(items);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}

/* ---- one proposal */

struct merge_row {
	char id[UUID_STR_MAX];
	char person[2][UUID_STR_MAX];      /* a, b */
	char merged_into[2][UUID_STR_MAX]; /* "" when not merged */
	char created[2][TIMESTAMP_STR_MAX];
	char status[16];
	char survivor[UUID_STR_MAX];
	char merged[UUID_STR_MAX];
};

/* Load the proposal `id` if it is within the actor's reach; MMIS_ENOTFOUND otherwise. */
static enum mmis_err load_merge(struct store *s, const char *id, enum scope sc,
				const struct actor *a, struct merge_row *m, struct mmis_error *err)
{
	struct store_stmt *st;
	struct strbuf sb;
	bool row = false;
	enum mmis_err rc;

	memset(m, 0, sizeof(*m));
	if (!uuid_valid(id))
		return mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such proposal");
	strbuf_init(&sb, SQL_MAX);
	strbuf_addstr(&sb, "SELECT m.id, m.person_a, m.person_b, pa.merged_into, pb.merged_into, "
		      "pa.created_at, pb.created_at, m.status, m.survivor_id, m.merged_id "
		      "FROM person_merge m JOIN person pa ON pa.id = m.person_a "
		      "JOIN person pb ON pb.id = m.person_b WHERE m.id = ? AND ");
	merge_reach_sql(&sb);
	if (strbuf_error(&sb)) {
		strbuf_release(&sb);
		return person_oom(err);
	}
	rc = store_prepare(s, strbuf_str(&sb), &st, err);
	strbuf_release(&sb);
	if (rc)
		return rc;
	store_bind_text(st, 1, id);
	merge_reach_bind(st, 2, sc, a);
	if (!(rc = store_step(st, &row, err)) && row) {
		person_copy(m->id, sizeof(m->id), store_column_text(st, 0));
		for (int i = 0; i < 2; i++) {
			person_copy(m->person[i], sizeof(m->person[i]), store_column_text(st, 1 + i));
			person_copy(m->merged_into[i], sizeof(m->merged_into[i]),
				    store_column_text(st, 3 + i));
			person_copy(m->created[i], sizeof(m->created[i]), store_column_text(st, 5 + i));
		}
		person_copy(m->status, sizeof(m->status), store_column_text(st, 7));
		person_copy(m->survivor, sizeof(m->survivor), store_column_text(st, 8));
		person_copy(m->merged, sizeof(m->merged), store_column_text(st, 9));
	}
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such proposal");
	return rc;
}

/*
 * What the stay rule says of the two records: each as it stands (while they are apart) and both
 * taken together, as one traveller. Two stays of 60 days on two records are one overstay: the
 * reason a supervisor should not leave such a proposal waiting. Left out for an actor who may
 * not read border records.
 */
static enum mmis_err add_stay(const struct mmis_ctx *cx, const struct actor *a, json_t *m,
			      struct mmis_error *err)
{
	const char *status = json_string_value(json_object_get(m, "status"));
	json_t *persons = json_object_get(m, "persons"), *stay, *each, *st = NULL;
	const char *ids[2];
	enum mmis_err rc;

	if (actor_scope(a, PERM_BORDER_READ) == SCOPE_NONE)
		return MMIS_OK;
	for (size_t i = 0; i < 2; i++)
		ids[i] = json_string_value(json_object_get(json_array_get(persons, i), "id"));
	if (!ids[0] || !ids[1])
		return MMIS_OK;
	if (!(stay = json_object()) || json_object_set_new(m, "stay", stay))
		return person_oom(err);
	if ((rc = border_status_together(cx, a, ids, 2, &st, err)))
		return rc;
	json_object_set_new(stay, "together", st);
	if (status && !strcmp(status, "accepted"))
		return MMIS_OK; /* the survivor holds everything now: together is what it has */
	if (!(each = json_array()) || json_object_set_new(stay, "each", each))
		return person_oom(err);
	for (size_t i = 0; i < 2; i++) {
		if ((rc = border_status_together(cx, a, &ids[i], 1, &st, err)))
			return rc;
		json_array_append_new(each, st);
	}
	return MMIS_OK;
}

enum mmis_err merge_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct merge_row m;
	struct audited_op op;
	enum scope sc = SCOPE_NONE;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = person_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "merge.read", "person_merge", err)))
		return rc;
	if (uuid_valid(id))
		person_copy(op.object_id, sizeof(op.object_id), id);
	if (!(rc = merge_scope(a, &sc, err)) && !(rc = load_merge(cx->store, id, sc, a, &m, err)) &&
	    !(rc = merge_json(cx->store, id, true, out, err)) && !(rc = add_stay(cx, a, *out, err)))
		audited_detail(&op, "persons %s and %s (%s)", m.person[0], m.person[1], m.status);
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- decisions */

struct decision {
	const struct mmis_ctx *cx;
	const struct actor *a;
	struct merge_row m;
	const char *survivor_in; /* accept: asked for, or NULL */
	const char *note;
	char now[TIMESTAMP_STR_MAX];
	struct audited_op *op;
};

/* "2 travel_document, 5 crossing" for the audit detail. */
static void add_count(struct strbuf *sb, const char *table, int64_t n)
{
	if (n)
		strbuf_addf(sb, "%s%lld %s", sb->len ? ", " : "", (long long)n, table);
}

static enum mmis_err do_accept(struct decision *d, struct mmis_error *err)
{
	struct store *s = d->cx->store;
	struct merge_row *m = &d->m;
	const char *survivor, *merged;
	struct strbuf sql, what;
	enum mmis_err rc = MMIS_OK;
	int keep;

	for (int i = 0; i < 2; i++)
		if (m->merged_into[i][0])
			return mmis_error_set(err, MMIS_ECONFLICT, NULL,
					      "person %s has since been merged into %s: run the "
					      "detection again to compare the records as they are now",
					      m->person[i], m->merged_into[i]);
	if (d->survivor_in && *d->survivor_in) {
		if (strcmp(d->survivor_in, m->person[0]) && strcmp(d->survivor_in, m->person[1]))
			return mmis_error_set(err, MMIS_EINVAL, "survivor",
					      "the survivor is one of the proposal's two persons");
		keep = !strcmp(d->survivor_in, m->person[0]) ? 0 : 1;
	} else {
		/* The record made first keeps the records: it is the identity known longest. */
		keep = strcmp(m->created[1], m->created[0]) < 0 ? 1 : 0;
	}
	survivor = m->person[keep];
	merged = m->person[1 - keep];
	strbuf_init(&sql, SQL_MAX);
	strbuf_init(&what, 200);
	for (size_t i = 0; !rc && i < COUNT(person_refs); i++) {
		const struct person_ref *r = &person_refs[i];
		const char *rec[] = { m->id, r->table, r->column, merged };
		const char *mv[] = { survivor, merged };
		int64_t n = 0;
		strbuf_reset(&sql);
		strbuf_addf(&sql, "INSERT INTO person_merge_moved (merge_id, phase, table_name, "
			    "column_name, row_id) SELECT ?, 'merge', ?, ?, id FROM %s WHERE %s = ?",
			    r->table, r->column);
		if (strbuf_error(&sql)) {
			rc = person_oom(err);
			break;
		}
		if ((rc = store_run_params(s, strbuf_str(&sql), rec, COUNT(rec), NULL, err)))
			break;
		strbuf_reset(&sql);
		strbuf_addf(&sql, "UPDATE %s SET %s = ? WHERE %s = ?", r->table, r->column, r->column);
		if (!(rc = store_run_params(s, strbuf_str(&sql), mv, COUNT(mv), &n, err)))
			add_count(&what, r->table, n);
	}
	if (!rc) {
		const char *p[] = { survivor, d->now, merged };
		int64_t n = 0;
		rc = store_run_params(s, "UPDATE person SET merged_into = ?, merged_at = ? WHERE id = ? AND "
			     "merged_into IS NULL", p, COUNT(p), &n, err);
		if (!rc && n != 1)
			rc = mmis_error_set(err, MMIS_ECONFLICT, NULL, "person %s was merged meanwhile",
					    merged);
	}
	if (!rc) {
		const char *p[] = { survivor, merged, d->now, d->a->user_id[0] ? d->a->user_id : NULL,
				    d->note, m->id };
		rc = store_run_params(s, "UPDATE person_merge SET status = 'accepted', survivor_id = ?, "
			     "merged_id = ?, decided_at = ?, decided_by = ?, note = ? WHERE id = ?", p,
			     COUNT(p), NULL, err);
	}
	if (!rc)
		audited_detail(d->op, "person %s into %s: moved %s", merged, survivor,
			       what.len ? strbuf_str(&what) : "nothing");
	strbuf_release(&sql);
	strbuf_release(&what);
	return rc;
}

static enum mmis_err do_reject(struct decision *d, struct mmis_error *err)
{
	const char *p[] = { d->now, d->a->user_id[0] ? d->a->user_id : NULL, d->note, d->m.id };
	enum mmis_err rc = store_run_params(d->cx->store, "UPDATE person_merge SET status = 'rejected', "
				   "decided_at = ?, decided_by = ?, note = ? WHERE id = ?", p,
				   COUNT(p), NULL, err);
	if (!rc)
		audited_detail(d->op, "persons %s and %s are different people", d->m.person[0],
			       d->m.person[1]);
	return rc;
}

static enum mmis_err do_revert(struct decision *d, struct mmis_error *err)
{
	struct store *s = d->cx->store;
	struct merge_row *m = &d->m;
	const char *survivor = m->survivor, *merged = m->merged;
	struct strbuf sql, what;
	char later[UUID_STR_MAX] = "", into[UUID_STR_MAX] = "";
	enum mmis_err rc = MMIS_OK;
	int sv = !strcmp(survivor, m->person[0]) ? 0 : 1;

	if (m->merged_into[sv][0]) {
		/* Name the later merge that must be reverted first. */
		struct store_stmt *st;
		bool row = false;
		person_copy(into, sizeof(into), m->merged_into[sv]);
		if (!(rc = store_prepare(s, "SELECT id FROM person_merge WHERE merged_id = ? AND "
					 "status = 'accepted'", &st, err))) {
			store_bind_text(st, 1, survivor);
			if (!(rc = store_step(st, &row, err)) && row)
				person_copy(later, sizeof(later), store_column_text(st, 0));
			store_finalize(st);
		}
		if (rc)
			return rc;
		return mmis_error_set(err, MMIS_ECONFLICT, NULL,
				      "person %s has since been merged into %s (merge %s): revert "
				      "that merge first", survivor, into, later[0] ? later : "?");
	}
	if (strcmp(m->merged_into[1 - sv], survivor))
		return mmis_error_set(err, MMIS_ECONFLICT, NULL, "person %s is not merged into %s",
				      merged, survivor);
	strbuf_init(&sql, SQL_MAX);
	strbuf_init(&what, 200);
	/* The rows the merge moved, exactly: all of them or nothing. */
	for (size_t i = 0; !rc && i < COUNT(person_refs); i++) {
		const struct person_ref *r = &person_refs[i];
		const char *p[] = { merged, survivor, m->id, r->table };
		int64_t expected = 0, n = 0;
		if ((rc = query_int(s, "SELECT COUNT(*) FROM person_merge_moved WHERE merge_id = ? "
				    "AND phase = 'merge' AND table_name = ?", m->id, r->table, NULL,
				    &expected, err)))
			break;
		strbuf_reset(&sql);
		strbuf_addf(&sql, "UPDATE %s SET %s = ? WHERE %s = ? AND id IN (SELECT row_id FROM "
			    "person_merge_moved WHERE merge_id = ? AND phase = 'merge' AND "
			    "table_name = ?)", r->table, r->column, r->column);
		if (strbuf_error(&sql))
			rc = person_oom(err);
		else if (!(rc = store_run_params(s, strbuf_str(&sql), p, COUNT(p), &n, err)) && n != expected)
			rc = mmis_error_set(err, MMIS_ECONFLICT, NULL,
					    "%lld of the %lld %s rows the merge moved are no longer "
					    "with person %s: nothing was reverted",
					    (long long)(expected - n), (long long)expected, r->table,
					    survivor);
		if (!rc)
			add_count(&what, r->table, n);
	}
	/* Rows recorded since the merge under a document that went back are that person's. */
	for (size_t i = 0; !rc && i < COUNT(person_refs); i++) {
		const struct person_ref *r = &person_refs[i];
		const char *rec[] = { m->id, r->table, r->column, survivor, merged };
		const char *mv[] = { merged, survivor, merged };
		int64_t n = 0;
		if (!r->document_column)
			continue;
		strbuf_reset(&sql);
		strbuf_addf(&sql, "INSERT INTO person_merge_moved (merge_id, phase, table_name, "
			    "column_name, row_id) SELECT ?, 'revert', ?, ?, t.id FROM %s t WHERE "
			    "t.%s = ? AND t.%s IN (SELECT d.id FROM travel_document d WHERE "
			    "d.person_id = ?)", r->table, r->column, r->document_column);
		if (strbuf_error(&sql)) {
			rc = person_oom(err);
			break;
		}
		if ((rc = store_run_params(s, strbuf_str(&sql), rec, COUNT(rec), NULL, err)))
			break;
		strbuf_reset(&sql);
		strbuf_addf(&sql, "UPDATE %s SET %s = ? WHERE %s = ? AND %s IN (SELECT d.id FROM "
			    "travel_document d WHERE d.person_id = ?)", r->table, r->column,
			    r->column, r->document_column);
		if (!(rc = store_run_params(s, strbuf_str(&sql), mv, COUNT(mv), &n, err)) && n)
			strbuf_addf(&what, "%s%lld %s recorded since", what.len ? ", " : "",
				    (long long)n, r->table);
	}
	if (!rc) {
		const char *p[] = { merged };
		rc = store_run_params(s, "UPDATE person SET merged_into = NULL, merged_at = NULL WHERE id = ?",
			     p, COUNT(p), NULL, err);
	}
	if (!rc) {
		const char *p[] = { d->now, d->a->user_id[0] ? d->a->user_id : NULL, d->note, m->id };
		rc = store_run_params(s, "UPDATE person_merge SET status = 'reverted', reverted_at = ?, "
			     "reverted_by = ?, revert_note = ? WHERE id = ?", p, COUNT(p), NULL, err);
	}
	if (!rc)
		audited_detail(d->op, "person %s out of %s again: moved back %s", merged, survivor,
			       what.len ? strbuf_str(&what) : "nothing");
	strbuf_release(&sql);
	strbuf_release(&what);
	return rc;
}

/* The decisions: which status each applies to, what it makes, what it does. */
static const struct transition {
	const char *verb;
	const char *action; /* the audit event */
	const char *from, *to;
	bool note_required;
	bool moves_crossings; /* the statistics' roll-ups must follow (stats.h) */
	enum mmis_err (*work)(struct decision *d, struct mmis_error *err);
} transitions[] = {
	{ "accept", "merge.accept", "proposed", "accepted", false, true, do_accept },
	{ "reject", "merge.reject", "proposed", "rejected", false, false, do_reject },
	{ "revert", "merge.revert", "accepted", "reverted", true, true, do_revert },
};

/*
 * Take both persons' crossings out of the roll-ups (sign -1) or put them back (+1): a crossing
 * is counted by its person's nationality, sex and age, which change when it moves to the other.
 */
static enum mmis_err rollup_pair(struct store *s, const struct merge_row *m, int sign,
				 struct mmis_error *err)
{
	enum mmis_err rc = MMIS_OK;

	for (int i = 0; !rc && i < 2; i++)
		rc = stats_rollup_person(s, m->person[i], sign, err);
	return rc;
}

static enum mmis_err decide(const struct mmis_ctx *cx, const struct actor *a,
			    const struct transition *tr, const char *id, const char *survivor,
			    const char *note, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct decision d;
	enum scope sc = SCOPE_NONE;
	size_t note_len = note ? strlen(note) : 0;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if (out)
		*out = NULL;
	if ((rc = person_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, tr->action, "person_merge", err)))
		return rc;
	memset(&d, 0, sizeof(d));
	d.cx = cx;
	d.a = a;
	d.op = &op;
	d.survivor_in = survivor;
	d.note = note_len ? note : NULL;
	timestamp_format(timestamp_now(), d.now);
	if (uuid_valid(id))
		person_copy(op.object_id, sizeof(op.object_id), id);
	if ((rc = merge_scope(a, &sc, err)))
		;
	else if (note_len > DEDUP_NOTE_MAX || (note && !mjson_text_ok(note, note_len, false)))
		rc = mmis_error_set(err, MMIS_EINVAL, "note", "a note is at most %d bytes of text",
				    DEDUP_NOTE_MAX);
	else if (tr->note_required && !note_len)
		rc = mmis_error_set(err, MMIS_EINVAL, "note", "say why the merge is %s",
				    tr->to);
	else if (!(rc = load_merge(cx->store, id, sc, a, &d.m, err)) && strcmp(d.m.status, tr->from))
		rc = mmis_error_set(err, MMIS_ECONFLICT, "id", "the proposal is %s: only a %s one "
				    "can be %s", d.m.status, tr->from, tr->to);
	if (!rc && tr->moves_crossings)
		rc = rollup_pair(cx->store, &d.m, -1, err);
	if (!rc)
		rc = tr->work(&d, err);
	if (!rc && tr->moves_crossings)
		rc = rollup_pair(cx->store, &d.m, +1, err);
	/* The answer is read inside the operation, so that its event covers the read. */
	if (!rc && out && !(rc = merge_json(cx->store, d.m.id, true, out, err)))
		rc = add_stay(cx, a, *out, err);
	rc = audited_end(&op, rc, err);
	if (rc && out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

enum mmis_err merge_accept(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *survivor, const char *note, json_t **out,
			   struct mmis_error *err)
{
	return decide(cx, a, &transitions[0], id, survivor, note, out, err);
}

enum mmis_err merge_reject(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *note, json_t **out, struct mmis_error *err)
{
	return decide(cx, a, &transitions[1], id, NULL, note, out, err);
}

enum mmis_err merge_revert(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *note, json_t **out, struct mmis_error *err)
{
	return decide(cx, a, &transitions[2], id, NULL, note, out, err);
}
