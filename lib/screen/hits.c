/*
 * hits.c - screening the traveller of each crossing, and the hits it raises: saved with their
 * reasons, read, confirmed or dismissed by an officer (screen.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/match.h"
#include "mmis/store_json.h"
#include "mmis/uuid.h"

#define CROSSING_LIMIT 10 /* hits raised on one crossing at most */

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

/* ---- reading hits */

#define HIT_SELECT                                                                              \
	"SELECT h.id, h.crossing_id, h.person_id, h.document_id, w.name, h.watchlist_id, "      \
	"w.category, h.action, h.entry_external_id, h.entry_name, h.entry, h.score, h.reasons, " \
	"h.status, h.created_at, u.username, h.decided_at, h.note, h.officer_id, h.agency_id, " \
	"p.surname, p.given_names, p.nationality, p.birth_date, d.number, d.issuing_state, "   \
	"c.at, c.bcp_code, c.direction "                                                        \
	"FROM screening_hit h JOIN watchlist w ON w.id = h.watchlist_id "                        \
	"JOIN crossing c ON c.id = h.crossing_id JOIN person p ON p.id = h.person_id "           \
	"JOIN travel_document d ON d.id = h.document_id "                                        \
	"LEFT JOIN app_user u ON u.id = h.decided_by "

/* Serious first: the list's action, then the score. */
#define HIT_ORDER                                                                               \
	" ORDER BY CASE h.action WHEN 'refuse_entry' THEN 0 WHEN 'detain' THEN 1 WHEN 'notify' " \
	"THEN 2 ELSE 3 END, h.score DESC, h.id"

static json_t *json_text(const char *text, json_t *(*dflt)(void))
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	return v ? v : dflt();
}

static json_t *hit_row_json(struct store_stmt *st)
{
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:f, "
			 "s:o, s:s?, s:s?, s:s?, s:s?, s:s?, "
			 "s:{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}}",
			 "id", store_column_text(st, 0), "crossing_id", store_column_text(st, 1),
			 "person_id", store_column_text(st, 2), "document_id",
			 store_column_text(st, 3), "list", store_column_text(st, 4), "list_id",
			 store_column_text(st, 5), "category", store_column_text(st, 6), "action",
			 store_column_text(st, 7), "entry_id", store_column_text(st, 8), "name",
			 store_column_text(st, 9), "entry",
			 json_text(store_column_text(st, 10), json_object), "score",
			 store_column_double(st, 11), "reasons",
			 json_text(store_column_text(st, 12), json_array), "status",
			 store_column_text(st, 13), "created_at", store_column_text(st, 14),
			 "decided_by", store_column_text(st, 15), "decided_at",
			 store_column_text(st, 16), "note", store_column_text(st, 17),
			 "traveller", "surname", store_column_text(st, 20), "given_names",
			 store_column_text(st, 21), "nationality", store_column_text(st, 22),
			 "birth_date", store_column_text(st, 23), "document_number",
			 store_column_text(st, 24), "issuing_state", store_column_text(st, 25),
			 "crossing_at", store_column_text(st, 26), "bcp", store_column_text(st, 27),
			 "direction", store_column_text(st, 28));
}

static json_t *hit_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	return hit_row_json(st);
}

/* The hits of a query whose one parameter is `param`, as a JSON array. */
static enum mmis_err hit_rows(struct store *s, const char *sql, const char *param, json_t **out,
			      struct mmis_error *err)
{
	return store_rows_json(s, sql, &param, 1, hit_row, NULL, false, out, err);
}

/* ---- screening a crossing */

static enum mmis_err dismissed(struct store *s, const char *document_id, const char *list_id,
			       const char *external_id, bool *yes, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	*yes = false;
	if ((rc = store_prepare(s, "SELECT 1 FROM screening_dismissal WHERE document_id = ? AND "
				"watchlist_id = ? AND entry_external_id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, document_id);
	store_bind_text(st, 2, list_id);
	store_bind_text(st, 3, external_id);
	rc = store_step(st, yes, err);
	store_finalize(st);
	return rc;
}

/* What the entry says, for the officer to compare: {names, birth_dates, nationalities,
 * documents}, read from the list (or only the name, when the list has been re-imported since). */
static enum mmis_err entry_json(struct store *s, const struct screen_entry *e, char **out,
				struct mmis_error *err)
{
	struct store_stmt *st;
	struct strbuf sb;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	if ((rc = store_prepare(s, "SELECT name, aliases, birth_dates, nationalities, documents, "
				"valid_from, valid_to FROM watchlist_entry WHERE watchlist_id = ? AND "
				"external_id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, e->list_id);
	store_bind_text(st, 2, e->external_id);
	strbuf_init(&sb, 1024 * 1024);
	if (!(rc = store_step(st, &row, err)) && row) {
		const char *name = store_column_text(st, 0), *aliases = store_column_text(st, 1);
		/* the primary name first, then the aliases (a JSON array already) */
		strbuf_addstr(&sb, "{\"names\":[");
		if (name)
			screen_json_quote(&sb, name);
		if (aliases && aliases[0] == '[' && strcmp(aliases, "[]")) {
			if (name)
				strbuf_addch(&sb, ',');
			strbuf_addstr(&sb, aliases + 1);
		} else {
			strbuf_addch(&sb, ']');
		}
		strbuf_addf(&sb, ",\"birth_dates\":%s,\"nationalities\":%s,\"documents\":%s",
			    store_column_text(st, 2), store_column_text(st, 3),
			    store_column_text(st, 4));
		for (int c = 5; c <= 6; c++) {
			const char *d = store_column_text(st, c);
			strbuf_addstr(&sb, c == 5 ? ",\"valid_from\":" : ",\"valid_to\":");
			if (d)
				screen_json_quote(&sb, d);
			else
				strbuf_addstr(&sb, "null");
		}
		strbuf_addch(&sb, '}');
	} else if (!rc) {
		strbuf_addstr(&sb, "{\"names\":");
		screen_json_strings(&sb, &e->name, e->name ? 1 : 0);
		strbuf_addstr(&sb, "}");
	}
	store_finalize(st);
	if (!rc && strbuf_error(&sb))
		rc = screen_oom(err);
	if (!rc)
		*out = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	return rc;
}

static enum mmis_err insert_hit(struct store *s, const struct actor *a,
				const struct screen_subject *subj, const struct screen_entry *e,
				const struct match_hit *h, const char *now, struct mmis_error *err)
{
	struct store_stmt *st;
	char id[UUID_STR_MAX], *entry = NULL, *reasons = NULL;
	enum mmis_err rc;

	if ((rc = entry_json(s, e, &entry, err)))
		return rc;
	if (!(reasons = h->reasons ? mjson_dump(h->reasons) : strdup("[]"))) {
		free(entry);
		return screen_oom(err);
	}
	uuid7_new_str(id);
	if (!(rc = store_prepare(s, "INSERT INTO screening_hit (id, crossing_id, person_id, "
				 "document_id, watchlist_id, entry_external_id, entry_name, entry, "
				 "action, score, reasons, status, officer_id, agency_id, created_at) "
				 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)", &st,
				 err))) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, subj->crossing_id);
		store_bind_text(st, 3, subj->person_id);
		store_bind_text(st, 4, subj->document_id);
		store_bind_text(st, 5, e->list_id);
		store_bind_text(st, 6, e->external_id);
		store_bind_text(st, 7, e->name ? e->name : e->document);
		store_bind_text(st, 8, entry);
		store_bind_text(st, 9, e->action);
		store_bind_double(st, 10, screen_round3(h->score));
		store_bind_text(st, 11, reasons);
		store_bind_text(st, 12, nz(a->user_id));
		store_bind_text(st, 13, nz(a->agency_id));
		store_bind_text(st, 14, now);
		rc = store_run(st, err);
		store_finalize(st);
	}
	free(entry);
	free(reasons);
	return rc;
}

enum mmis_err screen_crossing(const struct mmis_ctx *cx, const struct actor *a,
			      const struct screen_subject *subj, json_t **hits_out, json_t **info,
			      struct mmis_error *err)
{
	struct screen_snapshot *snap = NULL;
	struct match_hit hits[CROSSING_LIMIT];
	const struct screen_entry *entries[CROSSING_LIMIT];
	const char *names[2], *dates[1], *nats[1], *docs[1];
	char now[TIMESTAMP_STR_MAX];
	struct match_record r = { 0 };
	size_t got = 0, raised = 0;
	bool current = false;
	enum mmis_err rc;

	*hits_out = NULL;
	*info = NULL;
	if (!cx->screen) {
		*info = json_null();
		return (*hits_out = json_array()) ? MMIS_OK : screen_oom(err);
	}
	for (size_t i = 0; i < 2; i++)
		if (nz(subj->names[i]) && !(r.n_names && !strcmp(names[0], subj->names[i])))
			names[r.n_names++] = subj->names[i];
	dates[0] = subj->birth_date;
	nats[0] = subj->nationality;
	docs[0] = subj->document_number;
	r.names = names;
	r.birth_dates = dates;
	r.n_birth_dates = nz(subj->birth_date) ? 1 : 0;
	r.nationalities = nats;
	r.n_nationalities = nz(subj->nationality) ? 1 : 0;
	r.sex = subj->sex && strcmp(subj->sex, "X") ? subj->sex : NULL;
	r.documents = docs;
	r.n_documents = nz(subj->document_number) ? 1 : 0;

	if (!(snap = screen_acquire(cx->screen, cx->store, &current, err)))
		return err && err->code ? err->code : MMIS_EBUSY;
	rc = screen_snapshot_search(snap, &r, MATCH_DEFAULT_THRESHOLD, CROSSING_LIMIT, hits,
				    entries, &got, err);
	timestamp_format(timestamp_now(), now);
	for (size_t i = 0; !rc && i < got; i++) {
		bool skip = false;
		if (!(rc = dismissed(cx->store, subj->document_id, entries[i]->list_id,
				     entries[i]->external_id, &skip, err)) && !skip) {
			rc = insert_hit(cx->store, a, subj, entries[i], &hits[i], now, err);
			raised++;
		}
	}
	match_hits_free(hits, got);
	if (!rc && !(*info = json_pack("{s:I, s:b, s:I}", "generation",
				       (json_int_t)screen_snapshot_generation(snap), "current",
				       current, "entries",
				       (json_int_t)screen_snapshot_entries(snap))))
		rc = screen_oom(err);
	screen_release(snap);
	if (!rc && raised)
		rc = hit_rows(cx->store, HIT_SELECT "WHERE h.crossing_id = ?" HIT_ORDER,
			      subj->crossing_id, hits_out, err);
	else if (!rc && !(*hits_out = json_array()))
		rc = screen_oom(err);
	if (rc) {
		json_decref(*info);
		*info = NULL;
	}
	return rc;
}

/* ---- one hit: reading and deciding */

struct hit_owner {
	char officer_id[UUID_STR_MAX];
	char agency_id[UUID_STR_MAX];
	char document_id[UUID_STR_MAX];
	char list_id[UUID_STR_MAX];
	char external_id[WATCHLIST_ID_MAX + 1];
	char status[16];
};

static enum mmis_err hit_owner(struct store *s, const char *id, struct hit_owner *o, bool *found,
			       struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	*found = false;
	memset(o, 0, sizeof(*o));
	if (!uuid_valid(id))
		return MMIS_OK;
	if ((rc = store_prepare(s, "SELECT officer_id, agency_id, document_id, watchlist_id, "
				"entry_external_id, status FROM screening_hit WHERE id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, id);
	if (!(rc = store_step(st, found, err)) && *found) {
		screen_copy(o->officer_id, sizeof(o->officer_id), store_column_text(st, 0));
		screen_copy(o->agency_id, sizeof(o->agency_id), store_column_text(st, 1));
		screen_copy(o->document_id, sizeof(o->document_id), store_column_text(st, 2));
		screen_copy(o->list_id, sizeof(o->list_id), store_column_text(st, 3));
		screen_copy(o->external_id, sizeof(o->external_id), store_column_text(st, 4));
		screen_copy(o->status, sizeof(o->status), store_column_text(st, 5));
	}
	store_finalize(st);
	return rc;
}

static enum mmis_err one_hit(struct store *s, const char *id, json_t **out, struct mmis_error *err)
{
	json_t *arr = NULL;
	enum mmis_err rc = hit_rows(s, HIT_SELECT "WHERE h.id = ?", id, &arr, err);

	*out = NULL;
	if (rc)
		return rc;
	if (!(*out = json_incref(json_array_get(arr, 0))))
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such hit");
	json_decref(arr);
	return rc;
}

enum mmis_err screen_hit_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			     json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct hit_owner o;
	struct audited_op op;
	bool found = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = screen_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "screening_hit.read", "screening_hit", err)))
		return rc;
	if (uuid_valid(id))
		screen_copy(op.object_id, sizeof(op.object_id), id);
	if (actor_scope(a, PERM_BORDER_READ) == SCOPE_NONE)
		rc = screen_denied(err, PERM_BORDER_READ);
	else if (!(rc = hit_owner(cx->store, id, &o, &found, err)) &&
		 (!found || !actor_may(a, PERM_BORDER_READ, o.officer_id, o.agency_id)))
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such hit");
	if (!rc)
		rc = one_hit(cx->store, id, out, err);
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static const char *const hit_statuses[] = { "pending", "confirmed", "dismissed", NULL };

enum mmis_err screen_hit_list(const struct mmis_ctx *cx, const struct actor *a,
			      const char *status, int limit, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st = NULL;
	struct audited_op op;
	struct strbuf sql;
	enum scope sc;
	bool row = false;
	json_t *arr = NULL;
	int k = 1;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = screen_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "screening_hit.list", "screening_hit", err)))
		return rc;
	sc = actor_scope(a, PERM_BORDER_READ);
	strbuf_init(&sql, 4096);
	strbuf_addstr(&sql, HIT_SELECT "WHERE 1 = 1");
	if (status)
		strbuf_addstr(&sql, " AND h.status = ?");
	if (sc == SCOPE_AGENCY)
		strbuf_addstr(&sql, " AND h.agency_id = ?");
	else if (sc == SCOPE_OWN)
		strbuf_addstr(&sql, " AND h.officer_id = ?");
	strbuf_addstr(&sql, " ORDER BY h.created_at DESC, h.id DESC LIMIT ?");
	if (sc == SCOPE_NONE)
		rc = screen_denied(err, PERM_BORDER_READ);
	else if (status && (rc = screen_code_check(hit_statuses, status, "status", err)))
		;
	else if (limit < 1 || limit > 1000)
		rc = mmis_error_set(err, MMIS_EINVAL, "limit", "the limit is 1 to 1000");
	else if (strbuf_error(&sql) || !(arr = json_array()))
		rc = screen_oom(err);
	else if (!(rc = store_prepare(cx->store, strbuf_str(&sql), &st, err))) {
		if (status)
			store_bind_text(st, k++, status);
		if (sc == SCOPE_AGENCY)
			store_bind_text(st, k++, a->agency_id);
		else if (sc == SCOPE_OWN)
			store_bind_text(st, k++, a->user_id);
		store_bind_int64(st, k, limit);
		while (!(rc = store_step(st, &row, err)) && row) {
			json_t *o = hit_row_json(st);
			if (!o || json_array_append_new(arr, o)) {
				rc = screen_oom(err);
				break;
			}
		}
		store_finalize(st);
	}
	strbuf_release(&sql);
	if (!rc)
		audited_detail(&op, "%zu %s hits", json_array_size(arr), status ? status : "");
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

enum mmis_err screen_hit_decide(const struct mmis_ctx *cx, const struct actor *a, const char *id,
				bool confirm, const char *note, json_t **out,
				struct mmis_error *err)
{
	struct mmis_error local;
	struct hit_owner o;
	struct audited_op op;
	struct store_stmt *st;
	char now[TIMESTAMP_STR_MAX];
	bool found = false;
	size_t note_len = note ? strlen(note) : 0;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if (out)
		*out = NULL;
	if ((rc = screen_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, confirm ? "screening_hit.confirm"
						    : "screening_hit.dismiss", "screening_hit", err)))
		return rc;
	if (uuid_valid(id))
		screen_copy(op.object_id, sizeof(op.object_id), id);
	timestamp_format(timestamp_now(), now);
	if (actor_scope(a, PERM_BORDER_WRITE) == SCOPE_NONE)
		rc = screen_denied(err, PERM_BORDER_WRITE);
	else if (note_len > SCREEN_NOTE_MAX || (note && !mjson_text_ok(note, note_len, false)))
		rc = mmis_error_set(err, MMIS_EINVAL, "note", "a note has at most %d bytes of text",
				    SCREEN_NOTE_MAX);
	else if (!confirm && !nz(note))
		rc = mmis_error_set(err, MMIS_EINVAL, "note", "say why the traveller is not the "
				    "listed person: a dismissal needs a note");
	else if (!(rc = hit_owner(cx->store, id, &o, &found, err))) {
		if (!found || !actor_may(a, PERM_BORDER_READ, o.officer_id, o.agency_id))
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such hit");
		else if (!actor_may(a, PERM_BORDER_WRITE, o.officer_id, o.agency_id))
			rc = mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: the hit is on "
					    "another officer's crossing (a supervisor may decide it)");
		else if (strcmp(o.status, "pending"))
			rc = mmis_error_set(err, MMIS_ECONFLICT, "id", "the hit is %s already",
					    o.status);
	}
	if (!rc && !(rc = store_prepare(cx->store, "UPDATE screening_hit SET status = ?, "
					"decided_by = ?, decided_at = ?, note = ? WHERE id = ? AND "
					"status = 'pending'", &st, err))) {
		store_bind_text(st, 1, confirm ? "confirmed" : "dismissed");
		store_bind_text(st, 2, nz(a->user_id));
		store_bind_text(st, 3, now);
		store_bind_text(st, 4, nz(note));
		store_bind_text(st, 5, id);
		rc = store_run(st, err);
		if (!rc && store_changes(st) != 1)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "id", "the hit was decided meanwhile");
		store_finalize(st);
	}
	if (!rc && !confirm) {
		bool there = false;
		rc = dismissed(cx->store, o.document_id, o.list_id, o.external_id, &there, err);
		if (!rc && !there &&
		    !(rc = store_prepare(cx->store, "INSERT INTO screening_dismissal (document_id, "
					 "watchlist_id, entry_external_id, hit_id, dismissed_by, "
					 "dismissed_at) VALUES (?, ?, ?, ?, ?, ?)", &st, err))) {
			store_bind_text(st, 1, o.document_id);
			store_bind_text(st, 2, o.list_id);
			store_bind_text(st, 3, o.external_id);
			store_bind_text(st, 4, id);
			store_bind_text(st, 5, nz(a->user_id));
			store_bind_text(st, 6, now);
			rc = store_run(st, err);
			store_finalize(st);
		}
	}
	if (!rc)
		audited_detail(&op, "%s entry %.60s of list %s for document %s", confirm ? "confirmed"
			       : "dismissed", o.external_id, o.list_id, o.document_id);
	if (!rc && out)
		rc = one_hit(cx->store, id, out, err);
	rc = audited_end(&op, rc, err);
	if (rc && out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
