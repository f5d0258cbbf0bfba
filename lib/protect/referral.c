/*
 * referral.c - consents, referrals and services delivered; service providers and projects
 * (protect.h). A referral needs a recorded consent covering its receiving agency (a guardian's
 * for a child) unless a case supervisor overrides with a reason; the receiving agency then sees
 * what that consent (or the override) names, and nothing more (case.c, case_json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/json.h"
#include "mmis/uuid.h"

json_t *px_referral_row(struct store_stmt *st, void *ctx); /* case.c */

#define REFERRAL_SELECT                                                                        \
	"SELECT r.id, r.case_id, fa.code, ta.code, ta.name, r.service, r.state, r.consent_id, " \
	"r.override_reason, r.override_scopes, r.note, r.decline_reason, r.created_at, "       \
	"r.updated_at, r.decided_at, r.completed_at, cu.display_name, fa.name "                 \
	"FROM protect_referral r JOIN agency fa ON fa.id = r.from_agency_id JOIN agency ta ON " \
	"ta.id = r.to_agency_id LEFT JOIN app_user cu ON cu.id = r.created_by "

static bool is_closed(const struct case_row *c)
{
	return !strcmp(c->state, "closed");
}

static enum mmis_err begin_case_op(struct audited_op *op, const struct mmis_ctx *cx,
				   const struct actor *a, const char *action,
				   const char *object_type, const char *id, struct case_row *c,
				   struct case_rel *rel, struct mmis_error *err)
{
	enum mmis_err rc;

	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(op, cx, a, action, object_type, err)))
		return rc;
	if (uuid_valid(id))
		px_copy(op->object_id, sizeof(op->object_id), id);
	return px_case_reach(cx, a, id, action, c, rel, err);
}

static enum mmis_err one_referral(struct store *s, const char *id, json_t **out,
				  struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	if ((rc = store_prepare(s, REFERRAL_SELECT "WHERE r.id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, id);
	if (!(rc = store_step(st, &row, err)) && row && !(*out = px_referral_row(st, NULL)))
		rc = px_oom(err);
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such referral");
	return rc;
}

/* ---- consents */

enum mmis_err consent_add(const struct mmis_ctx *cx, const struct actor *a, const char *case_id,
			  const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err)
{
	static const char *const keys[] = { "to_agency", "scopes", "given_by", "guardian_name",
					    "given_on", "note", NULL };
	static const char *const givers[] = { "person", "guardian", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	struct date d;
	const char *code = NULL, *guardian = NULL, *note = NULL;
	char id[UUID_STR_MAX] = "", gid[UUID_STR_MAX], gname[200], scopes[80], day[DATE_STR_MAX],
		now[TIMESTAMP_STR_MAX], detail[300];
	bool present = false;
	int by = -1;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "consent.create", "case", case_id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_string(in, "to_agency", true, 32, &code, err)) ||
	    (rc = px_codes(in, "scopes", protect_scopes, scopes, sizeof(scopes), err)) ||
	    (rc = mjson_get_enum(in, "given_by", true, givers, &by, err)) ||
	    (rc = mjson_get_string(in, "guardian_name", false, PROTECT_TEXT_MAX, &guardian, err)) ||
	    (rc = mjson_get_date(in, "given_on", false, false, &d, &present, err)) ||
	    (rc = mjson_get_string(in, "note", false, 2000, &note, err)))
		goto done;
	if (!*scopes) {
		rc = mmis_error_set(err, MMIS_EINVAL, "scopes", "scopes: at least one of identity, "
				    "contact, story, health");
		goto done;
	}
	if (c.is_child && by != 1) {
		rc = mmis_error_set(err, MMIS_EINVAL, "given_by", "given_by: a child's consent is "
				    "given by the guardian");
		goto done;
	}
	if (by == 1 && (!guardian || !*guardian)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "guardian_name", "guardian_name: is required "
				    "when the guardian consents");
		goto done;
	}
	if (present) {
		struct date today;
		date_today(&today);
		if (date_cmp(&d, &today) > 0) {
			rc = mmis_error_set(err, MMIS_EINVAL, "given_on", "given_on: in the future");
			goto done;
		}
		date_format(&d, day);
	} else {
		px_today(day);
	}
	if (is_closed(&c)) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "state", "the case is closed: reopen it first");
		goto done;
	}
	if ((rc = px_agency(cx->store, code, "to_agency", gid, gname, sizeof(gname), err)))
		goto done;
	uuid7_new_str(id);
	px_now(now);
	rc = PX_RUN(cx->store, "INSERT INTO protect_consent (id, case_id, to_agency_id, scopes, "
		    "given_by, guardian_name, given_on, note, recorded_by, created_at) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, err, id, c.id, gid, scopes, givers[by],
		    by == 1 ? guardian : NULL, day, note && *note ? note : NULL,
		    a->user_id[0] ? a->user_id : NULL, now);
	snprintf(detail, sizeof(detail), "to %s: %s (by the %s)", code, scopes, givers[by]);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "consent", NULL, NULL, detail,
			      json_pack("{s:s, s:s, s:s}", "agency", code, "scopes", scopes,
					"given_by", givers[by]), err);
	audited_detail(&op, "%s", detail);
done:
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, id, UUID_STR_MAX);
	return rc;
}

enum mmis_err consent_withdraw(const struct mmis_ctx *cx, const struct actor *a,
			       const char *case_id, const char *consent_id, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	char now[TIMESTAMP_STR_MAX], w[TIMESTAMP_STR_MAX + 1], owner[UUID_STR_MAX];
	bool found = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "consent.withdraw", "case", case_id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if (!uuid_valid(consent_id) ||
	    (!(rc = px_text(cx->store, "SELECT case_id FROM protect_consent WHERE id = ?",
			    consent_id, owner, sizeof(owner), &found, err)) &&
	     (!found || strcmp(owner, c.id)))) {
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "consent", "no such consent on this case");
		goto done;
	}
	if (rc || (rc = px_text(cx->store, "SELECT withdrawn_at FROM protect_consent WHERE id = ?",
				consent_id, w, sizeof(w), NULL, err)))
		goto done;
	if (*w) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "consent", "the consent was withdrawn already");
		goto done;
	}
	px_now(now);
	rc = PX_RUN(cx->store, "UPDATE protect_consent SET withdrawn_at = ?, withdrawn_by = ? WHERE "
		    "id = ?", NULL, err, now, a->user_id[0] ? a->user_id : NULL, consent_id);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "consent_withdrawn", NULL, NULL, NULL, NULL, err);
	audited_detail(&op, "consent %s", consent_id);
done:
	return audited_end(&op, rc, err);
}

/* ---- referrals */

/* The consent covering a referral of case `c` to agency `to`: active, to that agency, a
 * guardian's for a child; "" when none. */
static enum mmis_err covering_consent(struct store *s, const struct case_row *c, const char *to,
				      char id[UUID_STR_MAX], struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	id[0] = '\0';
	if ((rc = store_prepare(s, "SELECT id, given_by FROM protect_consent WHERE case_id = ? AND "
				"to_agency_id = ? AND withdrawn_at IS NULL ORDER BY created_at DESC, "
				"id DESC", &st, err)))
		return rc;
	store_bind_text(st, 1, c->id);
	store_bind_text(st, 2, to);
	while (!(rc = store_step(st, &row, err)) && row) {
		if (c->is_child && strcmp(store_column_text(st, 1), "guardian"))
			continue;
		px_copy(id, UUID_STR_MAX, store_column_text(st, 0));
		break;
	}
	store_finalize(st);
	return rc;
}

enum mmis_err referral_create(const struct mmis_ctx *cx, const struct actor *a,
			      const char *case_id, const json_t *in, json_t **out,
			      struct mmis_error *err)
{
	static const char *const keys[] = { "to_agency", "service", "note", "override_reason",
					    "scopes", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	const char *code = NULL, *note = NULL, *override = NULL;
	char id[UUID_STR_MAX] = "", gid[UUID_STR_MAX], gname[200], consent[UUID_STR_MAX] = "",
		scopes[80] = "", now[TIMESTAMP_STR_MAX], detail[400];
	bool found = false;
	int sv = -1;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = begin_case_op(&op, cx, a, "referral.create", "case", case_id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_string(in, "to_agency", true, 32, &code, err)) ||
	    (rc = mjson_get_enum(in, "service", true, protect_services, &sv, err)) ||
	    (rc = mjson_get_string(in, "note", false, 2000, &note, err)) ||
	    (rc = mjson_get_string(in, "override_reason", false, 2000, &override, err)) ||
	    (rc = px_codes(in, "scopes", protect_scopes, scopes, sizeof(scopes), err)))
		goto done;
	if (override && !*override)
		override = NULL;
	if ((rc = px_agency(cx->store, code, "to_agency", gid, gname, sizeof(gname), err)))
		goto done;
	if (!strcmp(gid, c.agency_id)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "to_agency", "to_agency: the case is this "
				    "agency's own; assign it instead");
		goto done;
	}
	{
		struct store_stmt *st;
		bool row = false;
		if ((rc = store_prepare(cx->store, "SELECT 1 FROM agency_service WHERE agency_id = ? "
					"AND service = ?", &st, err)))
			goto done;
		store_bind_text(st, 1, gid);
		store_bind_text(st, 2, protect_services[sv]);
		rc = store_step(st, &row, err);
		store_finalize(st);
		if (!rc && !row)
			rc = mmis_error_set(err, MMIS_EINVAL, "service", "service: %s does not offer "
					    "%s (see GET /api/v1/protection/providers)", code,
					    protect_services[sv]);
		if (rc)
			goto done;
	}
	if (is_closed(&c)) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "state", "the case is closed: reopen it first");
		goto done;
	}
	{
		struct store_stmt *st;
		if ((rc = store_prepare(cx->store, "SELECT 1 FROM protect_referral WHERE case_id = ? AND "
					"to_agency_id = ? AND service = ? AND state IN ('pending', "
					"'accepted')", &st, err)))
			goto done;
		store_bind_text(st, 1, c.id);
		store_bind_text(st, 2, gid);
		store_bind_text(st, 3, protect_services[sv]);
		rc = store_step(st, &found, err);
		store_finalize(st);
		if (!rc && found)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "service", "an open referral to %s "
					    "for %s exists already", code, protect_services[sv]);
		if (rc)
			goto done;
	}
	if ((rc = covering_consent(cx->store, &c, gid, consent, err)))
		goto done;
	if (!*consent && !override) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "consent", "no recorded consent covers sharing "
				    "this case with %s: record the %s consent first (POST "
				    "/api/v1/cases/{id}/consents), or a case supervisor may refer "
				    "with override_reason", code,
				    c.is_child ? "guardian's" : "person's");
		goto done;
	}
	if (*consent && (override || *scopes)) {
		rc = mmis_error_set(err, MMIS_EINVAL,
				    *scopes ? "scopes" : "override_reason", "%s: a consent covers "
				    "this referral; the consent decides what is shared",
				    *scopes ? "scopes" : "override_reason");
		goto done;
	}
	if (!*consent) {
		/* An override: a case supervisor's decision, with a reason, audited. */
		if ((rc = access_check("referral.override", a, &c, &rel, err)))
			goto done;
		if (!*scopes) {
			rc = mmis_error_set(err, MMIS_EINVAL, "scopes", "scopes: an override names what "
					    "is shared (identity, contact, story, health)");
			goto done;
		}
	}
	uuid7_new_str(id);
	px_now(now);
	rc = PX_RUN(cx->store, "INSERT INTO protect_referral (id, case_id, from_agency_id, "
		    "to_agency_id, service, state, consent_id, override_reason, override_scopes, "
		    "note, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, "
		    "?, ?, ?, ?, ?, ?)", NULL, err, id, c.id, c.agency_id, gid, protect_services[sv],
		    *consent ? consent : NULL, override, *consent ? NULL : scopes,
		    note && *note ? note : NULL, a->user_id[0] ? a->user_id : NULL, now, now);
	if (*consent)
		snprintf(detail, sizeof(detail), "to %s for %s, with consent", code,
			 protect_services[sv]);
	else
		snprintf(detail, sizeof(detail), "to %s for %s, consent overridden (sharing %s): %s",
			 code, protect_services[sv], scopes, override);
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "referral", NULL, NULL, detail,
			      *consent ? json_pack("{s:s, s:s}", "agency", code, "service",
						   protect_services[sv])
				       : json_pack("{s:s, s:s, s:s, s:s}", "agency", code, "service",
						   protect_services[sv], "override_scopes", scopes,
						   "override_reason", override), err);
	if (!rc)
		rc = one_referral(cx->store, id, out, err);
	audited_detail(&op, "%s", detail);
done:
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* The referral workflow: who acts (the receiving agency, or the case's side), from which states. */
static const struct {
	const char *action, *audit, *to;
	const char *from[3];
	bool receiver;
	bool needs_reason;
} referral_steps[] = {
	{ "accept", "referral.accept", "accepted", { "pending" }, true, false },
	{ "decline", "referral.decline", "declined", { "pending" }, true, true },
	{ "complete", "referral.complete", "completed", { "accepted" }, true, false },
	{ "withdraw", "referral.withdraw", "withdrawn", { "pending", "accepted" }, false, false },
};

enum mmis_err referral_act(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *action, const json_t *in, json_t **out,
			   struct mmis_error *err)
{
	static const char *const keys[] = { "reason", "note", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	struct store_stmt *st;
	const char *reason = NULL, *note = NULL;
	char case_id[UUID_STR_MAX] = "", to_agency[UUID_STR_MAX] = "", state[16] = "",
		service[32] = "", now[TIMESTAMP_STR_MAX], detail[400], code[40] = "";
	size_t k;
	bool row = false, from_ok = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	for (k = 0; k < COUNT(referral_steps); k++)
		if (action && !strcmp(referral_steps[k].action, action))
			break;
	if (k == COUNT(referral_steps))
		return mmis_error_set(err, MMIS_EINVAL, "action", "no referral action '%.20s'",
				      action ? action : "");
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, referral_steps[k].audit, "referral", err)))
		return rc;
	if (uuid_valid(id))
		px_copy(op.object_id, sizeof(op.object_id), id);
	if (!uuid_valid(id)) {
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such referral");
		goto done;
	}
	if ((rc = store_prepare(cx->store, "SELECT r.case_id, r.to_agency_id, r.state, r.service, "
				"g.code FROM protect_referral r JOIN agency g ON g.id = r.to_agency_id "
				"WHERE r.id = ?", &st, err)))
		goto done;
	store_bind_text(st, 1, id);
	if (!(rc = store_step(st, &row, err)) && row) {
		px_copy(case_id, sizeof(case_id), store_column_text(st, 0));
		px_copy(to_agency, sizeof(to_agency), store_column_text(st, 1));
		px_copy(state, sizeof(state), store_column_text(st, 2));
		px_copy(service, sizeof(service), store_column_text(st, 3));
		px_copy(code, sizeof(code), store_column_text(st, 4));
	}
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such referral");
	if (rc || (rc = px_case_load(cx->store, case_id, &c, err)) ||
	    (rc = px_case_rel(cx->store, a, &c, &rel, err)))
		goto done;
	/* The referral is the receiving agency's (even once it is no longer open) or the case side's. */
	bool receiver = a->agency_id[0] && !strcmp(a->agency_id, to_agency) &&
			actor_scope(a, PERM_CASE_READ) != SCOPE_NONE;
	if (receiver)
		rel.referred = true; /* for the access check: it is this agency's referral */
	if (!rel.full && !receiver) {
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such referral");
		goto done;
	}
	if (referral_steps[k].receiver ? !receiver : false) {
		rc = mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: only the receiving agency "
				    "(%s) may %s a referral", code, action);
		goto done;
	}
	if ((rc = access_check(referral_steps[k].audit, a, &c, &rel, err)))
		goto done;
	if (in && ((rc = mjson_only_keys(in, keys, err)) ||
		   (rc = mjson_get_string(in, "reason", false, 2000, &reason, err)) ||
		   (rc = mjson_get_string(in, "note", false, 2000, &note, err))))
		goto done;
	for (size_t i = 0; i < 3 && referral_steps[k].from[i]; i++)
		if (!strcmp(referral_steps[k].from[i], state))
			from_ok = true;
	if (!from_ok) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "state", "a referral that is %s cannot be "
				    "%s", state, referral_steps[k].to);
		goto done;
	}
	if (referral_steps[k].needs_reason && (!reason || !*reason)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "reason", "reason: declining needs a reason");
		goto done;
	}
	px_now(now);
	rc = PX_RUN(cx->store, !strcmp(referral_steps[k].to, "completed")
				       ? "UPDATE protect_referral SET state = ?, updated_at = ?, "
					 "completed_at = ?, decline_reason = COALESCE(?, decline_reason) "
					 "WHERE id = ?"
				       : "UPDATE protect_referral SET state = ?, updated_at = ?, "
					 "decided_at = ?, decline_reason = COALESCE(?, decline_reason) "
					 "WHERE id = ?",
		    NULL, err, referral_steps[k].to, now, now,
		    referral_steps[k].needs_reason ? reason : NULL, id);
	if (!rc && !strcmp(referral_steps[k].to, "accepted"))
		rc = PX_RUN(cx->store, "UPDATE protect_referral SET decided_by = ? WHERE id = ?", NULL,
			    err, a->user_id[0] ? a->user_id : NULL, id);
	snprintf(detail, sizeof(detail), "%s: %s by %s%s%s", service, referral_steps[k].to, code,
		 (reason && *reason) || (note && *note) ? ": " : "",
		 reason && *reason ? reason : note ? note : "");
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "referral_update", NULL, NULL, detail,
			      json_pack("{s:s, s:s, s:s, s:s?}", "service", service, "state",
					referral_steps[k].to, "agency", code, "reason",
					reason && *reason ? reason : note && *note ? note : NULL), err);
	if (!rc)
		rc = one_referral(cx->store, id, out, err);
	audited_detail(&op, "%s: %s -> %s", code, state, referral_steps[k].to);
done:
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static json_t *inbox_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	json_t *o = px_referral_row(st, NULL);
	return o;
}

enum mmis_err referral_list(const struct mmis_ctx *cx, const struct actor *a,
			    const char *direction, const char *state, json_t **out,
			    struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct store_stmt *st = NULL;
	json_t *arr = NULL;
	enum scope sc;
	bool row = false, in_dir;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "referral.list", "referral", err)))
		return rc;
	if ((rc = access_check("referral.list", a, NULL, NULL, err)))
		goto done;
	if (direction && strcmp(direction, "in") && strcmp(direction, "out")) {
		rc = mmis_error_set(err, MMIS_EINVAL, "direction", "direction: in or out");
		goto done;
	}
	if (state && !protect_in_list(protect_referral_states, state)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "state", "state: pending, accepted, declined, "
				    "completed or withdrawn");
		goto done;
	}
	in_dir = !direction || !strcmp(direction, "in");
	sc = actor_scope(a, PERM_CASE_READ);
	if (!(arr = json_array())) {
		rc = px_oom(err);
		goto done;
	}
	/* In: to the actor's agency. Out: of the cases the actor reaches fully. */
	if ((rc = store_prepare(cx->store, in_dir
			? REFERRAL_SELECT "WHERE (? OR r.to_agency_id = ?) AND (? = '' OR r.state = ?) "
			  "ORDER BY (CASE r.state WHEN 'pending' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 "
			  "END), r.created_at DESC, r.id LIMIT 500"
			: REFERRAL_SELECT "JOIN protect_case c ON c.id = r.case_id WHERE (? OR "
			  "c.agency_id = ? OR c.worker_id = ?) AND (? = '' OR r.state = ?) ORDER BY "
			  "(CASE r.state WHEN 'pending' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 END), "
			  "r.created_at DESC, r.id LIMIT 500", &st, err)))
		goto done;
	{
		int k = 1;
		store_bind_bool(st, k++, sc == SCOPE_ALL);
		if (in_dir) {
			store_bind_text(st, k++, a->agency_id[0] ? a->agency_id : "-");
		} else {
			store_bind_text(st, k++, sc == SCOPE_AGENCY && a->agency_id[0] ? a->agency_id : "-");
			store_bind_text(st, k++, sc == SCOPE_OWN && a->user_id[0] ? a->user_id : "-");
		}
		store_bind_text(st, k++, state ? state : "");
		store_bind_text(st, k, state ? state : "");
	}
	while (!(rc = store_step(st, &row, err)) && row) {
		json_t *o = inbox_row(st, NULL);
		if (!o || json_array_append_new(arr, o)) {
			rc = px_oom(err);
			break;
		}
	}
	store_finalize(st);
	/* For the receiving agency, each referral's person as far as the consent lets it see. */
	for (size_t i = 0; !rc && in_dir && i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		struct case_row c;
		struct case_rel rel;
		if ((rc = px_case_load(cx->store, json_string_value(json_object_get(o, "case_id")), &c,
				       err)) ||
		    (rc = px_case_rel(cx->store, a, &c, &rel, err)))
			break;
		json_object_set_new(o, "case_types", px_list_json(c.types));
		json_object_set_new(o, "is_child", json_boolean(c.is_child));
		json_object_set_new(o, "scopes", px_scopes_json(rel.full ? ~0u : rel.scopes));
		json_object_del(o, "override_reason");
		if (rel.full || (rel.scopes & 1u)) {
			char sn[PROTECT_TEXT_MAX + 1] = "", gn[PROTECT_TEXT_MAX + 1] = "";
			px_text(cx->store, "SELECT COALESCE(c.surname, p.surname) FROM protect_case c "
				"LEFT JOIN person p ON p.id = c.person_id WHERE c.id = ?", c.id, sn,
				sizeof(sn), NULL, NULL);
			px_text(cx->store, "SELECT COALESCE(c.given_names, p.given_names) FROM "
				"protect_case c LEFT JOIN person p ON p.id = c.person_id WHERE c.id = ?",
				c.id, gn, sizeof(gn), NULL, NULL);
			json_object_set_new(o, "surname", *sn ? json_string(sn) : json_null());
			json_object_set_new(o, "given_names", *gn ? json_string(gn) : json_null());
		}
	}
	audited_detail(&op, "%s: %zu referrals", in_dir ? "in" : "out", json_array_size(arr));
done:
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

/* ---- services */

enum mmis_err service_add(const struct mmis_ctx *cx, const struct actor *a, const char *case_id,
			  const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err)
{
	static const char *const keys[] = { "service", "delivered_on", "provider", "project",
					    "referral_id", "note", NULL };
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	struct date d, today;
	const char *provider = NULL, *project = NULL, *ref = NULL, *note = NULL;
	char id[UUID_STR_MAX] = "", gid[UUID_STR_MAX], gname[200], pid[UUID_STR_MAX] = "",
		day[DATE_STR_MAX], now[TIMESTAMP_STR_MAX], detail[300], x[UUID_STR_MAX];
	bool present = false, found = false;
	int sv = -1;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = begin_case_op(&op, cx, a, "service.create", "case", case_id, &c, &rel, err)))
		return audited_end(&op, rc, err);
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_enum(in, "service", true, protect_services, &sv, err)) ||
	    (rc = mjson_get_date(in, "delivered_on", true, false, &d, &present, err)) ||
	    (rc = mjson_get_string(in, "provider", false, 32, &provider, err)) ||
	    (rc = mjson_get_string(in, "project", false, 32, &project, err)) ||
	    (rc = mjson_get_string(in, "referral_id", false, UUID_STR_MAX, &ref, err)) ||
	    (rc = mjson_get_string(in, "note", false, 2000, &note, err)))
		goto done;
	date_today(&today);
	if (date_cmp(&d, &today) > 0) {
		rc = mmis_error_set(err, MMIS_EINVAL, "delivered_on", "delivered_on: in the future");
		goto done;
	}
	date_format(&d, day);
	if (!provider || !*provider)
		provider = a->agency_code;
	if ((rc = px_agency(cx->store, provider, "provider", gid, gname, sizeof(gname), err)))
		goto done;
	/* A receiving agency records what it delivered itself. */
	if (!actor_may(a, PERM_CASE_WRITE, c.worker_id, c.agency_id) && strcmp(gid, a->agency_id)) {
		rc = mmis_error_set(err, MMIS_EDENIED, "provider", "not allowed: a receiving agency "
				    "records its own services only");
		goto done;
	}
	if (project && *project) {
		if ((rc = px_text(cx->store, "SELECT id FROM protect_project WHERE code = ?", project,
				  pid, sizeof(pid), &found, err)))
			goto done;
		if (!found) {
			rc = mmis_error_set(err, MMIS_EINVAL, "project", "project: no project '%.32s' "
					    "(see GET /api/v1/projects)", project);
			goto done;
		}
	}
	if (ref && *ref) {
		if (!uuid_valid(ref) ||
		    (rc = px_text(cx->store, "SELECT case_id FROM protect_referral WHERE id = ?", ref,
				  x, sizeof(x), &found, err)) || !found || strcmp(x, c.id)) {
			if (!rc)
				rc = mmis_error_set(err, MMIS_EINVAL, "referral_id", "referral_id: no "
						    "such referral of this case");
			goto done;
		}
	}
	if (!strcmp(c.state, "closed")) {
		rc = mmis_error_set(err, MMIS_ECONFLICT, "state", "the case is closed: reopen it first");
		goto done;
	}
	uuid7_new_str(id);
	px_now(now);
	rc = PX_RUN(cx->store, "INSERT INTO protect_service (id, case_id, service, "
		    "provider_agency_id, project_id, referral_id, delivered_on, note, recorded_by, "
		    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, err, id, c.id,
		    protect_services[sv], gid, *pid ? pid : NULL, ref && *ref ? ref : NULL, day,
		    note && *note ? note : NULL, a->user_id[0] ? a->user_id : NULL, now);
	snprintf(detail, sizeof(detail), "%s by %s on %s%s%s", protect_services[sv], provider, day,
		 project && *project ? ", project " : "", project ? project : "");
	if (!rc && !(rc = px_touch(cx->store, c.id, err)))
		rc = px_event(cx->store, a, c.id, "service", NULL, NULL, detail,
			      json_pack("{s:s, s:s, s:s, s:s?}", "service", protect_services[sv],
					"provider", provider, "on", day, "project",
					project && *project ? project : NULL), err);
	audited_detail(&op, "%s", detail);
done:
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, id, UUID_STR_MAX);
	return rc;
}

/* ---- providers and projects */

enum mmis_err provider_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			    struct mmis_error *err)
{
	struct store_stmt *st;
	json_t *arr, *cur = NULL;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	if ((rc = px_check_ctx(cx, a, err)))
		return rc;
	if (actor_scope(a, PERM_CASE_READ) == SCOPE_NONE &&
	    actor_scope(a, PERM_AGENCIES_ADMIN) == SCOPE_NONE)
		return mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: needs the permission "
				      "case.read");
	if (!(arr = json_array()))
		return px_oom(err);
	/* Not audited: the agencies and what they offer are reference data, not personal data. */
	if ((rc = store_prepare(cx->store, "SELECT g.code, g.name, g.kind, s.service FROM agency g "
				"LEFT JOIN agency_service s ON s.agency_id = g.id ORDER BY g.code, "
				"s.service", &st, err))) {
		json_decref(arr);
		return rc;
	}
	while (!(rc = store_step(st, &row, err)) && row) {
		const char *code = store_column_text(st, 0);
		if (!cur || strcmp(json_string_value(json_object_get(cur, "code")), code)) {
			cur = json_pack("{s:s, s:s?, s:s?, s:[]}", "code", code, "name",
					store_column_text(st, 1), "kind", store_column_text(st, 2),
					"services");
			if (!cur || json_array_append_new(arr, cur)) {
				rc = px_oom(err);
				break;
			}
		}
		if (!store_column_is_null(st, 3))
			json_array_append_new(json_object_get(cur, "services"),
					      json_string(store_column_text(st, 3)));
	}
	store_finalize(st);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

enum mmis_err provider_set_services(const struct mmis_ctx *cx, const struct actor *a,
				    const char *agency_code, const json_t *services,
				    struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	char gid[UUID_STR_MAX], list[300];
	json_t *wrap = NULL;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "agency.services", "agency", err)))
		return rc;
	px_copy(op.object_id, sizeof(op.object_id), agency_code);
	if (actor_scope(a, PERM_AGENCIES_ADMIN) != SCOPE_ALL) {
		rc = mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: needs the permission "
				    "agencies.admin");
		goto done;
	}
	if ((rc = px_agency(cx->store, agency_code, "code", gid, NULL, 0, err))) {
		if (rc == MMIS_EINVAL)
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "code", "no agency '%.32s'",
					    agency_code ? agency_code : "");
		goto done;
	}
	if (!json_is_array(services)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "services", "services: a list of services");
		goto done;
	}
	if (!(wrap = json_pack("{s:O}", "services", services))) {
		rc = px_oom(err);
		goto done;
	}
	if ((rc = px_codes(wrap, "services", protect_services, list, sizeof(list), err)) ||
	    (rc = PX_RUN(cx->store, "DELETE FROM agency_service WHERE agency_id = ?", NULL, err, gid)))
		goto done;
	for (const char *p = list; !rc && *p;) {
		char s[40];
		size_t n = strcspn(p, ",");
		snprintf(s, sizeof(s), "%.*s", (int)(n < 39 ? n : 39), p);
		rc = PX_RUN(cx->store, "INSERT INTO agency_service (agency_id, service) VALUES (?, ?)",
			    NULL, err, gid, s);
		p += n + (p[n] == ',');
	}
	audited_detail(&op, "%s", list);
done:
	json_decref(wrap);
	return audited_end(&op, rc, err);
}

enum mmis_err project_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			   struct mmis_error *err)
{
	static const char *const names[] = { "code", "name", "donor", NULL };
	enum mmis_err rc;

	*out = NULL;
	if ((rc = px_check_ctx(cx, a, err)))
		return rc;
	if (actor_scope(a, PERM_CASE_READ) == SCOPE_NONE &&
	    actor_scope(a, PERM_AGENCIES_ADMIN) == SCOPE_NONE)
		return mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: needs the permission "
				      "case.read");
	return store_rows_json(cx->store, "SELECT code, name, donor FROM protect_project ORDER BY code",
			       NULL, 0, store_row_object, (void *)names, false, out, err);
}

/* A project's code: 2 to 32 of A-Z, 0-9, - and _; not NONE (the statistics' code for services
 * without a project) nor starting with _ (the statistics' margins are _T). */
static bool project_code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 32 || !strcmp(s, "NONE") || s[0] == '_')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

enum mmis_err project_add(const struct mmis_ctx *cx, const struct actor *a, const char *code,
			  const char *name, const char *donor, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	char id[UUID_STR_MAX], now[TIMESTAMP_STR_MAX];
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "project.create", "project", err)))
		return rc;
	if (project_code_ok(code))
		px_copy(op.object_id, sizeof(op.object_id), code);
	if (actor_scope(a, PERM_AGENCIES_ADMIN) != SCOPE_ALL)
		rc = mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: needs the permission "
				    "agencies.admin");
	else if (!project_code_ok(code))
		rc = mmis_error_set(err, MMIS_EINVAL, "code", "code: 2 to 32 of A-Z, 0-9, - and "
				    "_ (not NONE, nor starting with _)");
	else if (!name || !*name || strlen(name) > 300 || !mjson_text_ok(name, strlen(name), false))
		rc = mmis_error_set(err, MMIS_EINVAL, "name", "name: 1 to 300 bytes of text");
	else if (!donor || !*donor || strlen(donor) > 300 || !mjson_text_ok(donor, strlen(donor), false))
		rc = mmis_error_set(err, MMIS_EINVAL, "donor", "donor: 1 to 300 bytes of text");
	if (!rc) {
		uuid7_new_str(id);
		px_now(now);
		rc = PX_RUN(cx->store, "INSERT INTO protect_project (id, code, name, donor, created_at) "
			    "VALUES (?, ?, ?, ?, ?)", NULL, err, id, code, name, donor, now);
		if (rc == MMIS_ECONFLICT)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "code", "project %s exists already",
					    code);
		audited_detail(&op, "%s (%s)", code, donor);
	}
	return audited_end(&op, rc, err);
}
