/*
 * case.c - screenings and cases: opening, reading (the whole case, or what a consent lets a
 * receiving agency see), listing, changing, the workflow, formal identification, assignment and
 * transfer, case forms, notes and follow-ups, the settings and the supervisor's dashboard
 * (protect.h). Every public function checks access through the table in workflow.c and writes
 * its audit event in the transaction of its work (struct audited_op, auth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/country.h"
#include "mmis/json.h"
#include "mmis/store_json.h"
#include "mmis/strbuf.h"
#include "mmis/uuid.h"

/* ---- helpers shared with the other files (internal.h) */

enum mmis_err px_text(struct store *s, const char *sql, const char *param, char *out, size_t cap,
		      bool *found, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	out[0] = '\0';
	if ((rc = store_prepare(s, sql, &st, err)))
		return rc;
	if (param)
		store_bind_text(st, 1, param);
	if (!(rc = store_step(st, &row, err)) && row)
		px_copy(out, cap, store_column_text(st, 0));
	store_finalize(st);
	if (found)
		*found = row;
	return rc;
}

void px_now(char out[TIMESTAMP_STR_MAX])
{
	timestamp_format(timestamp_now(), out);
}

void px_today(char out[DATE_STR_MAX])
{
	struct date d;
	date_today(&d);
	date_format(&d, out);
}

bool px_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, item, n))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

json_t *px_list_json(const char *list)
{
	json_t *arr = json_array();
	for (const char *p = list; arr && p && *p;) {
		size_t len = strcspn(p, ",");
		json_array_append_new(arr, json_stringn(p, len));
		p += len + (p[len] == ',');
	}
	return arr;
}

unsigned px_scope_bits(const char *list)
{
	unsigned bits = 0;
	for (size_t i = 0; protect_scopes[i]; i++)
		if (px_list_has(list, protect_scopes[i]))
			bits |= 1u << i;
	return bits;
}

json_t *px_scopes_json(unsigned bits)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && protect_scopes[i]; i++)
		if (bits & (1u << i))
			json_array_append_new(arr, json_string(protect_scopes[i]));
	return arr;
}

enum mmis_err px_codes(const json_t *in, const char *key, const char *const *codes, char *out,
		       size_t cap, struct mmis_error *err)
{
	const json_t *arr = json_object_get(in, key), *v;
	size_t i, len = 0;

	out[0] = '\0';
	if (!arr || json_is_null(arr))
		return MMIS_OK;
	if (!json_is_array(arr))
		return mmis_error_set(err, MMIS_EINVAL, key, "%s: expected a list of codes", key);
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		char list[600] = "";
		size_t l = 0;
		if (!s || !protect_in_list(codes, s)) {
			for (size_t j = 0; codes[j] && l < sizeof(list); j++)
				l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s", j ? ", " : "",
						      codes[j]);
			return mmis_error_set(err, MMIS_EINVAL, key, "%s: '%.40s' is not one of %s",
					      key, s ? s : "(not text)", list);
		}
		if (px_list_has(out, s))
			return mmis_error_set(err, MMIS_EINVAL, key, "%s: '%s' is given twice", key, s);
		if (len + strlen(s) + 2 > cap)
			return mmis_error_set(err, MMIS_EINVAL, key, "%s: too many codes", key);
		len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "," : "", s);
	}
	return MMIS_OK;
}

enum mmis_err px_agency(struct store *s, const char *code, const char *field,
			char id[UUID_STR_MAX], char *name, size_t name_cap, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	id[0] = '\0';
	if (!code || !*code)
		return mmis_error_set(err, MMIS_EINVAL, field, "%s: is required", field);
	if ((rc = store_prepare(s, "SELECT id, name FROM agency WHERE code = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, code);
	if (!(rc = store_step(st, &row, err)) && row) {
		px_copy(id, UUID_STR_MAX, store_column_text(st, 0));
		if (name)
			px_copy(name, name_cap, store_column_text(st, 1));
	}
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_EINVAL, field, "%s: no agency '%.32s'", field, code);
	return rc;
}

enum mmis_err px_event(struct store *s, const struct actor *a, const char *case_id,
		       const char *kind, const char *from_state, const char *to_state,
		       const char *detail, json_t *data, struct mmis_error *err)
{
	char id[UUID_STR_MAX], now[TIMESTAMP_STR_MAX];
	char *text = data && json_object_size(data) ? mjson_dump(data) : NULL;
	enum mmis_err rc;

	json_decref(data);
	uuid7_new_str(id);
	px_now(now);
	rc = PX_RUN(s, "INSERT INTO protect_event (id, case_id, at, kind, from_state, to_state, "
		    "detail, actor_id, actor, agency_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		    "?)", NULL, err, id, case_id, now, kind, from_state, to_state,
		    detail && *detail ? detail : NULL, a->user_id[0] ? a->user_id : NULL,
		    a->display_name[0] ? a->display_name : a->username,
		    a->agency_id[0] ? a->agency_id : NULL, text);
	free(text);
	return rc;
}

enum mmis_err px_touch(struct store *s, const char *case_id, struct mmis_error *err)
{
	char now[TIMESTAMP_STR_MAX];
	px_now(now);
	return PX_RUN(s, "UPDATE protect_case SET updated_at = ? WHERE id = ?", NULL, err, now,
		      case_id);
}

enum mmis_err px_case_load(struct store *s, const char *id, struct case_row *out,
			   struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	memset(out, 0, sizeof(*out));
	if (!id || !uuid_valid(id))
		return mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such case");
	if ((rc = store_prepare(s, "SELECT id, state, agency_id, worker_id, citizenship, birth_date, "
				"opened_on, reflection_end, trafficking_status, is_child FROM "
				"protect_case WHERE id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, id);
	if (!(rc = store_step(st, &row, err)) && row) {
		px_copy(out->id, sizeof(out->id), store_column_text(st, 0));
		px_copy(out->state, sizeof(out->state), store_column_text(st, 1));
		px_copy(out->agency_id, sizeof(out->agency_id), store_column_text(st, 2));
		px_copy(out->worker_id, sizeof(out->worker_id), store_column_text(st, 3));
		px_copy(out->citizenship, sizeof(out->citizenship), store_column_text(st, 4));
		px_copy(out->birth_date, sizeof(out->birth_date), store_column_text(st, 5));
		px_copy(out->opened_on, sizeof(out->opened_on), store_column_text(st, 6));
		px_copy(out->reflection_end, sizeof(out->reflection_end), store_column_text(st, 7));
		px_copy(out->trafficking_status, sizeof(out->trafficking_status),
			store_column_text(st, 8));
		out->is_child = store_column_bool(st, 9);
	}
	store_finalize(st);
	if (!rc && !row)
		return mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such case");
	if (rc || (rc = store_prepare(s, "SELECT type FROM protect_case_type WHERE case_id = ? "
				      "ORDER BY type", &st, err)))
		return rc;
	store_bind_text(st, 1, id);
	size_t len = 0;
	while (!(rc = store_step(st, &row, err)) && row && len < sizeof(out->types))
		len += (size_t)snprintf(out->types + len, sizeof(out->types) - len, "%s%s",
					len ? "," : "", store_column_text(st, 0));
	store_finalize(st);
	return rc;
}

enum mmis_err px_case_rel(struct store *s, const struct actor *a, const struct case_row *c,
			  struct case_rel *out, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	memset(out, 0, sizeof(*out));
	out->full = actor_may(a, PERM_CASE_READ, c->worker_id, c->agency_id);
	out->unassigned = !c->worker_id[0] && a->agency_id[0] &&
			  !strcmp(a->agency_id, c->agency_id) &&
			  actor_scope(a, PERM_CASE_READ) >= SCOPE_AGENCY;
	if (actor_scope(a, PERM_CASE_READ) == SCOPE_NONE || !a->agency_id[0])
		return MMIS_OK;
	if ((rc = store_prepare(s, "SELECT r.state, r.override_scopes, k.scopes, k.withdrawn_at, "
				"r.consent_id FROM protect_referral r LEFT JOIN protect_consent k ON "
				"k.id = r.consent_id WHERE r.case_id = ? AND r.to_agency_id = ? AND "
				"r.state IN ('pending', 'accepted')", &st, err)))
		return rc;
	store_bind_text(st, 1, c->id);
	store_bind_text(st, 2, a->agency_id);
	while (!(rc = store_step(st, &row, err)) && row) {
		out->referred = true;
		if (!strcmp(store_column_text(st, 0), "accepted"))
			out->accepted = true;
		if (!store_column_is_null(st, 4)) {
			if (store_column_is_null(st, 3))
				out->scopes |= px_scope_bits(store_column_text(st, 2));
		} else {
			out->scopes |= px_scope_bits(store_column_text(st, 1));
		}
	}
	store_finalize(st);
	return rc;
}

enum mmis_err px_case_reach(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			    const char *action, struct case_row *c, struct case_rel *rel,
			    struct mmis_error *err)
{
	enum mmis_err rc;

	if ((rc = px_case_load(cx->store, id, c, err)) ||
	    (rc = px_case_rel(cx->store, a, c, rel, err)))
		return rc;
	return access_check(action, a, c, rel, err);
}

static bool has_type(const struct case_row *c, const char *type)
{
	return px_list_has(c->types, type);
}

static bool is_closed(const struct case_row *c)
{
	return !strcmp(c->state, "closed");
}

/* A date member not in the future (absent: *present false). */
static enum mmis_err get_past_date(const json_t *in, const char *key, bool required,
				   char out[DATE_STR_MAX], bool *present, struct mmis_error *err)
{
	struct date d, today;
	enum mmis_err rc;

	out[0] = '\0';
	if ((rc = mjson_get_date(in, key, required, false, &d, present, err)) || !*present)
		return rc;
	date_today(&today);
	if (date_cmp(&d, &today) > 0)
		return mmis_error_set(err, MMIS_EINVAL, key, "%s: is in the future", key);
	date_format(&d, out);
	return MMIS_OK;
}

/* ---- settings */

static int setting_int(struct store *s, const char *key, int dflt, int min, int max)
{
	char v[32];
	bool found = false;
	if (px_text(s, "SELECT value FROM site_setting WHERE key = ?", key, v, sizeof(v), &found,
		    NULL) || !found)
		return dflt;
	char *end;
	long n = strtol(v, &end, 10);
	return *v && !*end && n >= min && n <= max ? (int)n : dflt;
}

enum mmis_err protect_settings_get(const struct mmis_ctx *cx, struct protect_settings *out,
				   struct mmis_error *err)
{
	(void)err;
	out->reflection_days = setting_int(cx->store, "protect.reflection_days",
					   PROTECT_REFLECTION_DAYS, 1, 365);
	out->reflection_warn_days = setting_int(cx->store, "protect.reflection_warn_days",
						PROTECT_REFLECTION_WARN_DAYS, 0, 90);
	return MMIS_OK;
}

static enum mmis_err put_setting(struct store *s, const char *key, int value,
				 struct mmis_error *err)
{
	char v[32], now[TIMESTAMP_STR_MAX];
	int64_t n = 0;
	enum mmis_err rc;

	snprintf(v, sizeof(v), "%d", value);
	px_now(now);
	if ((rc = PX_RUN(s, "UPDATE site_setting SET value = ?, updated_at = ? WHERE key = ?", &n,
			 err, v, now, key)) || n)
		return rc;
	return PX_RUN(s, "INSERT INTO site_setting (key, value, updated_at) VALUES (?, ?, ?)", NULL,
		      err, key, v, now);
}

enum mmis_err protect_settings_set(const struct mmis_ctx *cx, const struct actor *a,
				   const struct protect_settings *in, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "protection.settings", "setting", err)))
		return rc;
	if (actor_scope(a, PERM_CASE_SUPERVISE) != SCOPE_ALL)
		rc = mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: the protection settings "
				    "are the operator's (case.supervise over all)");
	else if (in->reflection_days < 1 || in->reflection_days > 365)
		rc = mmis_error_set(err, MMIS_EINVAL, "reflection_days", "reflection_days: 1 to 365");
	else if (in->reflection_warn_days < 0 || in->reflection_warn_days > 90)
		rc = mmis_error_set(err, MMIS_EINVAL, "reflection_warn_days",
				    "reflection_warn_days: 0 to 90");
	if (!rc && !(rc = put_setting(cx->store, "protect.reflection_days", in->reflection_days,
				      err)))
		rc = put_setting(cx->store, "protect.reflection_warn_days", in->reflection_warn_days,
				 err);
	audited_detail(&op, "reflection %d days, warn %d days before", in->reflection_days,
		       in->reflection_warn_days);
	return audited_end(&op, rc, err);
}

/* ---- the case's profile: members of POST and PATCH, and the columns they go to */

enum pf_kind { PF_TEXT, PF_LONG, PF_SEX, PF_BIRTH, PF_COUNTRY, PF_EXPLOITATION, PF_CONTROL,
	       PF_RELATIONSHIP, PF_PERSON, PF_BCP };

static const struct {
	const char *key;
	enum pf_kind kind;
} profile_fields[] = {
	{ "surname", PF_TEXT }, { "given_names", PF_TEXT }, { "sex", PF_SEX },
	{ "birth_date", PF_BIRTH }, { "citizenship", PF_COUNTRY }, { "languages", PF_TEXT },
	{ "phone", PF_TEXT }, { "address", PF_TEXT }, { "story", PF_LONG }, { "health", PF_LONG },
	{ "exploitation", PF_EXPLOITATION }, { "means_of_control", PF_CONTROL },
	{ "relationship_to_trafficker", PF_RELATIONSHIP }, { "country_of_exploitation", PF_COUNTRY },
	{ "person_id", PF_PERSON }, { "bcp", PF_BCP },
};
#define N_PROFILE COUNT(profile_fields)

struct profile {
	bool given[N_PROFILE];
	const char *val[N_PROFILE];  /* NULL: set to NULL */
	char buf[N_PROFILE][600];    /* normalised values */
};

static const char *profile_column(size_t i)
{
	return !strcmp(profile_fields[i].key, "bcp") ? "bcp_code" : profile_fields[i].key;
}

static int profile_index(const char *key)
{
	for (size_t i = 0; i < N_PROFILE; i++)
		if (!strcmp(profile_fields[i].key, key))
			return (int)i;
	return -1;
}

static enum mmis_err read_profile(const struct mmis_ctx *cx, const struct actor *a,
				  const json_t *in, struct profile *p, struct mmis_error *err)
{
	enum mmis_err rc;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < N_PROFILE; i++) {
		const char *key = profile_fields[i].key, *s = NULL;
		const json_t *v = json_object_get(in, key);
		if (!v)
			continue;
		p->given[i] = true;
		if (json_is_null(v))
			continue;
		switch (profile_fields[i].kind) {
		case PF_EXPLOITATION:
		case PF_CONTROL:
			if ((rc = px_codes(in, key, profile_fields[i].kind == PF_EXPLOITATION
						    ? protect_htcds_exploitation : protect_htcds_control,
					   p->buf[i], sizeof(p->buf[i]), err)))
				return rc;
			p->val[i] = p->buf[i];
			continue;
		default:
			break;
		}
		if ((rc = mjson_get_string(in, key, false,
					   profile_fields[i].kind == PF_LONG ? PROTECT_LONG_MAX
									     : PROTECT_TEXT_MAX,
					   &s, err)))
			return rc;
		if (!s || !*s)
			continue;
		switch (profile_fields[i].kind) {
		case PF_SEX:
			if (strcmp(s, "F") && strcmp(s, "M") && strcmp(s, "X"))
				return mmis_error_set(err, MMIS_EINVAL, key, "sex: F, M or X");
			break;
		case PF_BIRTH: {
			struct date d, today;
			if ((rc = date_parse_partial(s, key, &d, err)))
				return rc;
			date_today(&today);
			if (date_cmp(&d, &today) > 0)
				return mmis_error_set(err, MMIS_EINVAL, key, "birth_date: in the future");
			break;
		}
		case PF_COUNTRY: {
			const struct country *c = strlen(s) <= 3 ? country_lookup(s) : NULL;
			if (!c)
				return mmis_error_set(err, MMIS_EINVAL, key, "%s: '%.8s' is not an ISO "
						      "3166-1 alpha-3 or ICAO country code", key, s);
			px_copy(p->buf[i], sizeof(p->buf[i]), strcmp(c->alpha3, "D") ? c->alpha3
										     : "DEU");
			s = p->buf[i];
			break;
		}
		case PF_RELATIONSHIP:
			if (!protect_in_list(protect_htcds_relationship, s))
				return mmis_error_set(err, MMIS_EINVAL, key, "%s: Familial, Acquainted "
						      "or Unacquainted (HTCDS)", key);
			break;
		case PF_PERSON: {
			bool found = false;
			char x[8];
			if (!uuid_valid(s))
				return mmis_error_set(err, MMIS_EINVAL, key, "person_id: not an id");
			/* A case names a traveller only when its worker may read border records. */
			if (actor_scope(a, PERM_BORDER_READ) == SCOPE_NONE)
				return mmis_error_set(err, MMIS_EINVAL, key, "person_id: linking a "
						      "traveller needs the permission border.read");
			if ((rc = px_text(cx->store, "SELECT 'x' FROM person WHERE id = ?", s, x,
					  sizeof(x), &found, err)))
				return rc;
			if (!found)
				return mmis_error_set(err, MMIS_EINVAL, key, "person_id: no such traveller");
			break;
		}
		case PF_BCP: {
			bool found = false;
			char x[8];
			if ((rc = px_text(cx->store, "SELECT 'x' FROM bcp WHERE code = ?", s, x,
					  sizeof(x), &found, err)))
				return rc;
			if (!found)
				return mmis_error_set(err, MMIS_EINVAL, key, "bcp: no BCP '%.20s'", s);
			break;
		}
		case PF_TEXT:
		case PF_LONG:
		case PF_EXPLOITATION:
		case PF_CONTROL:
			break;
		}
		p->val[i] = s;
	}
	return MMIS_OK;
}

/* Read the case types (required unless `dflt` gives some); victim_of_trafficking only by
 * formal identification, so it may stay but never be added or removed here. */
static enum mmis_err read_types(const json_t *in, bool required, const char *current,
				char out[160], bool *given, struct mmis_error *err)
{
	enum mmis_err rc;

	*given = json_object_get(in, "types") && !json_is_null(json_object_get(in, "types"));
	if (!*given) {
		px_copy(out, 160, current);
		if (required && !*out)
			return mmis_error_set(err, MMIS_EINVAL, "types", "types: at least one case type");
		return MMIS_OK;
	}
	if ((rc = px_codes(in, "types", protect_case_types, out, 160, err)))
		return rc;
	if (!*out)
		return mmis_error_set(err, MMIS_EINVAL, "types", "types: at least one case type");
	if (px_list_has(out, "victim_of_trafficking") != px_list_has(current, "victim_of_trafficking"))
		return mmis_error_set(err, MMIS_EINVAL, "types", "types: victim_of_trafficking is "
				      "given by formal identification only");
	if (px_list_has(out, "victim_of_trafficking") &&
	    px_list_has(out, "presumed_victim_of_trafficking"))
		return mmis_error_set(err, MMIS_EINVAL, "types", "types: a formally identified "
				      "victim is no longer a presumed one");
	return MMIS_OK;
}

static enum mmis_err write_types(struct store *s, const char *case_id, const char *types,
				 struct mmis_error *err)
{
	enum mmis_err rc;

	if ((rc = PX_RUN(s, "DELETE FROM protect_case_type WHERE case_id = ?", NULL, err, case_id)))
		return rc;
	for (const char *p = types; *p;) {
		char t[64];
		size_t len = strcspn(p, ",");
		snprintf(t, sizeof(t), "%.*s", (int)(len < 63 ? len : 63), p);
		if ((rc = PX_RUN(s, "INSERT INTO protect_case_type (case_id, type) VALUES (?, ?)",
				 NULL, err, case_id, t)))
			return rc;
		p += len + (p[len] == ',');
	}
	return MMIS_OK;
}

/* Whether someone born on `birth` (possibly partial, "" unknown) is under 18 on `today`. */
static bool under_18(const char *birth)
{
	struct date b, today, adult;
	if (!birth || !*birth || date_parse_partial(birth, NULL, &b, NULL))
		return false;
	date_today(&today);
	/* A partial date counts from its last possible day: a child until surely not. */
	if (b.precision == DATE_YEAR) {
		b.month = 12;
		b.day = 31;
	} else if (b.precision == DATE_MONTH) {
		b.day = date_days_in_month(b.year, b.month);
	}
	b.precision = DATE_DAY;
	adult = b;
	adult.year += 18;
	if (adult.month == 2 && adult.day == 29 && !date_is_leap_year(adult.year))
		adult.day = 28;
	return date_cmp(&today, &adult) < 0;
}

static bool child_by(const char *types, const char *birth)
{
	return px_list_has(types, "unaccompanied_child") || px_list_has(types, "separated_child") ||
	       under_18(birth);
}

/* The reflection period's end for a presumed victim starting on `start`; "" when none applies
 * (not a presumed or identified victim, or a citizen of Montenegro). */
static void reflection_end_of(const struct mmis_ctx *cx, const char *types, const char *citizen,
			      const char *start, char out[DATE_STR_MAX])
{
	struct protect_settings ps;
	struct date d, e;

	out[0] = '\0';
	if (!px_list_has(types, "presumed_victim_of_trafficking") || !strcmp(citizen ? citizen : "", "MNE") ||
	    date_parse(start, NULL, &d, NULL))
		return;
	protect_settings_get(cx, &ps, NULL);
	if (!date_add_days(&d, ps.reflection_days, &e))
		date_format(&e, out);
}

/* ---- screening */

enum mmis_err screening_record(const struct mmis_ctx *cx, const struct actor *a, const json_t *in,
			       json_t **out, struct mmis_error *err)
{
	static const char *const keys[] = { "form", "answers", "person_id", "bcp", NULL };
	struct mmis_error local;
	struct audited_op op;
	const struct form *f = NULL;
	const char *form = NULL, *person = NULL, *bcp = NULL;
	char id[UUID_STR_MAX], now[TIMESTAMP_STR_MAX], x[8];
	json_t *clean = NULL, *ev = NULL, *outs = NULL;
	char *answers = NULL, outcome[200] = "", types[160] = "";
	bool found;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "screening.create", "screening", err)))
		return rc;
	if ((rc = access_check("screening.create", a, NULL, NULL, err)))
		goto done;
	if (!a->agency_id[0]) {
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "a screening is made by a user of an agency");
		goto done;
	}
	if ((rc = mjson_only_keys(in, keys, err)) ||
	    (rc = mjson_get_string(in, "form", false, 64, &form, err)) ||
	    (rc = mjson_get_string(in, "person_id", false, UUID_STR_MAX, &person, err)) ||
	    (rc = mjson_get_string(in, "bcp", false, 32, &bcp, err)))
		goto done;
	if (!(f = form_find(form && *form ? form : PROTECT_SCREENING_FORM)) || form_is_case_form(f)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "form", "form: no screening form '%.40s'",
				    form ? form : PROTECT_SCREENING_FORM);
		goto done;
	}
	if (!json_object_get(in, "answers")) {
		rc = mmis_error_set(err, MMIS_EINVAL, "answers", "answers: is required");
		goto done;
	}
	if ((rc = form_check(f, json_object_get(in, "answers"), &clean, err)))
		goto done;
	if (person && *person) {
		if (!uuid_valid(person) || actor_scope(a, PERM_BORDER_READ) == SCOPE_NONE ||
		    (rc = px_text(cx->store, "SELECT 'x' FROM person WHERE id = ?", person, x,
				  sizeof(x), &found, err)) || !found) {
			if (!rc)
				rc = mmis_error_set(err, MMIS_EINVAL, "person_id",
						    "person_id: no such traveller in your reach");
			goto done;
		}
	}
	if (bcp && *bcp &&
	    ((rc = px_text(cx->store, "SELECT 'x' FROM bcp WHERE code = ?", bcp, x, sizeof(x),
			   &found, err)) || !found)) {
		if (!rc)
			rc = mmis_error_set(err, MMIS_EINVAL, "bcp", "bcp: no BCP '%.20s'", bcp);
		goto done;
	}
	ev = form_evaluate(f, clean);
	if (!ev || !(answers = mjson_dump(clean))) {
		rc = px_oom(err);
		goto done;
	}
	{
		size_t i, lo = 0, lt = 0;
		const json_t *v;
		json_array_foreach(json_object_get(ev, "outcomes"), i, v)
			lo += (size_t)snprintf(outcome + lo, sizeof(outcome) - lo, "%s%s",
					       lo ? "," : "", json_string_value(v));
		json_array_foreach(json_object_get(ev, "case_types"), i, v)
			lt += (size_t)snprintf(types + lt, sizeof(types) - lt, "%s%s", lt ? "," : "",
					       json_string_value(v));
	}
	uuid7_new_str(id);
	px_copy(op.object_id, sizeof(op.object_id), id);
	px_now(now);
	{
		char ver[16];
		snprintf(ver, sizeof(ver), "%d", form_version(f));
		rc = PX_RUN(cx->store, "INSERT INTO protect_screening (id, form_id, form_version, "
			    "answers, outcome, suggested_types, person_id, bcp_code, created_by, "
			    "agency_id, created_at) VALUES (?, ?, CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?)",
			    NULL, err, id, form_id(f), ver, answers, outcome, types,
			    person && *person ? person : NULL, bcp && *bcp ? bcp : NULL, a->user_id,
			    a->agency_id, now);
	}
	if (rc)
		goto done;
	audited_detail(&op, "form %s: %s", form_id(f), outcome);
	outs = json_array();
	{
		size_t i;
		const json_t *v;
		json_array_foreach(json_object_get(ev, "outcomes"), i, v)
			json_array_append_new(outs, json_pack("{s:s, s:O}", "id", json_string_value(v),
							      "label",
							      form_outcome_label(f, json_string_value(v))));
	}
	*out = json_pack("{s:s, s:s, s:i, s:o, s:O, s:O, s:s, s:s?, s:s?}", "id", id, "form",
			 form_id(f), "form_version", form_version(f), "outcomes", outs, "case_types",
			 json_object_get(ev, "case_types"), "indicators",
			 json_object_get(ev, "indicators"), "created_at", now, "person_id",
			 person && *person ? person : NULL, "bcp", bcp && *bcp ? bcp : NULL);
	outs = NULL;
	if (!*out)
		rc = px_oom(err);
done:
	json_decref(clean);
	json_decref(ev);
	json_decref(outs);
	free(answers);
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- opening a case */

static const char *const open_keys[] = {
	"screening_id", "types", "opened_on", "surname", "given_names", "sex", "birth_date",
	"citizenship", "languages", "phone", "address", "story", "health", "exploitation",
	"means_of_control", "relationship_to_trafficker", "country_of_exploitation", "person_id",
	"bcp", NULL,
};

enum mmis_err case_open(const struct mmis_ctx *cx, const struct actor *a, const json_t *in,
			char id_out[UUID_STR_MAX], struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct profile *p = NULL;
	const char *scr = NULL;
	char id[UUID_STR_MAX] = "", now[TIMESTAMP_STR_MAX], opened[DATE_STR_MAX],
		suggested[160] = "", types[160] = "", refl[DATE_STR_MAX] = "", scr_person[UUID_STR_MAX] = "",
		scr_bcp[32] = "";
	bool given = false, present = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "case.create", "case", err)))
		return rc;
	if ((rc = access_check("case.create", a, NULL, NULL, err)))
		goto done;
	if (!a->agency_id[0] || !a->user_id[0]) {
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "a case is opened by a user of an agency");
		goto done;
	}
	if (!(p = malloc(sizeof(*p)))) {
		rc = px_oom(err);
		goto done;
	}
	if ((rc = mjson_only_keys(in, open_keys, err)) ||
	    (rc = mjson_get_string(in, "screening_id", false, UUID_STR_MAX, &scr, err)) ||
	    (rc = get_past_date(in, "opened_on", false, opened, &present, err)) ||
	    (rc = read_profile(cx, a, in, p, err)))
		goto done;
	if (!present)
		px_today(opened);
	if (scr && *scr) {
		struct store_stmt *st;
		bool row = false;
		if (!uuid_valid(scr)) {
			rc = mmis_error_set(err, MMIS_EINVAL, "screening_id", "screening_id: not an id");
			goto done;
		}
		/* The actor's own screenings, or its agency's with scope agency. */
		if ((rc = store_prepare(cx->store, "SELECT suggested_types, case_id, created_by, "
					"agency_id, person_id, bcp_code FROM protect_screening WHERE id = ?",
					&st, err)))
			goto done;
		store_bind_text(st, 1, scr);
		if (!(rc = store_step(st, &row, err)) && row) {
			if (!actor_may(a, PERM_CASE_WRITE, store_column_text(st, 2),
				       store_column_text(st, 3)))
				row = false;
			else if (!store_column_is_null(st, 1))
				rc = mmis_error_set(err, MMIS_ECONFLICT, "screening_id",
						    "screening_id: a case is open for this screening "
						    "already");
			px_copy(suggested, sizeof(suggested), store_column_text(st, 0));
			px_copy(scr_person, sizeof(scr_person), store_column_text(st, 4));
			px_copy(scr_bcp, sizeof(scr_bcp), store_column_text(st, 5));
		}
		store_finalize(st);
		if (!rc && !row)
			rc = mmis_error_set(err, MMIS_EINVAL, "screening_id", "screening_id: no such "
					    "screening of yours");
		if (rc)
			goto done;
	}
	if ((rc = read_types(in, !*suggested, suggested, types, &given, err)))
		goto done;
	if (px_list_has(types, "victim_of_trafficking")) {
		rc = mmis_error_set(err, MMIS_EINVAL, "types", "types: victim_of_trafficking is given "
				    "by formal identification only");
		goto done;
	}
	{
		int ic = profile_index("citizenship"), ib = profile_index("birth_date");
		int ip = profile_index("person_id"), ibcp = profile_index("bcp");
		if (!p->given[ip] && *scr_person) {
			p->given[ip] = true;
			p->val[ip] = scr_person;
		}
		if (!p->given[ibcp] && *scr_bcp) {
			p->given[ibcp] = true;
			p->val[ibcp] = scr_bcp;
		}
		reflection_end_of(cx, types, p->val[ic], opened, refl);
		uuid7_new_str(id);
		px_copy(op.object_id, sizeof(op.object_id), id);
		px_now(now);
		struct strbuf sql;
		strbuf_init(&sql, 4096);
		strbuf_addstr(&sql, "INSERT INTO protect_case (id, state, agency_id, worker_id, "
			      "screening_id, is_child, trafficking_status, reflection_start, "
			      "reflection_end, opened_on, created_by, created_at, updated_at");
		for (size_t i = 0; i < N_PROFILE; i++)
			strbuf_addf(&sql, ", %s", profile_column(i));
		strbuf_addstr(&sql, ") VALUES (?, 'identified', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
		for (size_t i = 0; i < N_PROFILE; i++)
			strbuf_addstr(&sql, ", ?");
		strbuf_addch(&sql, ')');
		struct store_stmt *st;
		if (!(rc = strbuf_error(&sql)) &&
		    !(rc = store_prepare(cx->store, strbuf_str(&sql), &st, err))) {
			int k = 1;
			store_bind_text(st, k++, id);
			store_bind_text(st, k++, a->agency_id);
			store_bind_text(st, k++, a->user_id);
			store_bind_text(st, k++, scr && *scr ? scr : NULL);
			store_bind_bool(st, k++, child_by(types, p->val[ib]));
			store_bind_text(st, k++, px_list_has(types, "presumed_victim_of_trafficking")
							 ? "PossibleVictim" : NULL);
			store_bind_text(st, k++, *refl ? opened : NULL);
			store_bind_text(st, k++, *refl ? refl : NULL);
			store_bind_text(st, k++, opened);
			store_bind_text(st, k++, a->user_id);
			store_bind_text(st, k++, now);
			store_bind_text(st, k++, now);
			for (size_t i = 0; i < N_PROFILE; i++) {
				const char *v = p->val[i];
				if (profile_fields[i].kind == PF_EXPLOITATION ||
				    profile_fields[i].kind == PF_CONTROL)
					v = v ? v : "";
				store_bind_text(st, k++, v);
			}
			rc = store_run(st, err);
			store_finalize(st);
		}
		strbuf_release(&sql);
	}
	if (!rc)
		rc = write_types(cx->store, id, types, err);
	if (!rc && scr && *scr)
		rc = PX_RUN(cx->store, "UPDATE protect_screening SET case_id = ? WHERE id = ?", NULL,
			    err, id, scr);
	if (!rc) {
		char detail[200];
		snprintf(detail, sizeof(detail), "opened as %s", types);
		rc = px_event(cx->store, a, id, "created", NULL, "identified", detail,
			      json_pack("{s:s}", "types", types), err);
	}
	audited_detail(&op, "types %s", types);
done:
	free(p);
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, id, UUID_STR_MAX);
	return rc;
}

/* ---- reading a case */

static json_t *jtext(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *text_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	return json_string(store_column_text(st, 0));
}

/* Rows of `sql` (one text parameter) made into JSON by `row_fn`; a row it makes NULL is left
 * out. */
static enum mmis_err rows_json(struct store *s, const char *sql, const char *param,
			       json_t *(*row_fn)(struct store_stmt *, void *), void *ctx,
			       json_t **out, struct mmis_error *err)
{
	return store_rows_json(s, sql, &param, 1, row_fn, ctx, true, out, err);
}

/* What a view of a case shows: everything (scopes NULL, agency "") or, for a receiving agency,
 * the answers within `scopes` and only its own referrals and services. */
struct view {
	const char *const *scopes;   /* NULL: all */
	const char *agency_id;       /* the receiving agency, "" for the full view */
};

static json_t *form_row(struct store_stmt *st, void *ctx)
{
	const struct view *v = ctx;
	const struct form *f = form_find(store_column_text(st, 1));
	json_t *answers = NULL, *filtered;

	answers = json_loads(store_column_text(st, 3), 0, NULL);
	if (!json_is_object(answers)) { /* json_is_object evaluates its argument twice */
		json_decref(answers);
		answers = json_object();
	}
	filtered = f ? form_filter(f, answers, v->scopes) : json_object();
	json_decref(answers);
	if (v->scopes && !json_object_size(filtered) && strcmp(store_column_text(st, 1),
							       PROTECT_SCREENING_FORM)) {
		json_decref(filtered); /* a receiving agency learns nothing of a form it may not read */
		return NULL;
	}
	return json_pack("{s:s?, s:s?, s:I, s:o, s:s?, s:s?}", "id", store_column_text(st, 0),
			 "form", store_column_text(st, 1), "form_version",
			 (json_int_t)store_column_int64(st, 2), "answers", filtered, "created_at",
			 store_column_text(st, 4), "by", store_column_text(st, 5));
}

static json_t *event_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	const char *data = store_column_text(st, 7);
	json_t *d = data ? json_loads(data, 0, NULL) : NULL;

	return json_pack("{s:s?, s:s?, s:o, s:o, s:o, s:s?, s:o, s:o}", "at",
			 store_column_text(st, 0), "kind", store_column_text(st, 1), "from",
			 jtext(store_column_text(st, 2)), "to", jtext(store_column_text(st, 3)),
			 "detail", jtext(store_column_text(st, 4)), "by", store_column_text(st, 5),
			 "agency", jtext(store_column_text(st, 6)), "data",
			 json_is_object(d) ? d : (json_decref(d), json_null()));
}

static json_t *note_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	return json_pack("{s:s?, s:s?, s:s?, s:o}", "id", store_column_text(st, 0), "text",
			 store_column_text(st, 1), "created_at", store_column_text(st, 2), "by",
			 jtext(store_column_text(st, 3)));
}

static json_t *followup_row(struct store_stmt *st, void *ctx)
{
	char today[DATE_STR_MAX];
	const char *due = store_column_text(st, 1);
	bool done = !store_column_is_null(st, 3);

	(void)ctx;
	px_today(today);
	return json_pack("{s:s?, s:s?, s:s?, s:o, s:b, s:o}", "id", store_column_text(st, 0),
			 "due_on", due, "text", store_column_text(st, 2), "done_at",
			 jtext(store_column_text(st, 3)), "overdue",
			 !done && due && strcmp(due, today) < 0, "by", jtext(store_column_text(st, 4)));
}

static json_t *consent_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	return json_pack("{s:s?, s:s?, s:s?, s:o, s:s?, s:o, s:s?, s:o, s:s?, s:o}", "id",
			 store_column_text(st, 0), "to_agency", store_column_text(st, 1),
			 "to_agency_name", store_column_text(st, 2), "scopes",
			 px_list_json(store_column_text(st, 3)), "given_by",
			 store_column_text(st, 4), "guardian_name",
			 jtext(store_column_text(st, 5)), "given_on", store_column_text(st, 6),
			 "note", jtext(store_column_text(st, 7)), "created_at",
			 store_column_text(st, 8), "withdrawn_at", jtext(store_column_text(st, 9)));
}

#define REFERRAL_COLS                                                                          \
	"r.id, r.case_id, fa.code, ta.code, ta.name, r.service, r.state, r.consent_id, "        \
	"r.override_reason, r.override_scopes, r.note, r.decline_reason, r.created_at, "       \
	"r.updated_at, r.decided_at, r.completed_at, cu.display_name, fa.name "
#define REFERRAL_FROM                                                                          \
	"FROM protect_referral r JOIN agency fa ON fa.id = r.from_agency_id JOIN agency ta ON " \
	"ta.id = r.to_agency_id LEFT JOIN app_user cu ON cu.id = r.created_by "

json_t *px_referral_row(struct store_stmt *st, void *ctx);
json_t *px_referral_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:o, s:o, s:o, s:o, s:s?, "
			 "s:s?, s:o, s:o, s:o, s:s?}",
			 "id", store_column_text(st, 0), "case_id", store_column_text(st, 1),
			 "from_agency", store_column_text(st, 2), "to_agency", store_column_text(st, 3),
			 "to_agency_name", store_column_text(st, 4), "service",
			 store_column_text(st, 5), "state", store_column_text(st, 6), "with_consent",
			 !store_column_is_null(st, 7), "override_reason",
			 jtext(store_column_text(st, 8)), "override_scopes",
			 store_column_is_null(st, 9) ? json_null()
						     : px_list_json(store_column_text(st, 9)),
			 "note", jtext(store_column_text(st, 10)), "decline_reason",
			 jtext(store_column_text(st, 11)), "created_at", store_column_text(st, 12),
			 "updated_at", store_column_text(st, 13), "decided_at",
			 jtext(store_column_text(st, 14)), "completed_at",
			 jtext(store_column_text(st, 15)), "by", jtext(store_column_text(st, 16)),
			 "from_agency_name", store_column_text(st, 17));
}

static json_t *referral_view_row(struct store_stmt *st, void *ctx)
{
	const struct view *v = ctx;
	/* A receiving agency sees its own referrals, without the sender's override reasoning. */
	if (v->agency_id[0] && strcmp(store_column_text(st, 18), v->agency_id))
		return NULL;
	json_t *o = px_referral_row(st, ctx);
	if (o && v->agency_id[0])
		json_object_del(o, "override_reason");
	return o;
}

static json_t *service_row(struct store_stmt *st, void *ctx)
{
	const struct view *v = ctx;
	if (v->agency_id[0] && strcmp(store_column_text(st, 9), v->agency_id))
		return NULL;
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:o, s:o, s:o}", "id",
			 store_column_text(st, 0), "service", store_column_text(st, 1), "provider",
			 store_column_text(st, 2), "provider_name", store_column_text(st, 3),
			 "project", jtext(store_column_text(st, 4)), "project_name",
			 jtext(store_column_text(st, 5)), "delivered_on", store_column_text(st, 6),
			 "note", jtext(store_column_text(st, 7)), "by",
			 jtext(store_column_text(st, 8)), "referral_id",
			 jtext(store_column_text(st, 10)));
}

/* The reflection period as {start, end, days_left, status}: running, ending (within the warning
 * days), ended; null when none. */
static json_t *reflection_json(const struct mmis_ctx *cx, const char *start, const char *end)
{
	struct protect_settings ps;
	struct date e, today;
	int64_t left;

	if (!end || !*end || date_parse(end, NULL, &e, NULL))
		return json_null();
	protect_settings_get(cx, &ps, NULL);
	date_today(&today);
	left = date_to_days(&e) - date_to_days(&today);
	return json_pack("{s:s?, s:s, s:I, s:s, s:i}", "start", start, "end", end, "days_left",
			 (json_int_t)left, "status",
			 left < 0 ? "ended" : left <= ps.reflection_warn_days ? "ending" : "running",
			 "warn_days", ps.reflection_warn_days);
}

/* What the actor may do with the case (for the interface; the server checks again). */
static json_t *allowed_json(const struct actor *a, const struct case_row *c,
			    const struct case_rel *rel)
{
	static const char *const actions[] = {
		"case.update", "case.transfer", "case.form", "consent.create", "referral.create",
		"referral.override", "service.create", "note.create", "followup.create",
		"case.identify", "case.assign", "case.take", NULL,
	};
	json_t *o = json_object(), *steps = json_array(), *acts = json_array();
	bool closed = is_closed(c);

	for (size_t i = 0; i < wf_step_count(); i++) {
		const struct wf_step *s = wf_step_at(i);
		if (!strcmp(s->from, c->state) && !access_check("case.transition", a, c, rel, NULL) &&
		    actor_may(a, s->perm, c->worker_id, c->agency_id))
			json_array_append_new(steps, json_string(s->to));
	}
	for (size_t i = 0; actions[i]; i++) {
		if (access_check(actions[i], a, c, rel, NULL))
			continue;
		if (closed && strcmp(actions[i], "note.create") && strcmp(actions[i], "case.assign"))
			continue;
		if (!strcmp(actions[i], "case.identify") &&
		    !has_type(c, "presumed_victim_of_trafficking"))
			continue;
		if (!strcmp(actions[i], "case.take") && (!rel->unassigned || c->worker_id[0]))
			continue;
		json_array_append_new(acts, json_string(actions[i]));
	}
	json_object_set_new(o, "transitions", steps);
	json_object_set_new(o, "actions", acts);
	return o;
}

/* The case as JSON for `a`: the whole of it (rel->full) or what the consent covers. */
static enum mmis_err case_json(const struct mmis_ctx *cx, const struct actor *a,
			       const struct case_row *c, const struct case_rel *rel, json_t **out,
			       struct mmis_error *err)
{
	struct store_stmt *st;
	struct view v = { NULL, "" };
	const char *scopes[6] = { NULL };
	json_t *o = NULL, *part;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	if (!rel->full) {
		size_t k = 0;
		for (size_t i = 0; protect_scopes[i]; i++)
			if (rel->scopes & (1u << i))
				scopes[k++] = protect_scopes[i];
		scopes[k] = NULL;
		v.scopes = scopes;
		v.agency_id = a->agency_id;
	}
	if ((rc = store_prepare(cx->store,
				"SELECT c.id, c.state, g.code, g.name, u.username, u.display_name, "
				"c.opened_on, c.closed_at, c.closure_reason, c.reflection_start, "
				"c.reflection_end, c.person_id, COALESCE(c.surname, p.surname), "
				"COALESCE(c.given_names, p.given_names), COALESCE(c.sex, p.sex), "
				"COALESCE(c.birth_date, p.birth_date), COALESCE(c.citizenship, "
				"p.nationality), c.languages, c.phone, c.address, c.story, "
				"c.trafficking_status, c.exploitation, c.means_of_control, "
				"c.relationship_to_trafficker, c.country_of_exploitation, "
				"c.identification_outcome, c.identified_on, iu.display_name, c.health, "
				"c.created_at, c.updated_at, c.screening_id, c.bcp_code, c.is_child "
				"FROM protect_case c JOIN agency g ON g.id = c.agency_id "
				"LEFT JOIN app_user u ON u.id = c.worker_id "
				"LEFT JOIN app_user iu ON iu.id = c.identified_by "
				"LEFT JOIN person p ON p.id = c.person_id WHERE c.id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, c->id);
	if ((rc = store_step(st, &row, err)) || !row) {
		store_finalize(st);
		return rc ? rc : mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such case");
	}
	o = json_pack("{s:s?, s:s?, s:o, s:b, s:{s:s?, s:s?}, s:o, s:s?, s:o, s:o, s:o, s:s, s:o, "
		      "s:s?, s:s?}",
		      "id", store_column_text(st, 0), "state", store_column_text(st, 1), "types",
		      px_list_json(c->types), "is_child", store_column_bool(st, 34), "agency",
		      "code", store_column_text(st, 2), "name", store_column_text(st, 3), "worker",
		      store_column_is_null(st, 4) ? json_null()
						  : json_pack("{s:s?, s:s?}", "username",
							      store_column_text(st, 4), "display_name",
							      store_column_text(st, 5)),
		      "opened_on", store_column_text(st, 6), "closed_at",
		      jtext(store_column_text(st, 7)), "closure_reason",
		      jtext(store_column_text(st, 8)), "reflection",
		      reflection_json(cx, store_column_text(st, 9), store_column_text(st, 10)),
		      "access", rel->full ? "full" : "referred", "scopes",
		      px_scopes_json(rel->full ? ~0u : rel->scopes), "created_at",
		      store_column_text(st, 30), "updated_at", store_column_text(st, 31));
	if (!o) {
		store_finalize(st);
		return px_oom(err);
	}
	if (rel->full || (rel->scopes & 1u))
		json_object_set_new(o, "identity",
				    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "person_id",
					      jtext(store_column_text(st, 11)), "surname",
					      jtext(store_column_text(st, 12)), "given_names",
					      jtext(store_column_text(st, 13)), "sex",
					      jtext(store_column_text(st, 14)), "birth_date",
					      jtext(store_column_text(st, 15)), "citizenship",
					      jtext(store_column_text(st, 16)), "languages",
					      jtext(store_column_text(st, 17))));
	if (rel->full || (rel->scopes & 2u))
		json_object_set_new(o, "contact",
				    json_pack("{s:o, s:o}", "phone", jtext(store_column_text(st, 18)),
					      "address", jtext(store_column_text(st, 19))));
	if (rel->full || (rel->scopes & 4u))
		json_object_set_new(o, "story",
				    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "story",
					      jtext(store_column_text(st, 20)), "trafficking_status",
					      jtext(store_column_text(st, 21)), "exploitation",
					      px_list_json(store_column_text(st, 22)),
					      "means_of_control", px_list_json(store_column_text(st, 23)),
					      "relationship_to_trafficker",
					      jtext(store_column_text(st, 24)),
					      "country_of_exploitation",
					      jtext(store_column_text(st, 25)), "identification",
					      store_column_is_null(st, 26)
						      ? json_null()
						      : json_pack("{s:s?, s:s?, s:s?}", "outcome",
								  store_column_text(st, 26), "decided_on",
								  store_column_text(st, 27), "by",
								  store_column_text(st, 28))));
	if (rel->full || (rel->scopes & 8u))
		json_object_set_new(o, "health",
				    json_pack("{s:o}", "health", jtext(store_column_text(st, 29))));
	if (rel->full)
		json_object_set_new(o, "bcp", jtext(store_column_text(st, 33)));
	char screening[UUID_STR_MAX];
	px_copy(screening, sizeof(screening), store_column_text(st, 32));
	store_finalize(st);

	/* The screening, its answers within the view. */
	if (*screening) {
		if ((rc = store_prepare(cx->store, "SELECT s.id, s.form_id, s.form_version, s.answers, "
					"s.created_at, u.display_name, s.outcome, s.bcp_code FROM "
					"protect_screening s LEFT JOIN app_user u ON u.id = "
					"s.created_by WHERE s.id = ?", &st, err)))
			goto fail;
		store_bind_text(st, 1, screening);
		if (!(rc = store_step(st, &row, err)) && row) {
			json_t *scr = form_row(st, &v);
			if (scr) {
				json_object_set_new(scr, "outcomes", px_list_json(store_column_text(st, 6)));
				json_object_set_new(scr, "bcp", jtext(store_column_text(st, 7)));
				if (!rel->full)
					json_object_del(scr, "by");
				json_object_set_new(o, "screening", scr);
			}
		}
		store_finalize(st);
		if (rc)
			goto fail;
	} else {
		json_object_set_new(o, "screening", json_null());
	}
	if ((rc = rows_json(cx->store, "SELECT f.id, f.form_id, f.form_version, f.answers, "
			    "f.created_at, u.display_name FROM protect_case_form f LEFT JOIN app_user "
			    "u ON u.id = f.created_by WHERE f.case_id = ? ORDER BY f.created_at, f.id",
			    c->id, form_row, &v, &part, err)))
		goto fail;
	json_object_set_new(o, "forms", part);
	if ((rc = rows_json(cx->store, "SELECT " REFERRAL_COLS ", r.to_agency_id " REFERRAL_FROM
			    "WHERE r.case_id = ? ORDER BY r.created_at, r.id", c->id,
			    referral_view_row, &v, &part, err)))
		goto fail;
	json_object_set_new(o, "referrals", part);
	if ((rc = rows_json(cx->store, "SELECT s.id, s.service, g.code, g.name, p.code, p.name, "
			    "s.delivered_on, s.note, u.display_name, s.provider_agency_id, "
			    "s.referral_id FROM protect_service s JOIN agency g ON g.id = "
			    "s.provider_agency_id LEFT JOIN protect_project p ON p.id = s.project_id "
			    "LEFT JOIN app_user u ON u.id = s.recorded_by WHERE s.case_id = ? "
			    "ORDER BY s.delivered_on, s.id", c->id, service_row, &v, &part, err)))
		goto fail;
	json_object_set_new(o, "services", part);
	if (rel->full) {
		if ((rc = rows_json(cx->store, "SELECT k.id, g.code, g.name, k.scopes, k.given_by, "
				    "k.guardian_name, k.given_on, k.note, k.created_at, "
				    "k.withdrawn_at FROM protect_consent k JOIN agency g ON g.id = "
				    "k.to_agency_id WHERE k.case_id = ? ORDER BY k.created_at, k.id",
				    c->id, consent_row, &v, &part, err)))
			goto fail;
		json_object_set_new(o, "consents", part);
		if ((rc = rows_json(cx->store, "SELECT n.id, n.text, n.created_at, u.display_name "
				    "FROM protect_note n LEFT JOIN app_user u ON u.id = n.created_by "
				    "WHERE n.case_id = ? ORDER BY n.created_at DESC, n.id DESC", c->id,
				    note_row, &v, &part, err)))
			goto fail;
		json_object_set_new(o, "notes", part);
		if ((rc = rows_json(cx->store, "SELECT f.id, f.due_on, f.text, f.done_at, "
				    "u.display_name FROM protect_followup f LEFT JOIN app_user u ON "
				    "u.id = f.created_by WHERE f.case_id = ? ORDER BY (CASE WHEN "
				    "f.done_at IS NULL THEN 0 ELSE 1 END), f.due_on, f.id", c->id,
				    followup_row, &v, &part, err)))
			goto fail;
		json_object_set_new(o, "followups", part);
		if ((rc = rows_json(cx->store, "SELECT e.at, e.kind, e.from_state, e.to_state, "
				    "e.detail, e.actor, g.code, e.data FROM protect_event e LEFT JOIN agency "
				    "g ON g.id = e.agency_id WHERE e.case_id = ? ORDER BY e.at, e.id",
				    c->id, event_row, &v, &part, err)))
			goto fail;
		json_object_set_new(o, "timeline", part);
	}
	json_object_set_new(o, "allowed", allowed_json(a, c, rel));
	*out = o;
	return MMIS_OK;
fail:
	json_decref(o);
	return rc;
}

enum mmis_err case_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
		       json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct case_row c;
	struct case_rel rel;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "case.read", "case", err)))
		return rc;
	if (uuid_valid(id))
		px_copy(op.object_id, sizeof(op.object_id), id);
	if (!(rc = px_case_reach(cx, a, id, "case.read", &c, &rel, err)) &&
	    !(rc = case_json(cx, a, &c, &rel, out, err))) {
		char sc[80] = "";
		size_t len = 0;
		for (size_t i = 0; protect_scopes[i]; i++)
			if (rel.scopes & (1u << i))
				len += (size_t)snprintf(sc + len, sizeof(sc) - len, "%s%s",
							len ? "," : "", protect_scopes[i]);
		if (rel.full)
			audited_detail(&op, "full");
		else
			audited_detail(&op, "as receiving agency, within consent: %s",
				       *sc ? sc : "nothing");
	}
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- listing */

#define LIST_WHERE                                                                             \
	"FROM protect_case c JOIN agency g ON g.id = c.agency_id LEFT JOIN app_user u ON u.id = "\
	"c.worker_id LEFT JOIN person p ON p.id = c.person_id WHERE (? OR c.agency_id = ? OR "  \
	"c.worker_id = ?) AND (? = '' OR c.state = ?) AND (? = '' OR EXISTS (SELECT 1 FROM "     \
	"protect_case_type t WHERE t.case_id = c.id AND t.type = ?)) AND (? = '' OR "           \
	"c.worker_id = ?) AND (? OR c.state <> 'closed') "

static void bind_list(struct store_stmt *st, int k, const struct actor *a, enum scope sc,
		      const struct case_filter *f)
{
	store_bind_bool(st, k++, sc == SCOPE_ALL);
	store_bind_text(st, k++, sc == SCOPE_AGENCY && a->agency_id[0] ? a->agency_id : "-");
	store_bind_text(st, k++, sc == SCOPE_OWN && a->user_id[0] ? a->user_id : "-");
	store_bind_text(st, k++, f->state ? f->state : "");
	store_bind_text(st, k++, f->state ? f->state : "");
	store_bind_text(st, k++, f->type ? f->type : "");
	store_bind_text(st, k++, f->type ? f->type : "");
	store_bind_text(st, k++, f->mine ? (a->user_id[0] ? a->user_id : "-") : "");
	store_bind_text(st, k++, f->mine ? (a->user_id[0] ? a->user_id : "-") : "");
	store_bind_bool(st, k, !f->open_only);
}

enum mmis_err case_list(const struct mmis_ctx *cx, const struct actor *a,
			const struct case_filter *f, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct protect_settings ps;
	struct store_stmt *st = NULL;
	char today[DATE_STR_MAX], warn_until[DATE_STR_MAX];
	json_t *items = NULL;
	int64_t total = 0;
	int limit = f->limit > 0 && f->limit <= 500 ? f->limit : 50;
	int offset = f->offset > 0 ? f->offset : 0;
	enum scope sc;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = px_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "case.list", "case", err)))
		return rc;
	sc = actor_scope(a, PERM_CASE_READ);
	if ((rc = access_check("case.list", a, NULL, NULL, err)))
		goto done;
	if (f->state && !protect_in_list(protect_case_states, f->state)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "state", "state: not a case state");
		goto done;
	}
	if (f->type && !protect_in_list(protect_case_types, f->type)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "type", "type: not a case type");
		goto done;
	}
	protect_settings_get(cx, &ps, NULL);
	px_today(today);
	{
		struct date d, w;
		date_today(&d);
		date_add_days(&d, ps.reflection_warn_days, &w);
		date_format(&w, warn_until);
	}
	if ((rc = store_prepare(cx->store, "SELECT COUNT(*) " LIST_WHERE, &st, err)))
		goto done;
	bind_list(st, 1, a, sc, f);
	if (!(rc = store_step(st, &row, err)) && row)
		total = store_column_int64(st, 0);
	store_finalize(st);
	if (rc || !(items = json_array())) {
		rc = rc ? rc : px_oom(err);
		goto done;
	}
	if ((rc = store_prepare(cx->store,
				"SELECT * FROM (SELECT c.id, c.state, COALESCE(c.surname, p.surname) "
				"AS surname, COALESCE(c.given_names, p.given_names) AS given_names, "
				"c.is_child, c.opened_on, c.updated_at, c.reflection_end, g.code AS "
				"agency, u.display_name AS worker, c.worker_id, "
				"(SELECT COUNT(*) FROM protect_followup f WHERE f.case_id = c.id AND "
				"f.done_at IS NULL AND f.due_on < ?) AS overdue, "
				"(SELECT MIN(f.due_on) FROM protect_followup f WHERE f.case_id = c.id "
				"AND f.done_at IS NULL) AS next_due, "
				"(SELECT COUNT(*) FROM protect_referral r WHERE r.case_id = c.id AND "
				"r.state = 'pending') AS pending_referrals, "
				"CASE WHEN c.state <> 'closed' AND c.reflection_end IS NOT NULL AND "
				"c.reflection_end >= ? AND c.reflection_end <= ? THEN 1 ELSE 0 END AS "
				"ending "
				LIST_WHERE ") q ORDER BY (CASE WHEN q.overdue > 0 THEN 0 WHEN q.ending "
				"= 1 THEN 1 ELSE 2 END), (CASE WHEN q.overdue > 0 THEN q.next_due ELSE "
				"'' END), (CASE WHEN q.ending = 1 THEN q.reflection_end ELSE '' END), "
				"q.updated_at DESC, q.id LIMIT ? OFFSET ?", &st, err)))
		goto done;
	store_bind_text(st, 1, today);
	store_bind_text(st, 2, today);
	store_bind_text(st, 3, warn_until);
	bind_list(st, 4, a, sc, f);
	store_bind_int64(st, 14, limit);
	store_bind_int64(st, 15, offset);
	while (!(rc = store_step(st, &row, err)) && row) {
		json_t *o = json_pack("{s:s?, s:s?, s:o, s:o, s:b, s:s?, s:s?, s:o, s:s?, s:o, s:b, "
				      "s:I, s:o, s:I, s:b}",
				      "id", store_column_text(st, 0), "state", store_column_text(st, 1),
				      "surname", jtext(store_column_text(st, 2)), "given_names",
				      jtext(store_column_text(st, 3)), "is_child",
				      store_column_bool(st, 4), "opened_on", store_column_text(st, 5),
				      "updated_at", store_column_text(st, 6), "reflection_end",
				      jtext(store_column_text(st, 7)), "agency",
				      store_column_text(st, 8), "worker",
				      jtext(store_column_text(st, 9)), "mine",
				      a->user_id[0] && !strcmp(store_column_text(st, 10)
							       ? store_column_text(st, 10) : "",
							       a->user_id),
				      "overdue_followups", (json_int_t)store_column_int64(st, 11),
				      "next_due", jtext(store_column_text(st, 12)),
				      "pending_referrals", (json_int_t)store_column_int64(st, 13),
				      "reflection_ending", store_column_int64(st, 14) == 1);
		if (!o || json_array_append_new(items, o)) {
			rc = px_oom(err);
			break;
		}
	}
	store_finalize(st);
	/* Each row's types. */
	for (size_t i = 0; !rc && i < json_array_size(items); i++) {
		json_t *o = json_array_get(items, i), *types = NULL;
		if (!(rc = rows_json(cx->store, "SELECT type FROM protect_case_type WHERE case_id = ? "
				     "ORDER BY type", json_string_value(json_object_get(o, "id")),
				     text_row, NULL, &types, err)))
			json_object_set_new(o, "types", types);
	}
	audited_detail(&op, "%zu of %lld cases", json_array_size(items), (long long)total);
done:
	if (!rc) {
		*out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total,
				 "limit", limit, "offset", offset);
		items = NULL;
		if (!*out)
			rc = px_oom(err);
	}
	json_decref(items);
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- changing the profile (case_update in actions.c) */

static const char *const update_keys[] = {
	"types", "surname", "given_names", "sex", "birth_date", "citizenship", "languages", "phone",
	"address", "story", "health", "exploitation", "means_of_control",
	"relationship_to_trafficker", "country_of_exploitation", "person_id", "bcp", NULL,
};

enum mmis_err px_read_profile_update(const struct mmis_ctx *cx, const struct actor *a,
				     const char *case_id, const struct case_row *c,
				     const json_t *in, char *changed, size_t cap,
				     struct mmis_error *err);
enum mmis_err px_read_profile_update(const struct mmis_ctx *cx, const struct actor *a,
				     const char *case_id, const struct case_row *c,
				     const json_t *in, char *changed, size_t cap,
				     struct mmis_error *err)
{
	struct profile *p;
	struct strbuf sql;
	struct store_stmt *st;
	char types[160], refl[DATE_STR_MAX] = "", today[DATE_STR_MAX], now[TIMESTAMP_STR_MAX];
	const char *birth, *citizen;
	bool given = false, new_presumed;
	size_t len = 0;
	enum mmis_err rc;

	changed[0] = '\0';
	if ((rc = mjson_only_keys(in, update_keys, err)))
		return rc;
	if (!(p = malloc(sizeof(*p))))
		return px_oom(err);
	if ((rc = read_profile(cx, a, in, p, err)) ||
	    (rc = read_types(in, false, c->types, types, &given, err))) {
		free(p);
		return rc;
	}
	for (size_t i = 0; i < N_PROFILE; i++)
		if (p->given[i] && len < cap)
			len += (size_t)snprintf(changed + len, cap - len, "%s%s", len ? ", " : "",
						profile_fields[i].key);
	if (given && len < cap)
		len += (size_t)snprintf(changed + len, cap - len, "%stypes", len ? ", " : "");
	if (!len) {
		free(p);
		return mmis_error_set(err, MMIS_EINVAL, NULL, "nothing to change: name a member of "
				      "the case's profile");
	}
	birth = p->given[profile_index("birth_date")] ? p->val[profile_index("birth_date")]
						       : c->birth_date;
	citizen = p->given[profile_index("citizenship")] ? p->val[profile_index("citizenship")]
							  : c->citizenship;
	new_presumed = px_list_has(types, "presumed_victim_of_trafficking") &&
		       !px_list_has(c->types, "presumed_victim_of_trafficking");
	px_today(today);
	if (new_presumed && !c->reflection_end[0])
		reflection_end_of(cx, types, citizen, today, refl);
	px_now(now);
	strbuf_init(&sql, 4096);
	strbuf_addstr(&sql, "UPDATE protect_case SET is_child = ?, updated_at = ?");
	for (size_t i = 0; i < N_PROFILE; i++)
		if (p->given[i])
			strbuf_addf(&sql, ", %s = ?", profile_column(i));
	if (new_presumed && !c->trafficking_status[0])
		strbuf_addstr(&sql, ", trafficking_status = 'PossibleVictim'");
	if (*refl)
		strbuf_addstr(&sql, ", reflection_start = ?, reflection_end = ?");
	strbuf_addstr(&sql, " WHERE id = ?");
	if (!(rc = strbuf_error(&sql)) && !(rc = store_prepare(cx->store, strbuf_str(&sql), &st, err))) {
		int k = 1;
		store_bind_bool(st, k++, child_by(types, birth));
		store_bind_text(st, k++, now);
		for (size_t i = 0; i < N_PROFILE; i++) {
			if (!p->given[i])
				continue;
			const char *v = p->val[i];
			if (profile_fields[i].kind == PF_EXPLOITATION || profile_fields[i].kind == PF_CONTROL)
				v = v ? v : "";
			store_bind_text(st, k++, v);
		}
		if (*refl) {
			store_bind_text(st, k++, today);
			store_bind_text(st, k++, refl);
		}
		store_bind_text(st, k, case_id);
		rc = store_run(st, err);
		store_finalize(st);
	}
	strbuf_release(&sql);
	free(p);
	if (!rc && given)
		rc = write_types(cx->store, case_id, types, err);
	return rc;
}
