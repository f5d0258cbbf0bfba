/*
 * actions.c - what changes a case: its profile, the workflow steps, formal identification,
 * assignment and transfer, case forms, notes and follow-ups; and the supervisor's dashboard
 * (protect.h). Each checks the access table (workflow.c) first, then the request, then the
 * case's state; a refusal changes nothing and is audited as denied or failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/json.h"
#include "mmis/store_json.h"
#include "mmis/strbuf.h"
#include "mmis/uuid.h"

/* Functions of case.c used here, not worth a public name. */
enum mmis_err px_read_profile_update(const struct mmis_ctx *cx, const struct actor *a,
				     const char *case_id, const struct case_row *c,
				     const json_t *in, char *changed, size_t cap,
				     struct mmis_error *err);

static enum mmis_err closed_conflict(struct mmis_error *err)
{
	return mmis_error_set(err, MMIS_ECONFLICT, "state", "the case is closed: reopen it first");
}

static bool is_closed(const struct case_row *c)
{
	return !strcmp(c->state, "closed");
}

/* Begin an audited action on case `id`: the op, the case's row and the actor's relation. */
static enum mmis_err begin_case_op(struct audited_op *op, const struct mmis_ctx *cx,
				   const struct actor *a, const char *action, const char *id,
				   struct case_row *c, struct case_rel *rel, struct mmis_error *err)
{
	enum mmis_err rc;

	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(op, cx, a, action, "case", err)))
		return rc;
	if (uuid_valid(id))
		px_copy(op->object_id, sizeof(op->object_id), id);
	return px_case_reach(cx, a, id, action, c, rel, err);
}

/* A worker of agency `agency_id` who may write cases, by username: id and display name. */
static enum mmis_err worker_of(struct store *s, const char *username, const char *agency_id,
			       char id[UUID_STR_MAX], char *name, size_t cap,
			       struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false, ok = false;
	enum mmis_err rc;

	if (!username || !*username)
		return mmis_error_set(err, MMIS_EINVAL, "worker", "worker: is required");
	if ((rc = store_prepare(s, "SELECT id, role, agency_id, disabled, display_name FROM "
				"app_user WHERE username = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, username);
	if (!(rc = store_step(st, &row, err)) && row) {
		const struct role *r = role_find(store_column_text(st, 1));
		ok = r && r->grants[PERM_CASE_WRITE] != SCOPE_NONE && !store_column_bool(st, 3) &&
		     !strcmp(store_column_text(st, 2), agency_id);
		px_copy(id, UUID_STR_MAX, store_column_text(st, 0));
		px_copy(name, cap, store_column_text(st, 4));
	}
	store_finalize(st);
	if (!rc && !ok)
		rc = mmis_error_set(err, MMIS_EINVAL, "worker", "worker: '%.64s' is not an active "
				    "case worker of the case's agency", username);
	return rc;
}

/* ---- the profile */

enum mmis_err case_update(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			  const json_t *in, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	char changed[400] = "";
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "case.update", id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if (is_closed(&c))
		rc = closed_conflict(err);
	else if (!(rc = px_read_profile_update(cx, a, id, &c, in, changed, sizeof(changed), err)))
		rc = px_event(cx->store, a, id, "update", NULL, NULL, changed,
			      json_pack("{s:s}", "fields", changed), err);
	audited_detail(&op, "%s", changed);
	return audited_end(&op, rc, err);
}

/* ---- the workflow */

static enum mmis_err form_done(struct store *s, const char *case_id, const char *form,
			       bool *done, struct mmis_error *err)
{
	char x[8];
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	(void)x;
	if ((rc = store_prepare(s, "SELECT 1 FROM protect_case_form WHERE case_id = ? AND "
				"form_id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, case_id);
	store_bind_text(st, 2, form);
	rc = store_step(st, &row, err);
	store_finalize(st);
	*done = row;
	return rc;
}

/* Whether the latest best interests assessment asks for a determination. */
static enum mmis_err determination_asked(struct store *s, const char *case_id, bool *asked,
					 struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*asked = false;
	if ((rc = store_prepare(s, "SELECT answers FROM protect_case_form WHERE case_id = ? AND "
				"form_id = 'best_interests' ORDER BY created_at DESC, id DESC", &st,
				err)))
		return rc;
	store_bind_text(st, 1, case_id);
	if (!(rc = store_step(st, &row, err)) && row) {
		json_t *ans = json_loads(store_column_text(st, 0), 0, NULL);
		*asked = json_is_true(json_object_get(ans, "determination_needed"));
		json_decref(ans);
	}
	store_finalize(st);
	return rc;
}

static enum mmis_err check_requirement(const struct mmis_ctx *cx, const struct case_row *c,
				       const struct wf_req *q, const json_t *in,
				       struct mmis_error *err)
{
	bool done = false;
	enum mmis_err rc = MMIS_OK;

	switch (q->kind) {
	case REQ_NONE:
		break;
	case REQ_CHILD_FORM:
	case REQ_FORM:
		if (q->kind == REQ_CHILD_FORM && !c->is_child)
			break;
		if (!(rc = form_done(cx->store, c->id, q->arg, &done, err)) && !done)
			rc = mmis_error_set(err, MMIS_EINVAL, q->arg, "%s (%s)", q->text, q->arg);
		break;
	case REQ_BODY: {
		const char *s = json_string_value(json_object_get(in, q->arg));
		if (!s || !*s)
			rc = mmis_error_set(err, MMIS_EINVAL, q->arg, "%s: %s", q->arg, q->text);
		break;
	}
	case REQ_SERVICE: {
		char n[24];
		if (!(rc = px_text(cx->store, "SELECT COUNT(*) FROM protect_service WHERE case_id = ?",
				   c->id, n, sizeof(n), NULL, err)) && !strcmp(n, "0"))
			rc = mmis_error_set(err, MMIS_EINVAL, q->arg, "%s", q->text);
		break;
	}
	case REQ_DETERMINATION: {
		bool asked = false;
		if (!c->is_child || (rc = determination_asked(cx->store, c->id, &asked, err)) || !asked)
			break;
		if (!(rc = form_done(cx->store, c->id, q->arg, &done, err)) && !done)
			rc = mmis_error_set(err, MMIS_EINVAL, q->arg, "%s (%s)", q->text, q->arg);
		break;
	}
	}
	return rc;
}

enum mmis_err case_transition(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			      const json_t *in, struct mmis_error *err)
{
	static const char *const keys[] = { "to", "closure_reason", "reason", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	const struct wf_step *step = NULL;
	const char *reason = NULL, *closure = NULL;
	char now[TIMESTAMP_STR_MAX], detail[300], next[200];
	int to = -1, cr = -1;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "case.transition", id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_enum(in, "to", true, protect_case_states, &to, err)) ||
	    (rc = mjson_get_string(in, "reason", false, 2000, &reason, err)) ||
	    (rc = mjson_get_enum(in, "closure_reason", false, protect_closure_reasons, &cr, err)))
		goto done;
	closure = json_string_value(json_object_get(in, "closure_reason"));
	if (!(step = wf_step(c.state, protect_case_states[to]))) {
		wf_next_states(c.state, next, sizeof(next));
		rc = mmis_error_set(err, MMIS_ECONFLICT, "to", "a case in state %s cannot go to %s "
				    "(from %s it goes to %s)", c.state, protect_case_states[to],
				    c.state, *next ? next : "nowhere");
		goto done;
	}
	if (!actor_may(a, step->perm, c.worker_id, c.agency_id)) {
		rc = mmis_error_set(err, MMIS_EDENIED, "to", "not allowed: %s to %s is for %s (the "
				    "permission %s)", c.state, step->to, step->who,
				    perm_name(step->perm));
		goto done;
	}
	for (size_t i = 0; i < WF_MAX_REQS && step->requires[i].kind; i++)
		if ((rc = check_requirement(cx, &c, &step->requires[i], in, err)))
			goto done;
	px_now(now);
	if (!strcmp(step->to, "closed")) {
		rc = PX_RUN(cx->store, "UPDATE protect_case SET state = ?, closed_at = ?, "
			    "closure_reason = ?, updated_at = ? WHERE id = ?", NULL, err, step->to,
			    now, closure, now, c.id);
		/* What was still waiting for an answer goes with the case. */
		if (!rc)
			rc = PX_RUN(cx->store, "UPDATE protect_referral SET state = 'withdrawn', "
				    "updated_at = ? WHERE case_id = ? AND state = 'pending'", NULL, err,
				    now, c.id);
	} else {
		rc = PX_RUN(cx->store, "UPDATE protect_case SET state = ?, closed_at = NULL, "
			    "closure_reason = NULL, updated_at = ? WHERE id = ?", NULL, err, step->to,
			    now, c.id);
	}
	snprintf(detail, sizeof(detail), "%s%s%s", closure ? closure : "",
		 closure && reason && *reason ? ": " : "", reason ? reason : "");
	if (!rc)
		rc = px_event(cx->store, a, c.id, "transition", c.state, step->to, detail,
			      json_pack("{s:s?, s:s?}", "closure_reason", closure,
					"reason", reason && *reason ? reason : NULL), err);
done:
	audited_detail(&op, "%s -> %s", c.state, to >= 0 ? protect_case_states[to] : "?");
	return audited_end(&op, rc, err);
}

/* ---- formal identification */

enum mmis_err case_identify(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			    const json_t *in, struct mmis_error *err)
{
	static const char *const keys[] = { "outcome", "decided_on", "note", NULL };
	static const char *const outcomes[] = { "victim", "not_victim", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	struct date d;
	const char *note = NULL;
	char day[DATE_STR_MAX], now[TIMESTAMP_STR_MAX], types[160] = "", detail[300];
	bool present = false;
	int oc = -1;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "case.identify", id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_enum(in, "outcome", true, outcomes, &oc, err)) ||
	    (rc = mjson_get_date(in, "decided_on", false, false, &d, &present, err)) ||
	    (rc = mjson_get_string(in, "note", false, 2000, &note, err)))
		goto done;
	if (present) {
		struct date today;
		date_today(&today);
		if (date_cmp(&d, &today) > 0) {
			rc = mmis_error_set(err, MMIS_EINVAL, "decided_on", "decided_on: in the future");
			goto done;
		}
		date_format(&d, day);
	} else {
		px_today(day);
	}
	if (is_closed(&c)) {
		rc = closed_conflict(err);
		goto done;
	}
	if (!px_list_has(c.types, "presumed_victim_of_trafficking")) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "outcome", "only a presumed victim of "
				    "trafficking is formally identified (this case: %s)", c.types);
		goto done;
	}
	/* The types without the presumption, and with the identified victim when so decided. */
	{
		size_t len = 0;
		for (const char *p = c.types; *p;) {
			size_t n = strcspn(p, ",");
			if (strncmp(p, "presumed_victim_of_trafficking", n) || n != 30)
				len += (size_t)snprintf(types + len, sizeof(types) - len, "%s%.*s",
							len ? "," : "", (int)n, p);
			p += n + (p[n] == ',');
		}
		if (oc == 0)
			len += (size_t)snprintf(types + len, sizeof(types) - len, "%svictim_of_trafficking",
						len ? "," : "");
		if (!len)
			snprintf(types, sizeof(types), "other_vulnerable");
	}
	px_now(now);
	rc = PX_RUN(cx->store, "UPDATE protect_case SET trafficking_status = ?, "
		    "identification_outcome = ?, identified_on = ?, identified_by = ?, updated_at = ? "
		    "WHERE id = ?", NULL, err, oc == 0 ? "ActualVictim" : "NotAVictimOfTrafficking",
		    outcomes[oc], day, a->user_id[0] ? a->user_id : NULL, now, c.id);
	if (!rc) {
		/* write_types lives in case.c; the same two statements here. */
		if (!(rc = PX_RUN(cx->store, "DELETE FROM protect_case_type WHERE case_id = ?", NULL,
				  err, c.id)))
			for (const char *p = types; !rc && *p;) {
				char t[64];
				size_t n = strcspn(p, ",");
				snprintf(t, sizeof(t), "%.*s", (int)(n < 63 ? n : 63), p);
				rc = PX_RUN(cx->store, "INSERT INTO protect_case_type (case_id, type) "
					    "VALUES (?, ?)", NULL, err, c.id, t);
				p += n + (p[n] == ',');
			}
	}
	snprintf(detail, sizeof(detail), "%s on %s%s%s", oc == 0 ? "identified as a victim of "
		 "trafficking" : "not a victim of trafficking", day, note && *note ? ": " : "",
		 note ? note : "");
	if (!rc)
		rc = px_event(cx->store, a, c.id, "identification", NULL, NULL, detail,
			      json_pack("{s:s, s:s, s:s?}", "outcome", oc == 0 ? "victim" : "not_victim",
					"on", day, "note", note && *note ? note : NULL), err);
done:
	audited_detail(&op, "%s", oc >= 0 ? outcomes[oc] : "?");
	return audited_end(&op, rc, err);
}

/* ---- assignment and transfer */

enum mmis_err case_assign(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			  const json_t *in, struct mmis_error *err)
{
	static const char *const keys[] = { "worker", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	const char *worker = NULL;
	char wid[UUID_STR_MAX] = "", wname[200] = "", detail[300];
	bool supervisor;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "case.assign", "case", err)))
		return rc;
	if (uuid_valid(id))
		px_copy(op.object_id, sizeof(op.object_id), id);
	if ((rc = px_case_load(cx->store, id, &c, err)) ||
	    (rc = px_case_rel(cx->store, a, &c, &rel, err)))
		goto done;
	/* A supervisor assigns anyone of the agency; anyone who may write takes an unassigned case. */
	supervisor = !access_check("case.assign", a, &c, &rel, NULL);
	if (!supervisor && access_check("case.take", a, &c, &rel, NULL)) {
		rc = access_check("case.assign", a, &c, &rel, err);
		goto done;
	}
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_string(in, "worker", true, 64, &worker, err)))
		goto done;
	if (!supervisor && strcmp(worker, a->username)) {
		rc = mmis_error_set(err, MMIS_EDENIED, "worker", "not allowed: a worker takes an "
				    "unassigned case for themselves; a case supervisor assigns others");
		goto done;
	}
	if ((rc = worker_of(cx->store, worker, c.agency_id, wid, wname, sizeof(wname), err)))
		goto done;
	if (!strcmp(wid, c.worker_id)) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "worker", "worker: already the case's worker");
		goto done;
	}
	rc = PX_RUN(cx->store, "UPDATE protect_case SET worker_id = ? WHERE id = ?", NULL, err, wid,
		    c.id);
	snprintf(detail, sizeof(detail), "assigned to %s", wname);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "assignment", NULL, NULL, detail,
			      json_pack("{s:s}", "worker", wname), err);
	audited_detail(&op, "to %s", worker);
done:
	return audited_end(&op, rc, err);
}

enum mmis_err case_transfer(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			    const json_t *in, struct mmis_error *err)
{
	static const char *const keys[] = { "to_agency", "worker", "reason", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	const char *code = NULL, *worker = NULL, *reason = NULL;
	char gid[UUID_STR_MAX], gname[200], wid[UUID_STR_MAX] = "", wname[200] = "",
		detail[400];
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "case.transfer", id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_string(in, "to_agency", true, 32, &code, err)) ||
	    (rc = mjson_get_string(in, "worker", false, 64, &worker, err)) ||
	    (rc = mjson_get_string(in, "reason", true, 2000, &reason, err)))
		goto done;
	if (!*reason) {
		rc = mmis_error_set(err, MMIS_EINVAL, "reason", "reason: is required");
		goto done;
	}
	if (is_closed(&c)) {
		rc = closed_conflict(err);
		goto done;
	}
	if ((rc = px_agency(cx->store, code, "to_agency", gid, gname, sizeof(gname), err)))
		goto done;
	if (!strcmp(gid, c.agency_id)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "to_agency", "to_agency: the case is that "
				    "agency's already");
		goto done;
	}
	if (worker && *worker &&
	    (rc = worker_of(cx->store, worker, gid, wid, wname, sizeof(wname), err)))
		goto done;
	rc = PX_RUN(cx->store, "UPDATE protect_case SET agency_id = ?, worker_id = ? WHERE id = ?",
		    NULL, err, gid, *wid ? wid : NULL, c.id);
	snprintf(detail, sizeof(detail), "to %.100s (%.32s)%s%.80s: %.150s", gname, code,
		 *wname ? ", " : "", wname, reason);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "transfer", NULL, NULL, detail,
			      json_pack("{s:s, s:s, s:s?, s:s}", "agency", code, "agency_name", gname,
					"worker", *wname ? wname : NULL, "reason", reason), err);
	audited_detail(&op, "to %s", code);
done:
	return audited_end(&op, rc, err);
}

/* ---- forms, notes, follow-ups */

enum mmis_err case_form_submit(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			       const char *form, const json_t *in, char id_out[UUID_STR_MAX],
			       struct mmis_error *err)
{
	static const char *const keys[] = { "answers", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	const struct form *f = NULL;
	char fid[UUID_STR_MAX] = "", now[TIMESTAMP_STR_MAX], ver[16];
	json_t *clean = NULL;
	char *text = NULL;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "case.form", id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if (!(f = form_find(form)) || !form_is_case_form(f)) {
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "form", "no case form '%.48s'",
				    form ? form : "");
		goto done;
	}
	if ((rc = mjson_only_keys(in, keys, err)))
		goto done;
	if (!json_object_get(in, "answers")) {
		rc = mmis_error_set(err, MMIS_EINVAL, "answers", "answers: is required");
		goto done;
	}
	if ((rc = form_check(f, json_object_get(in, "answers"), &clean, err)))
		goto done;
	if (form_child_only(f) && !c.is_child) {
		rc = mmis_error_set(err, MMIS_EINVAL, "form", "%s is a child's form; this case is not "
				    "a child's", form_id(f));
		goto done;
	}
	if (is_closed(&c)) {
		rc = closed_conflict(err);
		goto done;
	}
	if (!(text = mjson_dump(clean))) {
		rc = px_oom(err);
		goto done;
	}
	uuid7_new_str(fid);
	px_now(now);
	snprintf(ver, sizeof(ver), "%d", form_version(f));
	rc = PX_RUN(cx->store, "INSERT INTO protect_case_form (id, case_id, form_id, form_version, "
		    "answers, created_by, agency_id, created_at) VALUES (?, ?, ?, CAST(? AS BIGINT), "
		    "?, ?, ?, ?)", NULL, err, fid, c.id, form_id(f), ver, text,
		    a->user_id[0] ? a->user_id : NULL, a->agency_id[0] ? a->agency_id : NULL, now);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "form", NULL, NULL, form_id(f),
			      json_pack("{s:s}", "form", form_id(f)), err);
	audited_detail(&op, "form %s", form_id(f));
done:
	json_decref(clean);
	free(text);
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, fid, UUID_STR_MAX);
	return rc;
}

enum mmis_err case_note_add(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			    const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err)
{
	static const char *const keys[] = { "text", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	const char *text = NULL;
	char nid[UUID_STR_MAX] = "", now[TIMESTAMP_STR_MAX];
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "note.create", id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_string(in, "text", true, PROTECT_LONG_MAX, &text, err)))
		goto done;
	if (!*text) {
		rc = mmis_error_set(err, MMIS_EINVAL, "text", "text: is required");
		goto done;
	}
	uuid7_new_str(nid);
	px_now(now);
	rc = PX_RUN(cx->store, "INSERT INTO protect_note (id, case_id, text, created_by, agency_id, "
		    "created_at) VALUES (?, ?, ?, ?, ?, ?)", NULL, err, nid, c.id, text,
		    a->user_id[0] ? a->user_id : NULL, a->agency_id[0] ? a->agency_id : NULL, now);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "note", NULL, NULL, NULL, NULL, err);
done:
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, nid, UUID_STR_MAX);
	return rc;
}

enum mmis_err case_followup_add(const struct mmis_ctx *cx, const struct actor *a, const char *id,
				const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err)
{
	static const char *const keys[] = { "due_on", "text", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	struct date d;
	const char *text = NULL;
	char fid[UUID_STR_MAX] = "", now[TIMESTAMP_STR_MAX], due[DATE_STR_MAX], detail[80];
	bool present = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "followup.create", id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_date(in, "due_on", true, false, &d, &present, err)) ||
	    (rc = mjson_get_string(in, "text", true, 2000, &text, err)))
		goto done;
	if (!*text) {
		rc = mmis_error_set(err, MMIS_EINVAL, "text", "text: is required");
		goto done;
	}
	if (is_closed(&c)) {
		rc = closed_conflict(err);
		goto done;
	}
	date_format(&d, due);
	uuid7_new_str(fid);
	px_now(now);
	rc = PX_RUN(cx->store, "INSERT INTO protect_followup (id, case_id, due_on, text, created_by, "
		    "created_at) VALUES (?, ?, ?, ?, ?, ?)", NULL, err, fid, c.id, due, text,
		    a->user_id[0] ? a->user_id : NULL, now);
	snprintf(detail, sizeof(detail), "due %s", due);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "followup", NULL, NULL, detail,
			      json_pack("{s:s}", "due", due), err);
done:
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, fid, UUID_STR_MAX);
	return rc;
}

enum mmis_err case_followup_done(const struct mmis_ctx *cx, const struct actor *a,
				 const char *followup_id, char case_id_out[UUID_STR_MAX],
				 struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	char case_id[UUID_STR_MAX] = "", now[TIMESTAMP_STR_MAX], done_at[TIMESTAMP_STR_MAX];
	bool found = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "followup.done", "followup", err)))
		return rc;
	if (uuid_valid(followup_id))
		px_copy(op.object_id, sizeof(op.object_id), followup_id);
	if (!uuid_valid(followup_id) ||
	    (!(rc = px_text(cx->store, "SELECT case_id FROM protect_followup WHERE id = ?",
			    followup_id, case_id, sizeof(case_id), &found, err)) && !found)) {
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such follow-up");
		goto done;
	}
	/* A follow-up of a case out of reach does not exist either. */
	if (rc || (rc = px_case_reach(cx, a, case_id, "followup.done", &c, &rel, err))) {
		if (rc == MMIS_ENOTFOUND)
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such follow-up");
		goto done;
	}
	if ((rc = px_text(cx->store, "SELECT done_at FROM protect_followup WHERE id = ?",
			  followup_id, done_at, sizeof(done_at), NULL, err)))
		goto done;
	if (*done_at) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "id", "the follow-up was done already");
		goto done;
	}
	px_now(now);
	rc = PX_RUN(cx->store, "UPDATE protect_followup SET done_at = ?, done_by = ? WHERE id = ?",
		    NULL, err, now, a->user_id[0] ? a->user_id : NULL, followup_id);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "followup_done", NULL, NULL, NULL, NULL, err);
	audited_detail(&op, "case %s", case_id);
done:
	rc = audited_end(&op, rc, err);
	if (!rc && case_id_out)
		memcpy(case_id_out, case_id, UUID_STR_MAX);
	return rc;
}

/* ---- the dashboard */

static enum mmis_err dash_rows(struct store *s, const char *sql, const char *const *params,
			       size_t n, const char *const *names, json_t **out,
			       struct mmis_error *err)
{
	return store_rows_json(s, sql, params, n, store_row_object, (void *)names, false, out, err);
}

enum mmis_err protect_dashboard(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
				struct mmis_error *err)
{
	static const char *const n_type_state[] = { "type", "state", "#count", NULL };
	static const char *const n_state[] = { "state", "#count", NULL };
	static const char *const n_overdue[] = { "followup_id", "case_id", "due_on", "text",
						 "worker", "surname", "given_names", NULL };
	static const char *const n_refl[] = { "case_id", "reflection_end", "worker", "surname",
					      "given_names", NULL };
	static const char *const n_count[] = { "#count", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct protect_settings ps;
	char today[DATE_STR_MAX], warn[DATE_STR_MAX];
	const char *all, *ag;
	json_t *o = NULL, *part = NULL;
	enum scope sc;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "protection.dashboard", "case", err)))
		return rc;
	if ((rc = access_check("protection.dashboard", a, NULL, NULL, err)))
		goto done;
	sc = actor_scope(a, PERM_CASE_SUPERVISE);
	all = sc == SCOPE_ALL ? "all" : "";
	ag = a->agency_id[0] ? a->agency_id : "-";
	px_today(today);
	protect_settings_get(cx, &ps, NULL);
	{
		struct date d, w;
		date_today(&d);
		date_add_days(&d, ps.reflection_warn_days, &w);
		date_format(&w, warn);
	}
	if (!(o = json_pack("{s:s, s:i}", "date", today, "reflection_warn_days",
			    ps.reflection_warn_days))) {
		rc = px_oom(err);
		goto done;
	}
#define SCOPED "(? = 'all' OR c.agency_id = ?)"
	if ((rc = dash_rows(cx->store, "SELECT t.type, c.state, COUNT(*) FROM protect_case c JOIN "
			    "protect_case_type t ON t.case_id = c.id WHERE c.state <> 'closed' AND "
			    SCOPED " GROUP BY t.type, c.state ORDER BY t.type, c.state",
			    (const char *const[]){ all, ag }, 2, n_type_state, &part, err)))
		goto done;
	json_object_set_new(o, "open_by_type_state", part);
	if ((rc = dash_rows(cx->store, "SELECT c.state, COUNT(*) FROM protect_case c WHERE " SCOPED
			    " GROUP BY c.state ORDER BY c.state", (const char *const[]){ all, ag }, 2,
			    n_state, &part, err)))
		goto done;
	json_object_set_new(o, "by_state", part);
	if ((rc = dash_rows(cx->store, "SELECT f.id, c.id, f.due_on, f.text, u.display_name, "
			    "c.surname, c.given_names FROM protect_followup f JOIN protect_case c ON "
			    "c.id = f.case_id LEFT JOIN app_user u ON u.id = c.worker_id WHERE "
			    "f.done_at IS NULL AND f.due_on < ? AND c.state <> 'closed' AND " SCOPED
			    " ORDER BY f.due_on, f.id LIMIT 200",
			    (const char *const[]){ today, all, ag }, 3, n_overdue, &part, err)))
		goto done;
	json_object_set_new(o, "overdue_followups", part);
	if ((rc = dash_rows(cx->store, "SELECT c.id, c.reflection_end, u.display_name, c.surname, "
			    "c.given_names FROM protect_case c LEFT JOIN app_user u ON u.id = "
			    "c.worker_id WHERE c.state <> 'closed' AND c.reflection_end IS NOT NULL "
			    "AND c.reflection_end >= ? AND c.reflection_end <= ? AND " SCOPED
			    " ORDER BY c.reflection_end, c.id LIMIT 200",
			    (const char *const[]){ today, warn, all, ag }, 4, n_refl, &part,
			    err)))
		goto done;
	json_object_set_new(o, "reflection_ending", part);
	if ((rc = dash_rows(cx->store, "SELECT COUNT(*) FROM protect_case c WHERE c.worker_id IS "
			    "NULL AND c.state <> 'closed' AND " SCOPED,
			    (const char *const[]){ all, ag }, 2, n_count, &part, err)))
		goto done;
	json_object_set_new(o, "unassigned", json_incref(json_object_get(json_array_get(part, 0),
									 "count")));
	json_decref(part);
	if ((rc = dash_rows(cx->store, "SELECT COUNT(*) FROM protect_referral r WHERE r.state = "
			    "'pending' AND (? = 'all' OR r.to_agency_id = ?)",
			    (const char *const[]){ all, ag }, 2, n_count, &part, err)))
		goto done;
	json_object_set_new(o, "referrals_waiting_in",
			    json_incref(json_object_get(json_array_get(part, 0), "count")));
	json_decref(part);
	if ((rc = dash_rows(cx->store, "SELECT COUNT(*) FROM protect_referral r WHERE r.state = "
			    "'pending' AND (? = 'all' OR r.from_agency_id = ?)",
			    (const char *const[]){ all, ag }, 2, n_count, &part, err)))
		goto done;
	json_object_set_new(o, "referrals_waiting_out",
			    json_incref(json_object_get(json_array_get(part, 0), "count")));
	json_decref(part);
#undef SCOPED
	audited_detail(&op, "%s", sc == SCOPE_ALL ? "all agencies" : a->agency_code);
done:
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}
