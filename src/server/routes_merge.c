/*
 * routes_merge.c - the handlers of the duplicate-person routes (docs/api.md, docs/dedup.md): the
 * queue of merge proposals, one proposal, the decisions, and a detection. Each reads its input,
 * calls lib/person with the request's actor and answers JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mmis/dedup.h"
#include "mmis/json.h"
#include "mmis/strbuf.h"
#include "routes_merge.h"

/*
 * A detection from the web runs in a server worker on one thread; past this many persons it is
 * refused with a pointer to `mmis dedup`, which uses every core and shows its progress.
 */
#define DETECT_ONLINE_MAX_PERSONS 200000

/* An integer query parameter in [min, max]; false with a 400 naming it when it is not. */
static bool query_int(struct req *r, const char *key, long min, long max, long *out)
{
	const char *s = req_query(r, key);
	struct strbuf sb;
	char *end;

	if (!s)
		return true;
	long n = strtol(s, &end, 10);
	if (*s && *end == '\0' && s[0] != ' ' && s[0] != '+' && n >= min && n <= max) {
		*out = n;
		return true;
	}
	strbuf_init(&sb, 200);
	strbuf_addf(&sb, "%s: expected an integer from %ld to %ld", key, min, max);
	reply_problem(r, 400, key, strbuf_str(&sb));
	strbuf_release(&sb);
	return false;
}

void h_merges(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	long limit = 50, offset = 0;
	json_t *out = NULL;

	if (!req_query_only(r, "status,limit,offset") ||
	    !query_int(r, "limit", 1, MERGE_LIST_MAX, &limit) ||
	    !query_int(r, "offset", 0, 1000000000L, &offset))
		return;
	mmis_error_clear(&err);
	if (merge_list(v->cx, v->actor, req_query(r, "status"), (int)limit, (int)offset, &out,
		       &err)) {
		/* A bad status is the query's fault: 400, as for the other query parameters. */
		if (err.code == MMIS_EINVAL)
			reply_problem(r, 400, err.field, mmis_error_text(&err));
		else
			reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, out);
}

void h_merge_get(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *out = NULL;

	mmis_error_clear(&err);
	if (merge_get(v->cx, v->actor, v->params[0], &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, out);
}

enum verb { VERB_ACCEPT, VERB_REJECT, VERB_REVERT };

static void decide(struct req *r, enum verb verb)
{
	static const char *const accept_keys[] = { "note", "survivor", NULL };
	static const char *const note_keys[] = { "note", NULL };
	const struct req_view *v = req_view(r);
	const char *note = NULL, *survivor = NULL;
	struct mmis_error err;
	json_t *out = NULL;
	enum mmis_err rc;

	mmis_error_clear(&err);
	if (mjson_only_keys(v->body, verb == VERB_ACCEPT ? accept_keys : note_keys, &err) ||
	    mjson_get_string(v->body, "note", verb == VERB_REVERT, DEDUP_NOTE_MAX, &note, &err) ||
	    (verb == VERB_ACCEPT && mjson_get_string(v->body, "survivor", false, 64, &survivor, &err))) {
		reply_error(r, &err);
		return;
	}
	switch (verb) {
	case VERB_ACCEPT:
		rc = merge_accept(v->cx, v->actor, v->params[0], survivor, note, &out, &err);
		break;
	case VERB_REJECT:
		rc = merge_reject(v->cx, v->actor, v->params[0], note, &out, &err);
		break;
	case VERB_REVERT:
	default:
		rc = merge_revert(v->cx, v->actor, v->params[0], note, &out, &err);
		break;
	}
	if (rc) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, out);
}

void h_merge_accept(struct req *r)
{
	decide(r, VERB_ACCEPT);
}

void h_merge_reject(struct req *r)
{
	decide(r, VERB_REJECT);
}

void h_merge_revert(struct req *r)
{
	decide(r, VERB_REVERT);
}

void h_merges_detect(struct req *r)
{
	static const char *const keys[] = { "threshold", "dry_run", NULL };
	const struct req_view *v = req_view(r);
	struct dedup_options o = { .threads = 1, .max_persons = DETECT_ONLINE_MAX_PERSONS };
	struct dedup_result res;
	struct mmis_error err;
	json_t *out;

	mmis_error_clear(&err);
	if (mjson_only_keys(v->body, keys, &err) ||
	    mjson_get_number(v->body, "threshold", false, DEDUP_THRESHOLD_MIN, 1.0, &o.threshold,
			     &err) ||
	    mjson_get_bool(v->body, "dry_run", false, &o.dry_run, &err)) {
		reply_error(r, &err);
		return;
	}
	o.want_pairs = o.dry_run;
	if (dedup_run(v->cx, v->actor, &o, &res, &err)) {
		reply_fail(r, &err);
		return;
	}
	out = json_pack("{s:b, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "dry_run", o.dry_run,
			"threshold", res.threshold, "persons", (json_int_t)res.persons, "unusable",
			(json_int_t)res.unusable, "found", (json_int_t)res.found, "names_only",
			(json_int_t)res.names_only, "proposed",
			(json_int_t)res.proposed, "refreshed", (json_int_t)res.refreshed, "skipped",
			(json_int_t)res.skipped, "elapsed_ms", (json_int_t)res.elapsed_ms);
	if (out && res.pairs)
		json_object_set(out, "pairs", res.pairs);
	json_decref(res.pairs);
	if (!out) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_json(r, 200, out);
}
