/*
 * query.c - screening queries (screen.h): reading one from JSON, and screening a batch against
 * the service with one audit event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/country.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/match.h"

/* Put `prefix` before the field and the message of err (a member of a batch). */
static enum mmis_err prefixed(struct mmis_error *err, const char *prefix, enum mmis_err rc)
{
	char field[MMIS_ERROR_FIELD_MAX];

	if (!prefix || !*prefix || !err)
		return rc;
	snprintf(field, sizeof(field), "%s%s", prefix, err->field);
	screen_copy(err->field, sizeof(err->field), field);
	/* "queries[3].": "queries[3]: name is required" */
	mmis_error_prefix(err, "%.*s: ", (int)strcspn(prefix, "."), prefix);
	return rc;
}

static enum mmis_err read_query(const json_t *obj, struct screen_query *q, struct mmis_error *err)
{
	static const char *const keys[] = { "id", "name", "birth_date", "nationality", "sex",
					    "document_number", NULL };
	static const char *const sexes[] = { "F", "M", "X", NULL };
	char norm[MATCH_NORM_MAX];
	const json_t *id;
	struct date d;
	int sex = -1;
	enum mmis_err rc;

	memset(q, 0, sizeof(*q));
	if (!json_is_object(obj))
		return mmis_error_set(err, MMIS_EINVAL, NULL, "a query is a JSON object");
	if ((rc = mjson_only_keys(obj, keys, err)))
		return rc;
	id = json_object_get(obj, "id");
	if (id && !json_is_null(id)) {
		if (json_is_string(id) ? json_string_length(id) > WATCHLIST_ID_MAX ||
						 !mjson_text_ok(json_string_value(id),
								json_string_length(id), false)
				       : !json_is_integer(id))
			return mmis_error_set(err, MMIS_EINVAL, "id", "id is a string of at most %d "
					      "bytes or an integer", WATCHLIST_ID_MAX);
		q->id = id;
	}
	/* The name: no byte limit here, so that a name too long is refused by the matcher's rule
	 * with its own message. */
	if ((rc = mjson_get_string(obj, "name", false, 0, &q->name, err)) ||
	    (rc = mjson_get_string(obj, "birth_date", false, 10, &q->birth_date, err)) ||
	    (rc = mjson_get_string(obj, "nationality", false, 3, &q->nationality, err)) ||
	    (rc = mjson_get_enum(obj, "sex", false, sexes, &sex, err)) ||
	    (rc = mjson_get_string(obj, "document_number", false, 40, &q->document_number, err)))
		return rc;
	if (q->name && (rc = match_normalise(q->name, "name", norm, err)))
		return rc;
	if (q->birth_date && (rc = date_parse_partial(q->birth_date, "birth_date", &d, err)))
		return rc;
	if (q->nationality) {
		const struct country *c = country_lookup(q->nationality);
		if (!c)
			return mmis_error_set(err, MMIS_EINVAL, "nationality", "'%s' is not an ISO "
					      "3166-1 alpha-3 or ICAO country code", q->nationality);
		screen_copy(q->nationality_norm, sizeof(q->nationality_norm),
			    strcmp(c->alpha3, "D") ? c->alpha3 : "DEU");
	}
	q->sex = sex >= 0 ? sexes[sex] : NULL;
	if (q->document_number &&
	    (rc = match_document_normalise(q->document_number, q->document_norm, err)))
		return rc;
	if (!q->name && !q->document_number)
		return mmis_error_set(err, MMIS_EINVAL, "name", "name is required (or a "
				      "document_number)");
	return MMIS_OK;
}

enum mmis_err screen_query_read(const json_t *obj, const char *prefix, struct screen_query *q,
				struct mmis_error *err)
{
	struct mmis_error local;
	if (!err)
		err = &local;
	return prefixed(err, prefix, read_query(obj, q, err));
}

/* The hits of one search as JSON. */
static json_t *hits_json(const struct match_hit *hits, const struct screen_entry *const *entries,
			 size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		const struct screen_entry *e = entries[i];
		json_t *reasons = hits[i].reasons ? json_incref(hits[i].reasons) : json_array();
		json_t *h = json_pack("{s:s, s:s, s:s?, s:f, s:o, s:s, s:s}", "entry_id",
				      e->external_id, "list", e->list_name, "name", e->name, "score",
				      screen_round3(hits[i].score), "reasons", reasons,
				      "category", e->category, "action", e->action);
		if (h && e->document)
			mjson_set_string(h, "document", e->document);
		if (!h || json_array_append_new(arr, h)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

enum mmis_err screen_queries(const struct mmis_ctx *cx, const struct actor *a,
			     const struct screen_query *q, size_t n, double threshold, size_t limit,
			     json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct screen_snapshot *snap = NULL;
	struct match_hit *hits = NULL;
	const struct screen_entry **entries = NULL;
	struct audited_op op;
	json_t *res = NULL;
	size_t total = 0;
	bool current = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = screen_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "screen.query", NULL, err)))
		return rc;
	if (actor_scope(a, PERM_SCREEN) == SCOPE_NONE)
		rc = screen_denied(err, PERM_SCREEN);
	else if (!cx->screen)
		rc = mmis_error_set(err, MMIS_EUNSUPPORTED, NULL, "no screening service");
	else if (!n || n > SCREEN_BATCH_MAX)
		rc = mmis_error_set(err, MMIS_EINVAL, "queries", "1 to %d queries at a time",
				    SCREEN_BATCH_MAX);
	else if (!(threshold > 0 && threshold <= 1))
		rc = mmis_error_set(err, MMIS_EINVAL, "threshold", "the threshold is a number above "
				    "0 and at most 1");
	else if (limit < 1 || limit > SCREEN_LIMIT_MAX)
		rc = mmis_error_set(err, MMIS_EINVAL, "limit", "the limit is 1 to %d",
				    SCREEN_LIMIT_MAX);
	else if (!(res = json_array()) || !(hits = calloc(limit, sizeof(*hits))) ||
		 !(entries = calloc(limit, sizeof(*entries))))
		rc = screen_oom(err);
	else if (!(snap = screen_acquire(cx->screen, cx->store, &current, err)))
		rc = err->code ? err->code : MMIS_EBUSY;
	for (size_t i = 0; !rc && i < n; i++) {
		const char *names[1] = { q[i].name }, *dates[1] = { q[i].birth_date },
			   *nats[1] = { q[i].nationality_norm }, *docs[1] = { q[i].document_norm };
		struct match_record r = {
			.names = names, .n_names = q[i].name ? 1 : 0,
			.birth_dates = dates, .n_birth_dates = q[i].birth_date ? 1 : 0,
			.nationalities = nats, .n_nationalities = q[i].nationality_norm[0] ? 1 : 0,
			.sex = q[i].sex,
			.documents = docs, .n_documents = q[i].document_norm[0] ? 1 : 0,
		};
		size_t got = 0;
		json_t *one;
		if ((rc = screen_snapshot_search(snap, &r, threshold, limit, hits, entries, &got, err)))
			break;
		total += got;
		one = json_pack("{s:O, s:o}", "id", q[i].id ? q[i].id : json_null(), "hits",
				hits_json(hits, entries, got));
		match_hits_free(hits, got);
		if (!one || json_array_append_new(res, one))
			rc = screen_oom(err);
	}
	if (!rc)
		audited_detail(&op, "%zu quer%s, %zu hits at %.2f (lists generation %lld%s)", n,
			       n == 1 ? "y" : "ies", total, threshold,
			       (long long)screen_snapshot_generation(snap),
			       current ? "" : ", being updated");
	screen_release(snap);
	free(hits);
	free(entries);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}
