/*
 * forms.c - forms as data (protect.h): definitions parsed from JSON (the built-ins come from
 * the files in lib/protect/forms/, embedded at build time by tools/embed.py), answers checked
 * against them, the suggested outcome and case types computed by the rules they carry, and
 * answers filtered by consent scope.
 *
 * A definition:
 *   {"id", "version", "case_form": bool, "child_only"?: bool, "title": LABEL, "intro"?: LABEL,
 *    "sections": [{"id", "title": LABEL, "help"?: LABEL}],
 *    "fields": [{"id", "section", "type", "scope", "label": LABEL, "help"?: LABEL,
 *                "required"?, "shown_if"?: COND, "choices"?: [{"id", "label"}],
 *                "indicator"?: "strong" | "weak", "indicator_choices"?: [ids],
 *                "min"?, "max"? (number), "max_len"? (text)}],
 *    "outcomes"?: [{"id", "label", "when": COND}], "default_outcome"?: {"id", "label"},
 *    "case_types"?: [{"type", "when": COND}]}
 * LABEL is {"en": text, "cnr": text}. COND is one of
 *   {"field": F, "equals": V}   the answer is V (an unanswered field equals nothing)
 *   {"field": F, "in": [..]}    a choice among these, or a multi-choice holding one of them
 *   {"field": F, "answered": true|false}
 *   {"indicators_at_least": N, "strength"?: "strong"}  N indicator fields hold (of that strength)
 *   {"all": [COND..]}, {"any": [COND..]}, {"not": COND}
 * A condition names only fields of the form; shown_if only fields before its own.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/json.h"

#define FORM_MAX_FIELDS 200
#define FORM_MAX_CHOICES 100
#define COND_MAX_DEPTH 8
#define TEXT_DEFAULT_MAX 2000

struct form {
	json_t *def;
	const char *id;
	int version;
};

static const char *const field_types[] = { "bool", "choice", "multi_choice", "date", "number",
					   "text", NULL };
/* Consent scopes, and "internal": never shared outside the case's agency. */
static const char *const field_scopes[] = { "identity", "contact", "story", "health", "internal",
					    NULL };

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- checking a definition */

static enum mmis_err bad_def(struct mmis_error *err, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum mmis_err bad_def(struct mmis_error *err, const char *where, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mmis_error_set(err, MMIS_EINVAL, "form", "form definition: %s: %s", where, msg);
}

static bool label_ok(const json_t *l)
{
	const char *en = jstr(l, "en"), *cnr = jstr(l, "cnr");
	return json_is_object(l) && en && *en && cnr && *cnr && json_object_size(l) == 2 &&
	       mjson_text_ok(en, strlen(en), false) && mjson_text_ok(cnr, strlen(cnr), false);
}

static bool id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 48 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* The field `id` among fields[0..upto) (upto SIZE_MAX: all); NULL when none. */
static const json_t *field_named(const json_t *fields, const char *id, size_t upto)
{
	size_t i;
	const json_t *fl;

	json_array_foreach(fields, i, fl) {
		if (i >= upto)
			break;
		if (id && !strcmp(jstr(fl, "id"), id))
			return fl;
	}
	return NULL;
}

static bool choice_of(const json_t *field, const char *id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(field, "choices"), i, c)
		if (id && !strcmp(jstr(c, "id"), id))
			return true;
	return false;
}

static enum mmis_err check_cond(const json_t *cond, const json_t *fields, size_t upto, int depth,
				const char *where, struct mmis_error *err)
{
	const json_t *v;
	size_t i;

	if (depth > COND_MAX_DEPTH)
		return bad_def(err, where, "conditions nest deeper than %d", COND_MAX_DEPTH);
	if (!json_is_object(cond))
		return bad_def(err, where, "a condition is an object");
	if ((v = json_object_get(cond, "all")) || (v = json_object_get(cond, "any"))) {
		if (json_object_size(cond) != 1 || !json_is_array(v) || !json_array_size(v))
			return bad_def(err, where, "all/any takes a non-empty list of conditions alone");
		json_array_foreach(v, i, cond) {
			enum mmis_err rc = check_cond(cond, fields, upto, depth + 1, where, err);
			if (rc)
				return rc;
		}
		return MMIS_OK;
	}
	if ((v = json_object_get(cond, "not"))) {
		if (json_object_size(cond) != 1)
			return bad_def(err, where, "not takes one condition alone");
		return check_cond(v, fields, upto, depth + 1, where, err);
	}
	if ((v = json_object_get(cond, "indicators_at_least"))) {
		const char *s = jstr(cond, "strength");
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_object_size(cond) != (json_object_get(cond, "strength") ? 2u : 1u) ||
		    (json_object_get(cond, "strength") && (!s || strcmp(s, "strong"))))
			return bad_def(err, where, "indicators_at_least takes a count from 1 and "
				       "optionally \"strength\": \"strong\"");
		return MMIS_OK;
	}
	const char *fid = jstr(cond, "field");
	const json_t *fl = field_named(fields, fid, upto);
	if (!fid)
		return bad_def(err, where, "a condition names a field, or is all, any, not or "
			       "indicators_at_least");
	if (!fl)
		return bad_def(err, where, "the condition names '%s', which is not a field%s", fid,
			       upto == SIZE_MAX ? "" : " asked before");
	if (json_object_size(cond) != 2)
		return bad_def(err, where, "a field condition has equals, in or answered");
	if ((v = json_object_get(cond, "equals"))) {
		const char *t = jstr(fl, "type");
		if (!strcmp(t, "bool") ? !json_is_boolean(v) :
		    !strcmp(t, "number") ? !json_is_number(v) :
		    !strcmp(t, "choice") ? !choice_of(fl, json_string_value(v)) : !json_is_string(v))
			return bad_def(err, where, "equals does not fit the field '%s'", fid);
		return MMIS_OK;
	}
	if ((v = json_object_get(cond, "in"))) {
		const json_t *c;
		if (!json_is_array(v) || !json_array_size(v) || !json_object_get(fl, "choices"))
			return bad_def(err, where, "in takes a list of choices of '%s'", fid);
		json_array_foreach(v, i, c)
			if (!choice_of(fl, json_string_value(c)))
				return bad_def(err, where, "'%s' is not a choice of '%s'",
					       json_string_value(c) ? json_string_value(c) : "?", fid);
		return MMIS_OK;
	}
	if (json_is_boolean(json_object_get(cond, "answered")))
		return MMIS_OK;
	return bad_def(err, where, "a field condition has equals, in or answered");
}

static const char *const field_keys[] = { "id", "section", "type", "scope", "label", "help",
					  "required", "shown_if", "choices", "indicator",
					  "indicator_choices", "min", "max", "max_len", NULL };

static enum mmis_err check_field(const json_t *fl, size_t index, const json_t *fields,
				 const json_t *sections, struct mmis_error *err)
{
	const char *id = jstr(fl, "id"), *type = jstr(fl, "type"), *ind = jstr(fl, "indicator");
	const json_t *choices = json_object_get(fl, "choices"), *v, *c;
	struct mmis_error local;
	char where[80];
	size_t i;
	bool sec = false;

	snprintf(where, sizeof(where), "field %zu (%s)", index + 1, id ? id : "no id");
	if (!json_is_object(fl))
		return bad_def(err, where, "a field is an object");
	if (mjson_only_keys(fl, field_keys, &local))
		return bad_def(err, where, "%s", local.message);
	if (!id_ok(id))
		return bad_def(err, where, "an id is 1 to 48 of a-z, 0-9 and _, from a letter");
	if (field_named(fields, id, index))
		return bad_def(err, where, "the id is used twice");
	if (!protect_in_list(field_types, type))
		return bad_def(err, where, "type is bool, choice, multi_choice, date, number or text");
	if (!protect_in_list(field_scopes, jstr(fl, "scope")))
		return bad_def(err, where, "scope is identity, contact, story, health or internal");
	if (!label_ok(json_object_get(fl, "label")) ||
	    (json_object_get(fl, "help") && !label_ok(json_object_get(fl, "help"))))
		return bad_def(err, where, "labels are {\"en\", \"cnr\"} texts");
	json_array_foreach(sections, i, v)
		if (!strcmp(jstr(v, "id"), jstr(fl, "section") ? jstr(fl, "section") : ""))
			sec = true;
	if (!sec)
		return bad_def(err, where, "section is one of the form's sections");
	if ((v = json_object_get(fl, "required")) && !json_is_boolean(v))
		return bad_def(err, where, "required is true or false");
	bool has_choices = !strcmp(type, "choice") || !strcmp(type, "multi_choice");
	if (has_choices != (choices != NULL))
		return bad_def(err, where, "choices go with choice and multi_choice, and only there");
	if (choices) {
		if (!json_is_array(choices) || !json_array_size(choices) ||
		    json_array_size(choices) > FORM_MAX_CHOICES)
			return bad_def(err, where, "choices is a list of 1 to %d", FORM_MAX_CHOICES);
		json_array_foreach(choices, i, c) {
			if (!json_is_object(c) || json_object_size(c) != 2 || !id_ok(jstr(c, "id")) ||
			    !label_ok(json_object_get(c, "label")))
				return bad_def(err, where, "choice %zu is {\"id\", \"label\"}", i + 1);
			for (size_t j = 0; j < i; j++)
				if (!strcmp(jstr(json_array_get(choices, j), "id"), jstr(c, "id")))
					return bad_def(err, where, "choice '%s' twice", jstr(c, "id"));
		}
	}
	if (ind) {
		const json_t *ic = json_object_get(fl, "indicator_choices");
		if (strcmp(ind, "strong") && strcmp(ind, "weak"))
			return bad_def(err, where, "indicator is strong or weak");
		if (!strcmp(type, "choice")) {
			if (!json_is_array(ic) || !json_array_size(ic))
				return bad_def(err, where, "a choice indicator lists indicator_choices");
			json_array_foreach(ic, i, c)
				if (!choice_of(fl, json_string_value(c)))
					return bad_def(err, where, "indicator_choices are its choices");
		} else if (strcmp(type, "bool") || ic) {
			return bad_def(err, where, "indicators are bool fields (or choices with "
				       "indicator_choices)");
		}
	} else if (json_object_get(fl, "indicator") || json_object_get(fl, "indicator_choices")) {
		return bad_def(err, where, "indicator is strong or weak");
	}
	if ((json_object_get(fl, "min") || json_object_get(fl, "max")) &&
	    (strcmp(type, "number") || (json_object_get(fl, "min") && !json_is_number(json_object_get(fl, "min"))) ||
	     (json_object_get(fl, "max") && !json_is_number(json_object_get(fl, "max")))))
		return bad_def(err, where, "min and max are numbers of a number field");
	if ((v = json_object_get(fl, "max_len")) &&
	    (strcmp(type, "text") || !json_is_integer(v) || json_integer_value(v) < 1 ||
	     json_integer_value(v) > PROTECT_LONG_MAX))
		return bad_def(err, where, "max_len is 1 to %d, for text", PROTECT_LONG_MAX);
	if ((v = json_object_get(fl, "shown_if")))
		return check_cond(v, fields, index, 0, where, err);
	return MMIS_OK;
}

static enum mmis_err check_rules(const json_t *rules, const char *key, const char *what,
				 const json_t *fields, struct mmis_error *err)
{
	const json_t *r;
	size_t i;
	char where[80];

	if (!rules)
		return MMIS_OK;
	if (!json_is_array(rules))
		return bad_def(err, what, "a list");
	json_array_foreach(rules, i, r) {
		const char *id = jstr(r, key);
		enum mmis_err rc;
		snprintf(where, sizeof(where), "%s %zu", what, i + 1);
		if (!json_is_object(r) || !id_ok(id) || !json_object_get(r, "when"))
			return bad_def(err, where, "{\"%s\", \"when\"%s}", key,
				       !strcmp(key, "id") ? ", \"label\"" : "");
		if (!strcmp(key, "id") ? (!label_ok(json_object_get(r, "label")) || json_object_size(r) != 3)
				       : (!protect_in_list(protect_case_types, id) || json_object_size(r) != 2))
			return bad_def(err, where, "%s", !strcmp(key, "id") ? "{\"id\", \"label\", \"when\"}"
					: "type is a case type; {\"type\", \"when\"}");
		if ((rc = check_cond(json_object_get(r, "when"), fields, SIZE_MAX, 0, where, err)))
			return rc;
	}
	return MMIS_OK;
}

static const char *const form_keys[] = { "id", "version", "case_form", "child_only", "title",
					 "intro", "sections", "fields", "outcomes",
					 "default_outcome", "case_types", NULL };

static enum mmis_err check_definition(const json_t *d, struct mmis_error *err)
{
	const json_t *sections = json_object_get(d, "sections"), *fields = json_object_get(d, "fields");
	const json_t *v, *dflt = json_object_get(d, "default_outcome");
	struct mmis_error local;
	enum mmis_err rc;
	size_t i;

	if (mjson_only_keys(d, form_keys, &local))
		return bad_def(err, "the form", "%s", local.message);
	if (!id_ok(jstr(d, "id")))
		return bad_def(err, "the form", "id is 1 to 48 of a-z, 0-9 and _");
	if (!json_is_integer(json_object_get(d, "version")) ||
	    json_integer_value(json_object_get(d, "version")) < 1 ||
	    json_integer_value(json_object_get(d, "version")) > 100000)
		return bad_def(err, "the form", "version is a positive integer");
	if (!json_is_boolean(json_object_get(d, "case_form")) ||
	    ((v = json_object_get(d, "child_only")) && !json_is_boolean(v)))
		return bad_def(err, "the form", "case_form (and child_only) are true or false");
	if (!label_ok(json_object_get(d, "title")) ||
	    (json_object_get(d, "intro") && !label_ok(json_object_get(d, "intro"))))
		return bad_def(err, "the form", "title and intro are {\"en\", \"cnr\"} texts");
	if (!json_is_array(sections) || !json_array_size(sections))
		return bad_def(err, "the form", "sections is a non-empty list");
	json_array_foreach(sections, i, v) {
		const json_t *help = json_object_get(v, "help");
		if (!json_is_object(v) || !id_ok(jstr(v, "id")) ||
		    !label_ok(json_object_get(v, "title")) || (help && !label_ok(help)) ||
		    json_object_size(v) != (help ? 3u : 2u))
			return bad_def(err, "sections", "section %zu is {\"id\", \"title\", \"help\"?}",
				       i + 1);
	}
	if (!json_is_array(fields) || !json_array_size(fields) ||
	    json_array_size(fields) > FORM_MAX_FIELDS)
		return bad_def(err, "the form", "fields is a list of 1 to %d", FORM_MAX_FIELDS);
	json_array_foreach(fields, i, v)
		if ((rc = check_field(v, i, fields, sections, err)))
			return rc;
	if ((rc = check_rules(json_object_get(d, "outcomes"), "id", "outcome", fields, err)) ||
	    (rc = check_rules(json_object_get(d, "case_types"), "type", "case type rule", fields,
			      err)))
		return rc;
	if (json_object_get(d, "outcomes") &&
	    (!json_is_object(dflt) || !id_ok(jstr(dflt, "id")) ||
	     !label_ok(json_object_get(dflt, "label")) || json_object_size(dflt) != 2))
		return bad_def(err, "default_outcome", "a form with outcomes has a default "
			       "{\"id\", \"label\"}");
	if (dflt && !json_object_get(d, "outcomes"))
		return bad_def(err, "default_outcome", "goes with outcomes");
	return MMIS_OK;
}

enum mmis_err form_parse(const char *json_text, struct form **out, struct mmis_error *err)
{
	struct form *f;
	json_t *d = NULL;
	enum mmis_err rc;

	*out = NULL;
	if (!json_text)
		return mmis_error_set(err, MMIS_EINVAL, "form", "no form definition");
	if ((rc = mjson_parse_object(json_text, strlen(json_text), &d, err)))
		return rc;
	if ((rc = check_definition(d, err))) {
		json_decref(d);
		return rc;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		json_decref(d);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	}
	f->def = d;
	f->id = jstr(d, "id");
	f->version = (int)json_integer_value(json_object_get(d, "version"));
	*out = f;
	return MMIS_OK;
}

void form_free(struct form *f)
{
	if (!f)
		return;
	json_decref(f->def);
	free(f);
}

json_t *form_definition(const struct form *f)
{
	return json_incref(f->def);
}

const char *form_id(const struct form *f)
{
	return f->id;
}

int form_version(const struct form *f)
{
	return f->version;
}

bool form_is_case_form(const struct form *f)
{
	return json_is_true(json_object_get(f->def, "case_form"));
}

bool form_child_only(const struct form *f)
{
	return json_is_true(json_object_get(f->def, "child_only"));
}

/* ---- the built-in forms */

static struct {
	pthread_once_t once;
	struct form *forms[16];
	size_t n;
	bool broken;
} builtin = { .once = PTHREAD_ONCE_INIT };

static void load_builtins(void)
{
	for (size_t i = 0; i < protect_form_file_count() && builtin.n < 16; i++) {
		struct mmis_error e;
		const char *name = NULL;
		const char *text = protect_form_file(i, &name, NULL);
		struct form *f = NULL;
		if (form_parse(text, &f, &e) || strcmp(f->id, name)) {
			form_free(f);
			builtin.broken = true;
			continue;
		}
		builtin.forms[builtin.n++] = f;
	}
}

const struct form *form_find(const char *id)
{
	pthread_once(&builtin.once, load_builtins);
	if (builtin.broken || !id)
		return NULL;
	for (size_t i = 0; i < builtin.n; i++)
		if (!strcmp(builtin.forms[i]->id, id))
			return builtin.forms[i];
	return NULL;
}

enum mmis_err form_list(json_t **out, struct mmis_error *err)
{
	json_t *arr;

	*out = NULL;
	pthread_once(&builtin.once, load_builtins);
	if (builtin.broken)
		return mmis_error_set(err, MMIS_EINVAL, "form", "a built-in form definition is broken");
	if (!(arr = json_array()))
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < builtin.n; i++) {
		const json_t *d = builtin.forms[i]->def;
		json_array_append_new(arr, json_pack("{s:s, s:i, s:O, s:b, s:b}", "id",
						     builtin.forms[i]->id, "version",
						     builtin.forms[i]->version, "title",
						     json_object_get(d, "title"), "case_form",
						     form_is_case_form(builtin.forms[i]), "child_only",
						     form_child_only(builtin.forms[i])));
	}
	*out = arr;
	return MMIS_OK;
}

/* ---- answers */

static const json_t *field_of(const struct form *f, const char *id)
{
	return field_named(json_object_get(f->def, "fields"), id, SIZE_MAX);
}

static bool indicator_holds(const json_t *fl, const json_t *ans)
{
	const char *ind = jstr(fl, "indicator");
	size_t i;
	const json_t *c;

	if (!ind || !ans)
		return false;
	if (!strcmp(jstr(fl, "type"), "bool"))
		return json_is_true(ans);
	json_array_foreach(json_object_get(fl, "indicator_choices"), i, c)
		if (json_equal(c, ans))
			return true;
	return false;
}

/* How many indicators hold: strong ones in *strong, all in *total. */
static void count_indicators(const struct form *f, const json_t *answers, int *strong, int *total)
{
	size_t i;
	const json_t *fl;

	*strong = *total = 0;
	json_array_foreach(json_object_get(f->def, "fields"), i, fl) {
		if (indicator_holds(fl, json_object_get(answers, jstr(fl, "id")))) {
			(*total)++;
			if (!strcmp(jstr(fl, "indicator"), "strong"))
				(*strong)++;
		}
	}
}

/* Evaluate a checked condition. */
static bool cond_holds(const struct form *f, const json_t *cond, const json_t *answers)
{
	const json_t *v;
	size_t i;

	if ((v = json_object_get(cond, "all"))) {
		json_array_foreach(v, i, cond)
			if (!cond_holds(f, cond, answers))
				return false;
		return true;
	}
	if ((v = json_object_get(cond, "any"))) {
		json_array_foreach(v, i, cond)
			if (cond_holds(f, cond, answers))
				return true;
		return false;
	}
	if ((v = json_object_get(cond, "not")))
		return !cond_holds(f, v, answers);
	if ((v = json_object_get(cond, "indicators_at_least"))) {
		int strong, total;
		count_indicators(f, answers, &strong, &total);
		return (json_object_get(cond, "strength") ? strong : total) >= json_integer_value(v);
	}
	const json_t *ans = json_object_get(answers, jstr(cond, "field"));
	if (json_is_null(ans))
		ans = NULL;
	if ((v = json_object_get(cond, "equals")))
		return ans && json_equal(ans, v);
	if ((v = json_object_get(cond, "in"))) {
		const json_t *c, *a;
		size_t j;
		if (!ans)
			return false;
		json_array_foreach(v, i, c) {
			if (json_equal(ans, c))
				return true;
			json_array_foreach(ans, j, a) /* a multi-choice: any of its choices */
				if (json_equal(a, c))
					return true;
		}
		return false;
	}
	return json_is_true(json_object_get(cond, "answered")) == (ans != NULL);
}

static bool field_shown(const struct form *f, const json_t *fl, const json_t *answers)
{
	const json_t *c = json_object_get(fl, "shown_if");
	return !c || cond_holds(f, c, answers);
}

static enum mmis_err check_answer(const json_t *fl, const json_t *ans, struct mmis_error *err)
{
	const char *id = jstr(fl, "id"), *type = jstr(fl, "type");

	if (!strcmp(type, "bool")) {
		if (!json_is_boolean(ans))
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: expected true or false", id);
	} else if (!strcmp(type, "choice")) {
		if (!json_is_string(ans) || !choice_of(fl, json_string_value(ans)))
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: not one of its choices", id);
	} else if (!strcmp(type, "multi_choice")) {
		size_t i, j;
		const json_t *c;
		if (!json_is_array(ans))
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: expected a list of choices", id);
		json_array_foreach(ans, i, c) {
			if (!json_is_string(c) || !choice_of(fl, json_string_value(c)))
				return mmis_error_set(err, MMIS_EINVAL, id,
						      "%s: '%.40s' is not one of its choices", id,
						      json_is_string(c) ? json_string_value(c) : "?");
			for (j = 0; j < i; j++)
				if (json_equal(json_array_get(ans, j), c))
					return mmis_error_set(err, MMIS_EINVAL, id,
							      "%s: '%.40s' is chosen twice", id,
							      json_string_value(c));
		}
	} else if (!strcmp(type, "date")) {
		struct date d;
		if (!json_is_string(ans) || date_parse(json_string_value(ans), id, &d, err))
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: expected a date YYYY-MM-DD", id);
	} else if (!strcmp(type, "number")) {
		const json_t *mn = json_object_get(fl, "min"), *mx = json_object_get(fl, "max");
		if (!json_is_number(ans))
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: expected a number", id);
		double x = json_number_value(ans);
		if ((mn && x < json_number_value(mn)) || (mx && x > json_number_value(mx)))
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: out of range (%g to %g)", id,
					      mn ? json_number_value(mn) : -1e308,
					      mx ? json_number_value(mx) : 1e308);
	} else {
		const json_t *ml = json_object_get(fl, "max_len");
		size_t max = ml ? (size_t)json_integer_value(ml) : TEXT_DEFAULT_MAX;
		const char *s = json_string_value(ans);
		if (!s)
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: expected text", id);
		if (json_string_length(ans) > max)
			return mmis_error_set(err, MMIS_EINVAL, id, "%s: at most %zu bytes", id, max);
		if (!mjson_text_ok(s, json_string_length(ans), false))
			return mmis_error_set(err, MMIS_EINVAL, id,
					      "%s: not text (control characters or bad UTF-8)", id);
	}
	return MMIS_OK;
}

enum mmis_err form_check(const struct form *f, const json_t *answers, json_t **clean,
			 struct mmis_error *err)
{
	const json_t *fields = json_object_get(f->def, "fields"), *fl, *v;
	const char *key;
	json_t *out;
	size_t i;
	enum mmis_err rc;

	if (clean)
		*clean = NULL;
	if (!json_is_object(answers))
		return mmis_error_set(err, MMIS_EINVAL, "answers", "answers is an object of field "
				      "id and answer");
	json_object_foreach((json_t *)answers, key, v)
		if (!field_named(fields, key, SIZE_MAX))
			return mmis_error_set(err, MMIS_EINVAL, key, "%.48s: no such question in the "
					      "form %s", key, f->id);
	if (!(out = json_object()))
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	/* In order: a field's shown_if names only earlier fields, whose answers are kept already. */
	json_array_foreach(fields, i, fl) {
		const char *id = jstr(fl, "id");
		const json_t *ans = json_object_get(answers, id);
		if (json_is_null(ans))
			ans = NULL;
		if (!field_shown(f, fl, out)) {
			if (ans) {
				json_decref(out);
				return mmis_error_set(err, MMIS_EINVAL, id, "%s: not asked, given the "
						      "other answers", id);
			}
			continue;
		}
		if (!ans) {
			if (json_is_true(json_object_get(fl, "required"))) {
				json_decref(out);
				return mmis_error_set(err, MMIS_EINVAL, id, "%s: is required", id);
			}
			continue;
		}
		if ((rc = check_answer(fl, ans, err))) {
			json_decref(out);
			return rc;
		}
		json_object_set_new(out, id, json_deep_copy(ans));
	}
	if (clean)
		*clean = out;
	else
		json_decref(out);
	return MMIS_OK;
}

json_t *form_evaluate(const struct form *f, const json_t *answers)
{
	json_t *outs = json_array(), *types = json_array(), *o;
	const json_t *r;
	size_t i;
	int strong, total;

	json_array_foreach(json_object_get(f->def, "outcomes"), i, r)
		if (cond_holds(f, json_object_get(r, "when"), answers))
			json_array_append_new(outs, json_string(jstr(r, "id")));
	if (!json_array_size(outs) && json_object_get(f->def, "default_outcome"))
		json_array_append_new(outs, json_string(jstr(json_object_get(f->def, "default_outcome"),
							     "id")));
	json_array_foreach(json_object_get(f->def, "case_types"), i, r)
		if (cond_holds(f, json_object_get(r, "when"), answers))
			json_array_append_new(types, json_string(jstr(r, "type")));
	count_indicators(f, answers, &strong, &total);
	o = json_pack("{s:o, s:o, s:{s:i, s:i}}", "outcomes", outs, "case_types", types,
		      "indicators", "strong", strong, "total", total);
	return o;
}

/* The label of an outcome id: {"en", "cnr"} (a borrowed reference), NULL when unknown. */
const json_t *form_outcome_label(const struct form *f, const char *id)
{
	size_t i;
	const json_t *r, *d = json_object_get(f->def, "default_outcome");

	json_array_foreach(json_object_get(f->def, "outcomes"), i, r)
		if (!strcmp(jstr(r, "id"), id))
			return json_object_get(r, "label");
	if (d && !strcmp(jstr(d, "id"), id))
		return json_object_get(d, "label");
	return NULL;
}

json_t *form_filter(const struct form *f, const json_t *answers, const char *const *scopes)
{
	json_t *out = json_object();
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)answers, key, v) {
		const json_t *fl = field_of(f, key);
		if (fl && (!scopes || protect_in_list(scopes, jstr(fl, "scope"))))
			json_object_set_new(out, key, json_deep_copy(v));
	}
	return out;
}
