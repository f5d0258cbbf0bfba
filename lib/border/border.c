/*
 * border.c - BCPs, travellers and documents, crossings, refusals, stay authorisations, the stay
 * status, the overstayers list and the daily summary (border.h).
 *
 * Every public function checks the actor's permission and writes its audit event in the same
 * transaction as its work (struct audited_op, auth.h): when the work rolls back
 * the "ok" event goes with it and a "denied" or "failed" event is written instead.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/country.h"
#include "mmis/json.h"
#include "mmis/mrz.h"
#include "mmis/screen.h"
#include "mmis/stats.h"
#include "mmis/stay.h"
#include "mmis/store_json.h"
#include "mmis/strbuf.h"
#include "mmis/uuid.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS (86400 * 1000LL)

const char *const border_bcp_kinds[] = { "road", "rail", "air", "sea", NULL };

/* Schengen Borders Code (Regulation (EU) 2016/399), Annex V, Part B: the standard form. */
static const struct refusal_ground grounds[] = {
	{ 'A', "has no valid travel document(s)" },
	{ 'B', "has a false, counterfeit or forged travel document" },
	{ 'C', "has no valid visa or residence permit" },
	{ 'D', "has a false, counterfeit or forged visa or residence permit" },
	{ 'E', "has no appropriate documentation justifying the purpose and conditions of stay" },
	{ 'F', "has already stayed for 90 days during the preceding 180-day period" },
	{ 'G', "does not have sufficient means of subsistence" },
	{ 'H', "is a person for whom an alert has been issued for the purposes of refusing entry" },
	{ 'I', "is considered to be a threat to public policy, internal security, public health "
	       "or the international relations" },
};

/* The codes the web page's selects send (web/js/pages/border.js) and docs/api.md lists. */
const char *const border_transport_codes[] = { "car", "bus", "truck", "motorcycle", "bicycle",
					       "foot", "train", "aircraft", "vessel", "other", NULL };
const char *const border_purpose_codes[] = { "tourism", "business", "family", "work", "study",
					     "transit", "medical", "other", NULL };

enum mmis_err border_code_check(const char *const *codes, const char *code, const char *field,
				struct mmis_error *err)
{
	char list[200] = "";
	size_t len = 0;

	if (!code || !*code)
		return MMIS_OK;
	for (size_t i = 0; codes[i]; i++) {
		if (!strcmp(codes[i], code))
			return MMIS_OK;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					codes[i]);
		if (len >= sizeof(list))
			len = sizeof(list) - 1;
	}
	return mmis_error_set(err, MMIS_EINVAL, field, "%s '%.20s' is not one of %s", field, code,
			      list);
}

size_t refusal_ground_count(void)
{
	return COUNT(grounds);
}

const struct refusal_ground *refusal_ground_at(size_t i)
{
	return i < COUNT(grounds) ? &grounds[i] : NULL;
}

const struct refusal_ground *refusal_ground_find(char letter)
{
	for (size_t i = 0; i < COUNT(grounds); i++)
		if (grounds[i].letter == letter)
			return &grounds[i];
	return NULL;
}

/* ---- helpers shared with the other files (internal.h) */

void border_full_name(char *out, size_t cap, const char *given, const char *surname)
{
	snprintf(out, cap, "%s%s%s", given ? given : "", given && *given ? " " : "",
		 surname ? surname : "");
}

void border_person_facts(struct person_facts *f, const char *nationality, const char *sex,
			 const char *birth)
{
	border_copy(f->nationality, sizeof(f->nationality), nationality);
	border_copy(f->sex, sizeof(f->sex), sex && *sex ? sex : "X");
	border_copy(f->birth, sizeof(f->birth), birth);
}

bool border_text_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

/* ---- normalisation */

enum mmis_err border_doc_number_norm(const char *in, char out[32], struct mmis_error *err)
{
	size_t k = 0;

	out[0] = '\0';
	if (!in)
		return mmis_error_set(err, MMIS_EINVAL, "document_number", "is required");
	for (const char *p = in; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ' || c == '-' || c == '<' || c == '.' || c == '/' || c == '\t')
			continue;
		if (!isalnum(c))
			return mmis_error_set(err, MMIS_EINVAL, "document_number",
					      "a document number has letters and digits only");
		if (k >= 30)
			return mmis_error_set(err, MMIS_EINVAL, "document_number",
					      "a document number has at most 30 characters");
		out[k++] = (char)toupper(c);
	}
	out[k] = '\0';
	if (!k)
		return mmis_error_set(err, MMIS_EINVAL, "document_number", "is required");
	return MMIS_OK;
}

enum mmis_err border_country_norm(const char *in, const char *field, char out[4],
				  struct mmis_error *err)
{
	const struct country *c;

	out[0] = '\0';
	if (!in || !*in)
		return mmis_error_set(err, MMIS_EINVAL, field, "is required");
	if (strlen(in) > 3 || !(c = country_lookup(in)))
		return mmis_error_set(err, MMIS_EINVAL, field, "'%.16s' is not an ISO 3166-1 alpha-3 "
				      "or ICAO country code", in);
	/* Germany writes "D" in its MRZs; the rest of mmis speaks ISO. */
	border_copy(out, 4, !strcmp(c->alpha3, "D") ? "DEU" : c->alpha3);
	return MMIS_OK;
}

/* ICAO 9303 (part 3, section 6) transliterations of the Latin letters the region's names use. */
static const struct {
	const char *utf8, *ascii;
} translit[] = {
	{ "\xc4\x8d", "C" }, { "\xc4\x8c", "C" }, { "\xc4\x87", "C" }, { "\xc4\x86", "C" },
	{ "\xc4\x91", "D" }, { "\xc4\x90", "D" }, { "\xc5\xa1", "S" }, { "\xc5\xa0", "S" },
	{ "\xc5\xbe", "Z" }, { "\xc5\xbd", "Z" }, { "\xc3\xa7", "C" }, { "\xc3\x87", "C" },
	{ "\xc3\xab", "E" }, { "\xc3\x8b", "E" }, { "\xc4\xb1", "I" }, { "\xc4\xb0", "I" },
	{ "\xc5\x9f", "S" }, { "\xc5\x9e", "S" }, { "\xc4\x9f", "G" }, { "\xc4\x9e", "G" },
	{ "\xc3\xb6", "OE" }, { "\xc3\x96", "OE" }, { "\xc3\xbc", "UE" }, { "\xc3\x9c", "UE" },
	{ "\xc3\xa4", "AE" }, { "\xc3\x84", "AE" }, { "\xc3\x9f", "SS" }, { "\xc3\xa9", "E" },
	{ "\xc3\xa8", "E" }, { "\xc3\xa1", "A" }, { "\xc3\xa0", "A" }, { "\xc3\xad", "I" },
	{ "\xc3\xb3", "O" }, { "\xc3\xba", "U" }, { "\xc3\xb1", "N" }, { "\xc3\xa2", "A" },
};

/*
 * The document form of a typed name: upper case, the region's Latin letters transliterated as
 * ICAO 9303 does (Petrović -> PETROVIC, Müller -> MUELLER). Other scripts are kept as typed (a
 * Cyrillic name is best read from the MRZ).
 */
static void doc_name(char *out, size_t cap, const char *s)
{
	size_t k = 0;
	while (s && *s && k + 1 < cap) {
		size_t i;
		for (i = 0; i < COUNT(translit); i++)
			if (!strncmp(s, translit[i].utf8, 2))
				break;
		if (i < COUNT(translit)) {
			for (const char *r = translit[i].ascii; *r && k + 1 < cap; r++)
				out[k++] = *r;
			s += 2;
			continue;
		}
		out[k++] = (char)((unsigned char)*s < 0x80 ? toupper((unsigned char)*s) : *s);
		s++;
	}
	out[k] = '\0';
}

/* Upper-case ASCII (codes). */
static void upper_ascii(char *out, size_t cap, const char *s)
{
	size_t k = 0;
	for (; s && *s && k + 1 < cap; s++)
		out[k++] = (char)toupper((unsigned char)*s);
	out[k] = '\0';
}

static enum mmis_err check_sex(char sex, char out[2], struct mmis_error *err)
{
	switch (sex) {
	case 'F':
	case 'M':
	case 'X':
		out[0] = sex;
		break;
	case 0:
	case '<':
		out[0] = 'X';
		break;
	default:
		return mmis_error_set(err, MMIS_EINVAL, "sex", "sex is F, M or X");
	}
	out[1] = '\0';
	return MMIS_OK;
}

enum mmis_err border_traveller(const struct crossing_in *in, struct traveller *t,
			       struct mmis_error *err)
{
	enum mmis_err rc;

	memset(t, 0, sizeof(*t));
	if (!border_text_ok(in->surname, BORDER_TEXT_MAX))
		return mmis_error_set(err, MMIS_EINVAL, "surname", "at most %d printable bytes",
				      BORDER_TEXT_MAX);
	if (!border_text_ok(in->given_names, BORDER_TEXT_MAX))
		return mmis_error_set(err, MMIS_EINVAL, "given_names", "at most %d printable bytes",
				      BORDER_TEXT_MAX);
	border_copy(t->surname_typed, sizeof(t->surname_typed), in->surname);
	border_copy(t->given_typed, sizeof(t->given_typed), in->given_names);
	if (in->mrz) {
		struct mrz m;
		struct date today;
		date_today(&today);
		if ((rc = mrz_parse(in->mrz, &today, &m, err))) {
			if (err && !err->field[0])
				border_copy(err->field, sizeof(err->field), "mrz");
			return rc;
		}
		if (!m.valid)
			return mmis_error_set(err, MMIS_EINVAL, "mrz",
					      "the MRZ's check digits do not match: read it again");
		upper_ascii(t->doc_type, sizeof(t->doc_type), m.document_code);
		if ((rc = border_country_norm(m.issuing_state, "mrz", t->issuing_state, err)) ||
		    (rc = border_doc_number_norm(m.document_number, t->number, err)))
			return mmis_error_set(err, rc, "mrz", "%s", mmis_error_text(err));
		if (m.nationality[0] &&
		    (rc = border_country_norm(m.nationality, "mrz", t->nationality, err)))
			return rc;
		border_copy(t->surname, sizeof(t->surname), m.surname);
		border_copy(t->given_names, sizeof(t->given_names), m.given_names);
		t->expiry = m.expiry_date;
		t->expiry_known = m.expiry_date_known;
		t->birth = m.birth_date;
		t->birth_known = m.birth_date_known;
		if ((rc = check_sex(m.sex == '<' ? 'X' : m.sex, t->sex, err)))
			return mmis_error_set(err, rc, "mrz", "%s", mmis_error_text(err));
		if (!t->surname[0])
			return mmis_error_set(err, MMIS_EINVAL, "mrz", "the MRZ has no name");
		return MMIS_OK;
	}
	if (!in->document_type || !*in->document_type)
		return mmis_error_set(err, MMIS_EINVAL, "document_type", "is required (or give mrz)");
	if (strlen(in->document_type) > 2 || !isalpha((unsigned char)in->document_type[0]) ||
	    (in->document_type[1] && !isalnum((unsigned char)in->document_type[1])))
		return mmis_error_set(err, MMIS_EINVAL, "document_type",
				      "a document type is one or two letters (P, I, ID, V, AC)");
	upper_ascii(t->doc_type, sizeof(t->doc_type), in->document_type);
	if ((rc = border_country_norm(in->issuing_state, "issuing_state", t->issuing_state, err)) ||
	    (rc = border_doc_number_norm(in->document_number, t->number, err)))
		return rc;
	if (in->nationality && *in->nationality &&
	    (rc = border_country_norm(in->nationality, "nationality", t->nationality, err)))
		return rc;
	if (!in->surname || !*in->surname)
		return mmis_error_set(err, MMIS_EINVAL, "surname", "is required (or give mrz)");
	doc_name(t->surname, sizeof(t->surname), in->surname);
	doc_name(t->given_names, sizeof(t->given_names), in->given_names);
	t->expiry = in->expiry_date;
	t->expiry_known = in->expiry_known;
	t->birth = in->birth_date;
	t->birth_known = in->birth_known;
	return check_sex(in->sex, t->sex, err);
}

/* ---- JSON input */

static enum mmis_err get_str(const json_t *o, const char *key, size_t max, const char **out,
			     struct mmis_error *err)
{
	return mjson_get_string(o, key, false, max, out, err);
}

static enum mmis_err crossing_fields(const json_t *obj, struct crossing_in *in, bool refusal,
				     struct mmis_error *err)
{
	static const char *const dirs[] = { "entry", "exit", NULL };
	const char *sex = NULL, *time = NULL;
	enum mmis_err rc;
	int dir = -1;

	memset(in, 0, sizeof(*in));
	if ((rc = get_str(obj, "mrz", 200, &in->mrz, err)) ||
	    (rc = get_str(obj, "person_id", UUID_STR_MAX, &in->person_id, err)) ||
	    (rc = get_str(obj, "document_type", 8, &in->document_type, err)) ||
	    (rc = get_str(obj, "issuing_state", 8, &in->issuing_state, err)) ||
	    (rc = get_str(obj, "document_number", 64, &in->document_number, err)) ||
	    (rc = mjson_get_date(obj, "expiry_date", false, false, &in->expiry_date,
				 &in->expiry_known, err)) ||
	    (rc = get_str(obj, "surname", BORDER_TEXT_MAX, &in->surname, err)) ||
	    (rc = get_str(obj, "given_names", BORDER_TEXT_MAX, &in->given_names, err)) ||
	    (rc = get_str(obj, "sex", 1, &sex, err)) ||
	    (rc = mjson_get_date(obj, "birth_date", false, true, &in->birth_date, &in->birth_known,
				 err)) ||
	    (rc = get_str(obj, "nationality", 8, &in->nationality, err)) ||
	    (rc = get_str(obj, "bcp", 32, &in->bcp, err)) ||
	    (rc = get_str(obj, "time", 64, &time, err)) ||
	    (rc = get_str(obj, "transport", BORDER_TEXT_MAX, &in->transport, err)) ||
	    (rc = get_str(obj, "purpose", BORDER_TEXT_MAX, &in->purpose, err)))
		return rc;
	if (!refusal && (rc = mjson_get_enum(obj, "direction", true, dirs, &dir, err)))
		return rc;
	in->direction = dir == 1 ? CROSSING_EXIT : CROSSING_ENTRY;
	if (sex && *sex)
		in->sex = sex[0];
	if (time && (rc = timestamp_parse(time, "time", &in->at_ms, err)))
		return rc;
	if (!in->bcp)
		return mmis_error_set(err, MMIS_EINVAL, "bcp", "is required");
	return MMIS_OK;
}

enum mmis_err crossing_from_json(const json_t *obj, struct crossing_in *out,
				 struct mmis_error *err)
{
	static const char *const keys[] = {
		"mrz", "person_id", "document_type", "issuing_state", "document_number",
		"expiry_date", "surname", "given_names", "sex", "birth_date", "nationality", "bcp",
		"direction", "time", "transport", "purpose", NULL,
	};
	enum mmis_err rc;

	if ((rc = mjson_only_keys(obj, keys, err)))
		return rc;
	return crossing_fields(obj, out, false, err);
}

enum mmis_err refusal_from_json(const json_t *obj, struct refusal_in *out, char gr[16],
				struct mmis_error *err)
{
	static const char *const keys[] = {
		"mrz", "person_id", "document_type", "issuing_state", "document_number",
		"expiry_date", "surname", "given_names", "sex", "birth_date", "nationality", "bcp",
		"time", "grounds", "note", NULL,
	};
	const json_t *g;
	enum mmis_err rc;
	size_t i, k = 0;

	memset(out, 0, sizeof(*out));
	gr[0] = '\0';
	if ((rc = mjson_only_keys(obj, keys, err)) ||
	    (rc = crossing_fields(obj, &out->who, true, err)) ||
	    (rc = get_str(obj, "note", BORDER_NOTE_MAX, &out->note, err)))
		return rc;
	g = json_object_get(obj, "grounds");
	if (!json_is_array(g) || !json_array_size(g))
		return mmis_error_set(err, MMIS_EINVAL, "grounds",
				      "grounds is a non-empty array of letters A to I");
	for (i = 0; i < json_array_size(g); i++) {
		const char *s = json_string_value(json_array_get(g, i));
		if (!s || strlen(s) != 1 || !refusal_ground_find(s[0]))
			return mmis_error_set(err, MMIS_EINVAL, "grounds",
					      "'%.8s' is not a ground of refusal (A to I)",
					      s ? s : "(not a string)");
		if (k + 1 < 16 && !strchr(gr, s[0])) {
			gr[k++] = s[0];
			gr[k] = '\0';
		}
	}
	out->grounds = gr;
	out->who.direction = CROSSING_ENTRY;
	return MMIS_OK;
}

/* ---- BCPs */

static bool valid_bcp_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 3 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool valid_bcp_kind(const char *k)
{
	for (size_t i = 0; k && border_bcp_kinds[i]; i++)
		if (!strcmp(border_bcp_kinds[i], k))
			return true;
	return false;
}

enum mmis_err border_bcp_check(const char *code, const char *name, const char *kind,
			       const char *neighbour, char nb[4], struct mmis_error *err)
{
	nb[0] = '\0';
	if (!valid_bcp_code(code))
		return mmis_error_set(err, MMIS_EINVAL, "code",
				      "code '%.40s' is not 3 to 16 of A-Z, 0-9 and -", code ? code : "");
	if (!name || !*name || !border_text_ok(name, BORDER_TEXT_MAX))
		return mmis_error_set(err, MMIS_EINVAL, "name", "a name is 1 to %d printable bytes",
				      BORDER_TEXT_MAX);
	if (!valid_bcp_kind(kind))
		return mmis_error_set(err, MMIS_EINVAL, "kind",
				      "kind '%.20s' is not one of road, rail, air, sea",
				      kind ? kind : "");
	if (neighbour && *neighbour)
		return border_country_norm(neighbour, "neighbour", nb, err);
	return MMIS_OK;
}

enum mmis_err bcp_add(const struct mmis_ctx *cx, const struct actor *a, const char *code,
		      const char *name, const char *kind, const char *neighbour,
		      struct mmis_error *err)
{
	struct mmis_error local;
	char now[TIMESTAMP_STR_MAX], nb[4];
	struct store_stmt *st;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "bcp.create", "bcp", err)))
		return rc;
	if (valid_bcp_code(code))
		border_copy(op.object_id, sizeof(op.object_id), code);
	if (actor_scope(a, PERM_BORDER_SUPERVISE) != SCOPE_ALL)
		rc = border_denied(err, PERM_BORDER_SUPERVISE);
	else
		rc = border_bcp_check(code, name, kind, neighbour, nb, err);
	if (!rc && !(rc = store_prepare(cx->store, "INSERT INTO bcp (code, name, kind, neighbour, "
					"created_at) VALUES (?, ?, ?, ?, ?)", &st, err))) {
		timestamp_format(timestamp_now(), now);
		store_bind_text(st, 1, code);
		store_bind_text(st, 2, name);
		store_bind_text(st, 3, kind);
		store_bind_text(st, 4, nb[0] ? nb : NULL);
		store_bind_text(st, 5, now);
		rc = store_run(st, err);
		store_finalize(st);
		if (rc == MMIS_ECONFLICT)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "code", "BCP %s exists already", code);
		audited_detail(&op, "%s (%s)", kind, nb[0] ? nb : "no neighbour");
	}
	return audited_end(&op, rc, err);
}

enum mmis_err bcp_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
		       struct mmis_error *err)
{
	struct store_stmt *st;
	json_t *arr;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	if ((rc = border_check_ctx(cx, a, err)))
		return rc;
	if (actor_scope(a, PERM_BORDER_READ) == SCOPE_NONE)
		return border_denied(err, PERM_BORDER_READ);
	if (!(arr = json_array()))
		return border_oom(err);
	if ((rc = store_prepare(cx->store, "SELECT code, name, kind, neighbour FROM bcp ORDER BY code",
				&st, err))) {
		json_decref(arr);
		return rc;
	}
	while (!(rc = store_step(st, &row, err)) && row) {
		json_t *o = json_pack("{s:s?, s:s?, s:s?, s:o}", "code", store_column_text(st, 0),
				      "name", store_column_text(st, 1), "kind",
				      store_column_text(st, 2), "neighbour",
				      text_or_null(store_column_text(st, 3)));
		if (!o || json_array_append_new(arr, o)) {
			rc = border_oom(err);
			break;
		}
	}
	store_finalize(st);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

static enum mmis_err bcp_name(struct store *s, const char *code, char *name, size_t cap,
			      struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	if (!code || !*code)
		return mmis_error_set(err, MMIS_EINVAL, "bcp", "is required");
	if ((rc = store_prepare(s, "SELECT name FROM bcp WHERE code = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, code);
	if (!(rc = store_step(st, &row, err)) && row)
		border_copy(name, cap, store_column_text(st, 0));
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_EINVAL, "bcp", "no BCP '%.20s' (see GET /api/v1/bcps)",
				    valid_bcp_code(code) ? code : "(invalid code)");
	return rc;
}

/* ---- persons and documents */

struct doc_row {
	char id[UUID_STR_MAX];
	char person_id[UUID_STR_MAX];
	char expiry[DATE_STR_MAX];
	struct person_facts who; /* what statistics count the person by */
};

static enum mmis_err find_document(struct store *s, const char *state, const char *number,
				   struct doc_row *out, bool *found, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	*found = false;
	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, "SELECT d.id, d.person_id, d.expiry_date, p.nationality, p.sex, "
				"p.birth_date FROM travel_document d JOIN person p ON p.id = "
				"d.person_id WHERE d.issuing_state = ? AND d.number = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, state);
	store_bind_text(st, 2, number);
	if (!(rc = store_step(st, found, err)) && *found) {
		border_copy(out->id, sizeof(out->id), store_column_text(st, 0));
		border_copy(out->person_id, sizeof(out->person_id), store_column_text(st, 1));
		border_copy(out->expiry, sizeof(out->expiry), store_column_text(st, 2));
		border_person_facts(&out->who, store_column_text(st, 3), store_column_text(st, 4),
				    store_column_text(st, 5));
	}
	store_finalize(st);
	return rc;
}

/*
 * The person who holds the records of `id` now: `id` itself, or the survivor it was merged into
 * (dedup.h), following merges of merges, with that person's facts for the statistics (who may be
 * NULL). *found is false when there is no such person.
 */
static enum mmis_err person_current(struct store *s, const char *id, char out[UUID_STR_MAX],
				    bool *found, struct person_facts *who, struct mmis_error *err)
{
	struct store_stmt *st;
	char cur[UUID_STR_MAX];
	enum mmis_err rc = MMIS_OK;

	*found = false;
	border_copy(cur, sizeof(cur), id);
	for (int depth = 0; !rc && depth < 64; depth++) {
		bool row = false;
		char next[UUID_STR_MAX] = "";
		if ((rc = store_prepare(s, "SELECT merged_into, nationality, sex, birth_date FROM person "
					"WHERE id = ?", &st, err)))
			break;
		store_bind_text(st, 1, cur);
		if (!(rc = store_step(st, &row, err)) && row) {
			border_copy(next, sizeof(next), store_column_text(st, 0));
			if (who)
				border_person_facts(who, store_column_text(st, 1),
						    store_column_text(st, 2), store_column_text(st, 3));
		}
		store_finalize(st);
		if (rc || !row)
			break;
		*found = true;
		if (!next[0])
			break;
		border_copy(cur, sizeof(cur), next);
	}
	border_copy(out, UUID_STR_MAX, cur);
	return rc;
}

static enum mmis_err insert_person(struct store *s, const struct actor *a, const struct traveller *t,
				   const char *id, const char *now, struct mmis_error *err)
{
	struct store_stmt *st;
	char birth[DATE_STR_MAX];
	enum mmis_err rc;

	if ((rc = store_prepare(s, "INSERT INTO person (id, surname, given_names, surname_typed, "
				"given_names_typed, sex, birth_date, nationality, created_at, "
				"created_by, agency_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				&st, err)))
		return rc;
	if (t->birth_known)
		date_format(&t->birth, birth);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, t->surname);
	store_bind_text(st, 3, t->given_names);
	store_bind_text(st, 4, nz(t->surname_typed));
	store_bind_text(st, 5, nz(t->given_typed));
	store_bind_text(st, 6, t->sex);
	store_bind_text(st, 7, t->birth_known ? birth : NULL);
	store_bind_text(st, 8, nz(t->nationality));
	store_bind_text(st, 9, now);
	store_bind_text(st, 10, nz(a->user_id));
	store_bind_text(st, 11, nz(a->agency_id));
	rc = store_run(st, err);
	store_finalize(st);
	return rc;
}

static enum mmis_err insert_document(struct store *s, const struct traveller *t, const char *id,
				     const char *person_id, const char *now,
				     struct mmis_error *err)
{
	struct store_stmt *st;
	char expiry[DATE_STR_MAX];
	enum mmis_err rc;

	if ((rc = store_prepare(s, "INSERT INTO travel_document (id, person_id, doc_type, "
				"issuing_state, number, expiry_date, created_at) "
				"VALUES (?, ?, ?, ?, ?, ?, ?)", &st, err)))
		return rc;
	if (t->expiry_known)
		date_format(&t->expiry, expiry);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, person_id);
	store_bind_text(st, 3, t->doc_type);
	store_bind_text(st, 4, t->issuing_state);
	store_bind_text(st, 5, t->number);
	store_bind_text(st, 6, t->expiry_known ? expiry : NULL);
	store_bind_text(st, 7, now);
	rc = store_run(st, err);
	store_finalize(st);
	return rc;
}

/* The person and document for a traveller: found by the document, else made. */
struct resolved {
	char person_id[UUID_STR_MAX];
	char document_id[UUID_STR_MAX];
	bool new_person;
	bool new_document;
	struct person_facts who; /* the person as stored */
};

static enum mmis_err resolve(const struct mmis_ctx *cx, const struct actor *a,
			     const struct crossing_in *in, const struct traveller *t,
			     struct resolved *r, struct mmis_error *err)
{
	struct doc_row d;
	char now[TIMESTAMP_STR_MAX];
	bool found = false;
	enum mmis_err rc;

	memset(r, 0, sizeof(*r));
	timestamp_format(timestamp_now(), now);
	if ((rc = find_document(cx->store, t->issuing_state, t->number, &d, &found, err)))
		return rc;
	if (found) {
		char cur[UUID_STR_MAX] = "";
		bool known = false;
		if (in->person_id && *in->person_id && strcmp(in->person_id, d.person_id) &&
		    (!uuid_valid(in->person_id) ||
		     (rc = person_current(cx->store, in->person_id, cur, &known, NULL, err)) ||
		     strcmp(cur, d.person_id)))
			return rc ? rc : mmis_error_set(err, MMIS_EINVAL, "person_id",
							"this document belongs to another person");
		border_copy(r->person_id, sizeof(r->person_id), d.person_id);
		border_copy(r->document_id, sizeof(r->document_id), d.id);
		r->who = d.who;
		if (t->expiry_known) {
			char e[DATE_STR_MAX];
			date_format(&t->expiry, e);
			if (strcmp(e, d.expiry)) {
				struct store_stmt *st;
				if ((rc = store_prepare(cx->store, "UPDATE travel_document SET "
							"expiry_date = ? WHERE id = ?", &st, err)))
					return rc;
				store_bind_text(st, 1, e);
				store_bind_text(st, 2, d.id);
				rc = store_run(st, err);
				store_finalize(st);
			}
		}
		return rc;
	}
	if (in->person_id && *in->person_id) {
		if (!uuid_valid(in->person_id))
			return mmis_error_set(err, MMIS_EINVAL, "person_id", "not a person id");
		/* A person merged into another since: their records are the survivor's now. */
		if ((rc = person_current(cx->store, in->person_id, r->person_id, &found, &r->who,
					 err)))
			return rc;
		if (!found)
			return mmis_error_set(err, MMIS_EINVAL, "person_id", "no such person");
	} else {
		char birth[DATE_STR_MAX];
		uuid7_new_str(r->person_id);
		r->new_person = true;
		if (t->birth_known)
			date_format(&t->birth, birth);
		border_person_facts(&r->who, t->nationality, t->sex, t->birth_known ? birth : NULL);
		if ((rc = insert_person(cx->store, a, t, r->person_id, now, err)))
			return rc;
	}
	uuid7_new_str(r->document_id);
	r->new_document = true;
	return insert_document(cx->store, t, r->document_id, r->person_id, now, err);
}

/* ---- crossings and stays */

static enum mmis_err load_crossings(struct store *s, const char *person_id, struct xing **out,
				    size_t *n, struct mmis_error *err)
{
	struct store_stmt *st;
	struct xing *x = NULL;
	size_t cap = 0;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_prepare(s, "SELECT at, direction FROM crossing WHERE person_id = ? "
				"ORDER BY at, id", &st, err)))
		return rc;
	store_bind_text(st, 1, person_id);
	while (!(rc = store_step(st, &row, err)) && row) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct xing *nx = realloc(x, nc * sizeof(*x));
			if (!nx) {
				rc = border_oom(err);
				break;
			}
			x = nx;
			cap = nc;
		}
		int64_t ms = 0;
		timestamp_parse(store_column_text(st, 0), NULL, &ms, NULL);
		x[*n].at_ms = ms;
		x[*n].exit = !strcmp(store_column_text(st, 1), "exit");
		(*n)++;
	}
	store_finalize(st);
	if (rc) {
		free(x);
		*n = 0;
		return rc;
	}
	*out = x;
	return MMIS_OK;
}

size_t border_pair_stays(const struct xing *x, size_t n_x, struct stay *stays)
{
	size_t n = 0;
	bool open = false;

	for (size_t i = 0; i < n_x; i++) {
		struct date d;
		timestamp_date(x[i].at_ms, &d);
		if (!x[i].exit) {
			if (open) {
				/* An entry while present: the missing exit is taken as the day before. */
				struct date prev;
				date_add_days(&d, -1, &prev);
				stays[n - 1].exit = date_cmp(&prev, &stays[n - 1].entry) < 0
							    ? stays[n - 1].entry : prev;
				stays[n - 1].open = false;
			}
			stays[n].entry = d;
			stays[n].exit = d;
			stays[n].open = true;
			n++;
			open = true;
		} else if (open) {
			stays[n - 1].exit = d;
			stays[n - 1].open = false;
			open = false;
		}
	}
	return n;
}

const char *const stay_authorisation_kinds[] = { "visa", "long_stay_visa", "residence_permit", NULL };

struct authorisation {
	char kind[24];
	char number[32];
	struct date from, to;
	int64_t from_d, to_d;  /* days since 1970 */
	int64_t days_allowed;  /* 0: every day of the validity */
};

/* A residence permit or long-stay visa: its days are out of the 90/180 count. */
static bool auth_is_permit(const struct authorisation *au)
{
	return strcmp(au->kind, "visa") != 0;
}

/* The authorisations of the persons `ids` (one person, or the records of one traveller taken
 * together) that began on or before `on`. */
static enum mmis_err load_authorisations(struct store *s, const char *const *ids, size_t n_ids,
					 const struct date *on, struct authorisation **out,
					 size_t *n, struct mmis_error *err)
{
	struct store_stmt *st;
	struct authorisation *v = NULL;
	char d[DATE_STR_MAX];
	size_t cap = 0;
	bool row = false;
	enum mmis_err rc = MMIS_OK;

	*out = NULL;
	*n = 0;
	date_format(on, d);
	for (size_t i = 0; !rc && i < n_ids; i++) {
		if ((rc = store_prepare(s, "SELECT kind, valid_from, valid_to, days_allowed, number "
					"FROM stay_authorisation WHERE person_id = ? AND "
					"valid_from <= ? ORDER BY valid_from, id", &st, err)))
			break;
		store_bind_text(st, 1, ids[i]);
		store_bind_text(st, 2, d);
		while (!(rc = store_step(st, &row, err)) && row) {
			struct authorisation *au;
			if (*n == cap) {
				size_t nc = cap ? cap * 2 : 4;
				struct authorisation *nv = realloc(v, nc * sizeof(*v));
				if (!nv) {
					rc = border_oom(err);
					break;
				}
				v = nv;
				cap = nc;
			}
			au = &v[*n];
			memset(au, 0, sizeof(*au));
			border_copy(au->kind, sizeof(au->kind), store_column_text(st, 0));
			border_copy(au->number, sizeof(au->number), store_column_text(st, 4));
			if (date_parse(store_column_text(st, 1), NULL, &au->from, NULL) ||
			    date_parse(store_column_text(st, 2), NULL, &au->to, NULL))
				continue; /* the table's CHECKs and stay_authorisation_add keep this out */
			au->from_d = date_to_days(&au->from);
			au->to_d = date_to_days(&au->to);
			au->days_allowed = store_column_is_null(st, 3) ? 0 : store_column_int64(st, 3);
			(*n)++;
		}
		store_finalize(st);
	}
	if (rc)
		free(v);
	else
		*out = v;
	return rc;
}

/* Stays without the days a permit covers: each stay (day range; an open one up to `on`) is cut
 * around the permits' validity. `out` has room for n * (n_au + 1) stays. */
static size_t cut_permit_days(const struct stay *stays, size_t n, int64_t on_d,
			      const struct authorisation *au, size_t n_au, struct stay *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t cur = date_to_days(&stays[i].entry);
		int64_t end = stays[i].open ? on_d : date_to_days(&stays[i].exit);
		while (cur <= end) {
			int64_t next = INT64_MAX, skip = cur - 1;
			for (size_t j = 0; j < n_au; j++) {
				if (!auth_is_permit(&au[j]))
					continue;
				if (au[j].from_d <= cur && au[j].to_d >= cur && au[j].to_d > skip)
					skip = au[j].to_d;
				else if (au[j].from_d > cur && au[j].from_d < next)
					next = au[j].from_d;
			}
			if (skip >= cur) { /* cur is under a permit: jump past it */
				cur = skip + 1;
				continue;
			}
			int64_t last = next <= end ? next - 1 : end;
			if (date_from_days(cur, &out[k].entry) || date_from_days(last, &out[k].exit))
				break;
			out[k].open = stays[i].open && last == end;
			k++;
			cur = last + 1;
		}
	}
	return k;
}

/* Days of presence in from_d..to_d (stays in time order; a day counts once). */
static int64_t presence_in(const struct stay *stays, size_t n, int64_t on_d, int64_t from_d,
			   int64_t to_d)
{
	int64_t used = 0, done = from_d - 1;
	for (size_t i = 0; i < n; i++) {
		int64_t a = date_to_days(&stays[i].entry);
		int64_t b = stays[i].open ? on_d : date_to_days(&stays[i].exit);
		if (a <= done)
			a = done + 1;
		if (b > to_d)
			b = to_d;
		if (a <= b) {
			used += b - a + 1;
			done = b;
		}
	}
	return used;
}

/* What the overstayers list needs of a status. */
struct status_info {
	int64_t days_used;  /* against the limit of the day */
	int64_t over;       /* days above it (0 under a permit) */
	bool present;
};

static const char *auth_kind_text(const char *kind)
{
	return !strcmp(kind, "residence_permit") ? "residence permit" :
	       !strcmp(kind, "long_stay_visa") ? "long-stay visa" : "visa";
}

/*
 * The stay status on `on` from crossings up to the end of that day: the 90/180 count over the
 * days no residence permit or long-stay visa covers; on a day a permit covers, the permit's
 * status; on a day a short-stay visa covers, the visa's days over its validity.
 */
static enum mmis_err status_of_ids(struct store *s, const char *const *ids, size_t n_ids,
				   const struct xing *x, size_t n_x, const struct date *on,
				   json_t **out, struct status_info *info, struct mmis_error *err)
{
	struct stay *stays = NULL, *cut = NULL;
	struct stay_result res;
	struct authorisation *au = NULL;
	const struct authorisation *best = NULL;
	int64_t end_ms = (date_to_days(on) + 1) * DAY_MS, on_d = date_to_days(on);
	int64_t used, limit = BORDER_STAY_LIMIT_DAYS;
	size_t k = 0, n, n_au = 0, n_cut = 0;
	char summary[160], until[DATE_STR_MAX], from_s[DATE_STR_MAX];
	bool present;
	enum mmis_err rc;
	json_t *o = NULL;

	*out = NULL;
	while (k < n_x && x[k].at_ms < end_ms)
		k++;
	if ((rc = load_authorisations(s, ids, n_ids, on, &au, &n_au, err)))
		return rc;
	if (!(stays = calloc(k + 1, sizeof(*stays))) ||
	    !(cut = calloc((k + 1) * (n_au + 1), sizeof(*cut)))) {
		rc = border_oom(err);
		goto done;
	}
	n = border_pair_stays(x, k, stays);
	present = n && stays[n - 1].open;
	n_cut = cut_permit_days(stays, n, on_d, au, n_au, cut);
	if ((rc = stay_calc(cut, n_cut, on, BORDER_STAY_LIMIT_DAYS, BORDER_STAY_WINDOW_DAYS, &res,
			    err)))
		goto done;
	used = res.days_used;
	/* The authorisation of the day: a permit before a visa, then the one valid longest. */
	for (size_t i = 0; i < n_au; i++) {
		if (au[i].from_d > on_d || au[i].to_d < on_d)
			continue;
		if (!best || (auth_is_permit(&au[i]) && !auth_is_permit(best)) ||
		    (auth_is_permit(&au[i]) == auth_is_permit(best) && au[i].to_d > best->to_d))
			best = &au[i];
	}
	if (!(o = stay_result_json(&res))) {
		rc = border_oom(err);
		goto done;
	}
	json_object_set_new(o, "present", json_boolean(present));
	if (best) {
		date_format(&best->to, until);
		date_format(&best->from, from_s);
		json_object_set_new(o, "basis", json_string(best->kind));
		json_object_set_new(o, "authorisation",
				    json_pack("{s:s, s:s?, s:s, s:s, s:o}", "kind", best->kind,
					      "number", best->number[0] ? best->number : NULL,
					      "valid_from", from_s, "valid_to", until,
					      "days_allowed", best->days_allowed > 0 ?
					      json_integer(best->days_allowed) : json_null()));
	}
	if (best && auth_is_permit(best)) {
		/* Under a permit the 90/180 days do not make an overstay. */
		json_object_set_new(o, "limit", json_null());
		json_object_set_new(o, "overstay_days", json_integer(0));
		json_object_set_new(o, "may_stay_until", json_string(until));
		snprintf(summary, sizeof(summary), "%s valid until %s", auth_kind_text(best->kind),
			 until);
		limit = -1;
	} else if (best) {
		/* A visa: its own days, counted over its validity up to the day. */
		int64_t before, more;
		limit = best->days_allowed > 0 ? best->days_allowed : best->to_d - best->from_d + 1;
		used = presence_in(cut, n_cut, on_d, best->from_d, on_d);
		before = presence_in(cut, n_cut, on_d, best->from_d, on_d - 1);
		more = limit - before; /* days from `on` on, if present every day */
		json_object_set_new(o, "limit", json_integer(limit));
		json_object_set_new(o, "counted_from", json_string(from_s));
		json_object_set_new(o, "days_used", json_integer(used));
		json_object_set_new(o, "days_remaining", json_integer(used < limit ? limit - used : 0));
		json_object_set_new(o, "overstay_days", json_integer(used > limit ? used - limit : 0));
		if (more >= 1) {
			struct date last;
			char ls[DATE_STR_MAX];
			int64_t last_d = on_d + more - 1 < best->to_d ? on_d + more - 1 : best->to_d;
			if (date_from_days(last_d, &last))
				json_object_set_new(o, "may_stay_until", json_null());
			else {
				date_format(&last, ls);
				json_object_set_new(o, "may_stay_until", json_string(ls));
			}
		} else {
			json_object_set_new(o, "may_stay_until", json_null());
		}
		snprintf(summary, sizeof(summary), "visa valid until %s: %lld of %lld days used",
			 until, (long long)used, (long long)limit);
	} else {
		json_object_set_new(o, "basis", json_string("90/180"));
		json_object_set_new(o, "limit", json_integer(BORDER_STAY_LIMIT_DAYS));
		snprintf(summary, sizeof(summary), "90/180: %lld of %d days used in the last %d",
			 (long long)used, BORDER_STAY_LIMIT_DAYS, BORDER_STAY_WINDOW_DAYS);
	}
	json_object_set_new(o, "summary", json_string(summary));
	if (info) {
		info->days_used = used;
		info->over = limit >= 0 && used > limit ? used - limit : 0;
		info->present = present;
	}
	*out = o;
done:
	free(stays);
	free(cut);
	free(au);
	return rc;
}

static enum mmis_err status_of(struct store *s, const char *person_id, const struct xing *x,
			       size_t n_x, const struct date *on, json_t **out,
			       struct status_info *info, struct mmis_error *err)
{
	return status_of_ids(s, &person_id, 1, x, n_x, on, out, info, err);
}

static json_t *flags_json(const char *flags)
{
	json_t *arr = json_array();
	const char *p = flags;
	while (arr && p && *p) {
		size_t n = strcspn(p, ",");
		if (n)
			json_array_append_new(arr, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return arr;
}

static json_t *person_json_t(const char *id, const struct traveller *t)
{
	char birth[DATE_STR_MAX];
	if (t->birth_known)
		date_format(&t->birth, birth);
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o}", "id", id, "surname", t->surname,
			 "given_names", t->given_names, "surname_typed", text_or_null(t->surname_typed),
			 "given_names_typed", text_or_null(t->given_typed), "sex", t->sex,
			 "birth_date", t->birth_known ? json_string(birth) : json_null(),
			 "nationality", text_or_null(t->nationality));
}

static json_t *document_json_t(const char *id, const struct traveller *t)
{
	char e[DATE_STR_MAX];
	if (t->expiry_known)
		date_format(&t->expiry, e);
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", id, "type", t->doc_type, "issuing_state",
			 t->issuing_state, "number", t->number, "expiry_date",
			 t->expiry_known ? json_string(e) : json_null());
}

static void add_flag(char *flags, size_t cap, const char *flag)
{
	size_t n = strlen(flags);
	snprintf(flags + n, cap - n, "%s%s", n ? "," : "", flag);
}

/* Screen the traveller of a crossing just saved against the alert lists (screen.h): the hits
 * are saved with the crossing, in its transaction. */
static enum mmis_err screen_traveller(const struct mmis_ctx *cx, const struct actor *a,
				      const struct traveller *t, const char *crossing_id,
				      const struct resolved *r, json_t **hits, json_t **info,
				      struct mmis_error *err)
{
	char doc_form[2 * BORDER_TEXT_MAX + 2], typed[2 * BORDER_TEXT_MAX + 2],
		birth[DATE_STR_MAX];
	struct screen_subject subj = {
		.crossing_id = crossing_id,
		.person_id = r->person_id,
		.document_id = r->document_id,
		.names = { doc_form, NULL },
		.birth_date = t->birth_known ? birth : NULL,
		.nationality = nz(t->nationality),
		.sex = t->sex,
		.document_number = t->number,
	};

	border_full_name(doc_form, sizeof(doc_form), t->given_names, t->surname);
	if (t->surname_typed[0]) {
		border_full_name(typed, sizeof(typed), t->given_typed, t->surname_typed);
		subj.names[1] = typed;
	}
	if (t->birth_known)
		date_format(&t->birth, birth);
	return screen_crossing(cx, a, &subj, hits, info, err);
}

enum mmis_err crossing_record(const struct mmis_ctx *cx, const struct actor *a,
			      const struct crossing_in *in, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct traveller t;
	struct resolved r;
	struct xing *x = NULL;
	size_t n_x = 0;
	char bname[BORDER_TEXT_MAX + 1], id[UUID_STR_MAX], at[TIMESTAMP_STR_MAX],
		now_s[TIMESTAMP_STR_MAX], flags[128] = "";
	json_t *warnings = NULL, *status = NULL, *res = NULL, *hits = NULL, *screening = NULL;
	int64_t now = timestamp_now(), at_ms;
	struct date day;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "crossing.create", "crossing", err)))
		return rc;
	at_ms = in->at_ms ? in->at_ms : now;
	timestamp_date(at_ms, &day);
	if (actor_scope(a, PERM_BORDER_WRITE) == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_WRITE);
	else if (in->direction != CROSSING_ENTRY && in->direction != CROSSING_EXIT)
		rc = mmis_error_set(err, MMIS_EINVAL, "direction", "direction is entry or exit");
	else if (at_ms > now + BORDER_CLOCK_SKEW_MS)
		rc = mmis_error_set(err, MMIS_EINVAL, "time",
				    "the crossing's time is in the future (more than %d minutes "
				    "ahead of the server's clock)", BORDER_CLOCK_SKEW_MS / 60000);
	else if (!(rc = border_code_check(border_transport_codes, in->transport, "transport", err)))
		rc = border_code_check(border_purpose_codes, in->purpose, "purpose", err);
	if (!rc)
		rc = bcp_name(cx->store, in->bcp, bname, sizeof(bname), err);
	if (!rc)
		rc = border_traveller(in, &t, err);
	if (!rc)
		rc = resolve(cx, a, in, &t, &r, err);
	if (!rc && !r.new_person)
		rc = load_crossings(cx->store, r.person_id, &x, &n_x, err);
	if (!rc && !(warnings = json_array()))
		rc = border_oom(err);
	if (!rc) {
		/* Where the new crossing falls among the person's others. */
		size_t pos = 0;
		while (pos < n_x && x[pos].at_ms <= at_ms)
			pos++;
		bool prev_entry = pos > 0 && !x[pos - 1].exit;
		if (in->direction == CROSSING_EXIT && n_x && !x[n_x - 1].exit &&
		    x[n_x - 1].at_ms > at_ms) {
			char e[TIMESTAMP_STR_MAX];
			timestamp_format(x[n_x - 1].at_ms, e);
			timestamp_format(at_ms, at);
			rc = mmis_error_set(err, MMIS_EINVAL, "time",
					    "the exit at %s is before the entry at %s that it would "
					    "close", at, e);
		} else if (in->direction == CROSSING_EXIT && !prev_entry) {
			add_flag(flags, sizeof(flags), "exit_without_entry");
			json_array_append_new(warnings, json_string("no entry is recorded before this "
								    "exit: recorded and flagged"));
		} else if (in->direction == CROSSING_ENTRY && prev_entry) {
			add_flag(flags, sizeof(flags), "entry_without_exit");
			json_array_append_new(warnings, json_string("the traveller's previous entry has "
								    "no exit: recorded and flagged"));
		}
		if (!rc && t.expiry_known && date_cmp(&t.expiry, &day) < 0) {
			char e[DATE_STR_MAX], msg[96];
			date_format(&t.expiry, e);
			snprintf(msg, sizeof(msg), "the document expired on %s", e);
			add_flag(flags, sizeof(flags), "document_expired");
			json_array_append_new(warnings, json_string(msg));
		}
		if (!rc) {
			struct xing *nx = realloc(x, (n_x + 1) * sizeof(*x));
			if (!nx) {
				rc = border_oom(err);
			} else {
				x = nx;
				memmove(x + pos + 1, x + pos, (n_x - pos) * sizeof(*x));
				x[pos].at_ms = at_ms;
				x[pos].exit = in->direction == CROSSING_EXIT;
				n_x++;
			}
		}
	}
	if (!rc) {
		struct store_stmt *st;
		uuid7_new_str(id);
		timestamp_format(at_ms, at);
		timestamp_format(now, now_s);
		border_copy(op.object_id, sizeof(op.object_id), id);
		audited_detail(&op, "%s at %s, person %s%s%s", in->direction == CROSSING_EXIT ? "exit" : "entry",
			   in->bcp, r.person_id, flags[0] ? ", " : "", flags);
		if (!(rc = store_prepare(cx->store, "INSERT INTO crossing (id, person_id, document_id, "
					 "bcp_code, direction, at, transport, purpose, flags, "
					 "officer_id, agency_id, created_at) "
					 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, err))) {
			store_bind_text(st, 1, id);
			store_bind_text(st, 2, r.person_id);
			store_bind_text(st, 3, r.document_id);
			store_bind_text(st, 4, in->bcp);
			store_bind_text(st, 5, in->direction == CROSSING_EXIT ? "exit" : "entry");
			store_bind_text(st, 6, at);
			store_bind_text(st, 7, nz(in->transport));
			store_bind_text(st, 8, nz(in->purpose));
			store_bind_text(st, 9, flags);
			store_bind_text(st, 10, nz(a->user_id));
			store_bind_text(st, 11, nz(a->agency_id));
			store_bind_text(st, 12, now_s);
			rc = store_run(st, err);
			store_finalize(st);
		}
	}
	if (!rc) {
		/* Counted in the statistics' roll-ups in the same transaction (lib/stats). */
		struct stats_crossing_facts sf = { at_ms, in->bcp, in->direction == CROSSING_EXIT,
						   r.who.nationality, r.who.sex,
						   r.who.birth[0] ? r.who.birth : NULL, in->transport };
		rc = stats_rollup_crossing(cx->store, &sf, 1, err);
	}
	if (!rc)
		rc = screen_traveller(cx, a, &t, id, &r, &hits, &screening, err);
	if (!rc && json_array_size(hits))
		audited_detail(&op, "%s at %s, person %s%s%s, %zu alert-list hit%s",
			       in->direction == CROSSING_EXIT ? "exit" : "entry", in->bcp, r.person_id,
			       flags[0] ? ", " : "", flags, json_array_size(hits),
			       json_array_size(hits) == 1 ? "" : "s");
	if (!rc)
		rc = status_of(cx->store, r.person_id, x, n_x, &day, &status, NULL, err);
	if (!rc) {
		json_t *person = person_json_t(r.person_id, &t);
		res = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}, s:o, s:o, "
				"s:o, s:O, s:o, s:b}",
				"crossing", "id", id, "person_id", r.person_id, "document_id",
				r.document_id, "bcp", in->bcp, "direction",
				in->direction == CROSSING_EXIT ? "exit" : "entry", "time", at,
				"transport", text_or_null(in->transport), "purpose",
				text_or_null(in->purpose), "flags", flags_json(flags), "officer_id",
				text_or_null(a->user_id), "agency_id", text_or_null(a->agency_id),
				"person", person, "document", document_json_t(r.document_id, &t),
				"status", status, "warnings", warnings, "flags", flags_json(flags),
				"new_person", r.new_person);
		status = NULL;
		if (res && (json_object_set_new(res, "hits", hits) ||
			    json_object_set_new(res, "screening", screening)))
			rc = border_oom(err);
		hits = screening = NULL;
		if (!res)
			rc = border_oom(err);
	}
	free(x);
	json_decref(status);
	json_decref(warnings);
	json_decref(hits);
	json_decref(screening);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}

/* ---- refusals */

enum mmis_err refusal_record(const struct mmis_ctx *cx, const struct actor *a,
			     const struct refusal_in *in, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct traveller t;
	struct resolved r;
	char bname[BORDER_TEXT_MAX + 1], id[UUID_STR_MAX], at[TIMESTAMP_STR_MAX],
		now_s[TIMESTAMP_STR_MAX], gr[32] = "";
	json_t *res = NULL, *garr = NULL, *warnings = NULL;
	int64_t now = timestamp_now(), at_ms;
	struct date day;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "refusal.create", "refusal", err)))
		return rc;
	at_ms = in->who.at_ms ? in->who.at_ms : now;
	timestamp_date(at_ms, &day);
	if (actor_scope(a, PERM_BORDER_WRITE) == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_WRITE);
	else if (at_ms > now + BORDER_CLOCK_SKEW_MS)
		rc = mmis_error_set(err, MMIS_EINVAL, "time", "the refusal's time is in the future");
	else if (!border_text_ok(in->note, BORDER_NOTE_MAX))
		rc = mmis_error_set(err, MMIS_EINVAL, "note", "at most %d printable bytes",
				    BORDER_NOTE_MAX);
	else if (!(garr = json_array()) || !(warnings = json_array()))
		rc = border_oom(err);
	for (const char *p = in->grounds ? in->grounds : ""; !rc && *p; p++) {
		if (*p == ',' || *p == ' ')
			continue;
		const struct refusal_ground *g = refusal_ground_find(*p);
		if (!g)
			rc = mmis_error_set(err, MMIS_EINVAL, "grounds",
					    "'%c' is not a ground of refusal (A to I)", *p);
		else if (!strchr(gr, *p)) {
			add_flag(gr, sizeof(gr), (char[]){ *p, 0 });
			json_array_append_new(garr, json_pack("{s:s%, s:s}", "letter", p, (size_t)1,
							      "text", g->text));
		}
	}
	if (!rc && !gr[0])
		rc = mmis_error_set(err, MMIS_EINVAL, "grounds", "at least one ground (A to I)");
	if (!rc)
		rc = bcp_name(cx->store, in->who.bcp, bname, sizeof(bname), err);
	if (!rc)
		rc = border_traveller(&in->who, &t, err);
	if (!rc)
		rc = resolve(cx, a, &in->who, &t, &r, err);
	if (!rc) {
		struct store_stmt *st;
		uuid7_new_str(id);
		timestamp_format(at_ms, at);
		timestamp_format(now, now_s);
		border_copy(op.object_id, sizeof(op.object_id), id);
		audited_detail(&op, "grounds %s at %s, person %s", gr, in->who.bcp, r.person_id);
		if (t.expiry_known && date_cmp(&t.expiry, &day) < 0)
			json_array_append_new(warnings, json_string("the document has expired"));
		if (!(rc = store_prepare(cx->store, "INSERT INTO refusal (id, person_id, document_id, "
					 "bcp_code, at, grounds, note, officer_id, agency_id, "
					 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st,
					 err))) {
			store_bind_text(st, 1, id);
			store_bind_text(st, 2, r.person_id);
			store_bind_text(st, 3, r.document_id);
			store_bind_text(st, 4, in->who.bcp);
			store_bind_text(st, 5, at);
			store_bind_text(st, 6, gr);
			store_bind_text(st, 7, nz(in->note));
			store_bind_text(st, 8, nz(a->user_id));
			store_bind_text(st, 9, nz(a->agency_id));
			store_bind_text(st, 10, now_s);
			rc = store_run(st, err);
			store_finalize(st);
		}
		for (const char *p = gr; !rc && *p; p++) {
			if (*p == ',')
				continue;
			if (!(rc = store_prepare(cx->store, "INSERT INTO refusal_ground (refusal_id, "
						 "ground) VALUES (?, ?)", &st, err))) {
				char g[2] = { *p, 0 };
				store_bind_text(st, 1, id);
				store_bind_text(st, 2, g);
				rc = store_run(st, err);
				store_finalize(st);
			}
		}
	}
	if (!rc) {
		res = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:o, s:o}, s:o, s:o, s:O}",
				"refusal", "id", id, "person_id", r.person_id, "document_id",
				r.document_id, "bcp", in->who.bcp, "time", at, "grounds", garr, "note",
				text_or_null(in->note), "officer_id", text_or_null(a->user_id),
				"agency_id", text_or_null(a->agency_id), "person",
				person_json_t(r.person_id, &t), "document",
				document_json_t(r.document_id, &t), "warnings", warnings);
		if (!res)
			rc = border_oom(err);
	}
	json_decref(garr);
	json_decref(warnings);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}

/* The grounds "A,C" as [{letter, text}]. */
static json_t *grounds_json(const char *gr)
{
	json_t *arr = json_array();
	for (const char *p = gr ? gr : ""; arr && *p; p++) {
		const struct refusal_ground *g = refusal_ground_find(*p);
		if (g)
			json_array_append_new(arr, json_pack("{s:s%, s:s}", "letter", p, (size_t)1,
							     "text", g->text));
	}
	return arr;
}

/* WHERE clause narrowing rows with agency_id and officer_id columns to the actor's scope. */
static void bind_scope(struct store_stmt *st, int first, enum scope sc, const struct actor *a)
{
	store_bind_bool(st, first, sc == SCOPE_ALL);
	store_bind_text(st, first + 1, sc == SCOPE_AGENCY ? a->agency_id : "");
	store_bind_text(st, first + 2, sc == SCOPE_OWN ? a->user_id : "");
}

#define REFUSAL_SELECT                                                                          \
	"SELECT r.id, r.person_id, r.document_id, r.bcp_code, r.at, r.grounds, r.note, "        \
	"r.officer_id, r.agency_id, p.surname, p.given_names, p.nationality FROM refusal r "     \
	"JOIN person p ON p.id = r.person_id "

static json_t *refusal_row_json(struct store_stmt *st)
{
	return json_pack("{s:s?, s:s?, s:o, s:s?, s:s?, s:o, s:o, s:o, s:o, s:s?, s:s?, s:o}",
			 "id", store_column_text(st, 0), "person_id", store_column_text(st, 1),
			 "document_id", text_or_null(store_column_text(st, 2)), "bcp",
			 store_column_text(st, 3), "time", store_column_text(st, 4), "grounds",
			 grounds_json(store_column_text(st, 5)), "note",
			 text_or_null(store_column_text(st, 6)), "officer_id",
			 text_or_null(store_column_text(st, 7)), "agency_id",
			 text_or_null(store_column_text(st, 8)), "surname", store_column_text(st, 9),
			 "given_names", store_column_text(st, 10), "nationality",
			 text_or_null(store_column_text(st, 11)));
}

enum mmis_err refusal_list(const struct mmis_ctx *cx, const struct actor *a, int64_t from_ms,
			   int64_t to_ms, int limit, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st;
	char from[TIMESTAMP_STR_MAX], to[TIMESTAMP_STR_MAX];
	json_t *arr = NULL;
	enum scope sc;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "refusal.list", "refusal", err)))
		return rc;
	if (limit <= 0 || limit > 10000)
		limit = 1000;
	timestamp_format(from_ms > 0 ? from_ms : 0, from);
	timestamp_format(to_ms > 0 ? to_ms : 253402300799999LL, to);
	sc = actor_scope(a, PERM_BORDER_READ);
	if (sc == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_READ);
	else if (!(arr = json_array()))
		rc = border_oom(err);
	else if (!(rc = store_prepare(cx->store, REFUSAL_SELECT "WHERE r.at >= ? AND r.at < ? AND "
				      "(? OR r.agency_id = ? OR r.officer_id = ?) "
				      "ORDER BY r.at DESC, r.id DESC LIMIT ?", &st, err))) {
		store_bind_text(st, 1, from);
		store_bind_text(st, 2, to);
		bind_scope(st, 3, sc, a);
		store_bind_int64(st, 6, limit);
		while (!(rc = store_step(st, &row, err)) && row) {
			json_t *o = refusal_row_json(st);
			if (!o || json_array_append_new(arr, o)) {
				rc = border_oom(err);
				break;
			}
		}
		store_finalize(st);
		audited_detail(&op, "%zu refusals from %s to %s", json_array_size(arr), from, to);
	}
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

/* ---- travellers */

/* Whether the actor may read this person: scope all, or a record of the actor's agency (or
 * own, for an own scope) about them. */
#define PERSON_VISIBLE                                                                          \
	"(? OR p.agency_id = ? OR p.created_by = ? "                                            \
	"OR EXISTS (SELECT 1 FROM crossing c WHERE c.person_id = p.id AND "                     \
	"(c.agency_id = ? OR c.officer_id = ?)) "                                               \
	"OR EXISTS (SELECT 1 FROM refusal f WHERE f.person_id = p.id AND "                      \
	"(f.agency_id = ? OR f.officer_id = ?)))"

static void bind_visible(struct store_stmt *st, int first, enum scope sc, const struct actor *a)
{
	const char *ag = sc == SCOPE_AGENCY ? a->agency_id : "";
	const char *me = sc == SCOPE_OWN ? a->user_id : "";
	if (!*ag)
		ag = "-"; /* never matches a NULL or real id */
	if (!*me)
		me = "-";
	store_bind_bool(st, first, sc == SCOPE_ALL);
	store_bind_text(st, first + 1, ag);
	store_bind_text(st, first + 2, me);
	store_bind_text(st, first + 3, ag);
	store_bind_text(st, first + 4, me);
	store_bind_text(st, first + 5, ag);
	store_bind_text(st, first + 6, me);
}

static json_t *person_row_json(struct store_stmt *st, int c)
{
	return json_pack("{s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:o, s:o, s:s?}", "id",
			 store_column_text(st, c), "surname", store_column_text(st, c + 1),
			 "given_names", store_column_text(st, c + 2), "surname_typed",
			 text_or_null(store_column_text(st, c + 3)), "given_names_typed",
			 text_or_null(store_column_text(st, c + 4)), "sex",
			 store_column_text(st, c + 5), "birth_date",
			 text_or_null(store_column_text(st, c + 6)), "nationality",
			 text_or_null(store_column_text(st, c + 7)), "created_at",
			 store_column_text(st, c + 8));
}

#define PERSON_COLS                                                                             \
	"p.id, p.surname, p.given_names, p.surname_typed, p.given_names_typed, p.sex, "         \
	"p.birth_date, p.nationality, p.created_at"

static enum mmis_err documents_of(struct store *s, const char *person_id, json_t **out,
				  struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;
	json_t *arr = json_array();

	*out = NULL;
	if (!arr)
		return border_oom(err);
	if ((rc = store_prepare(s, "SELECT id, doc_type, issuing_state, number, expiry_date FROM "
				"travel_document WHERE person_id = ? ORDER BY created_at, id", &st,
				err))) {
		json_decref(arr);
		return rc;
	}
	store_bind_text(st, 1, person_id);
	while (!(rc = store_step(st, &row, err)) && row)
		json_array_append_new(arr, json_pack("{s:s?, s:s?, s:s?, s:s?, s:o}", "id",
						     store_column_text(st, 0), "type",
						     store_column_text(st, 1), "issuing_state",
						     store_column_text(st, 2), "number",
						     store_column_text(st, 3), "expiry_date",
						     text_or_null(store_column_text(st, 4))));
	store_finalize(st);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

struct row_maker {
	json_t *(*fn)(struct store_stmt *);
};

static json_t *make_row(struct store_stmt *st, void *maker)
{
	return ((const struct row_maker *)maker)->fn(st);
}

/* Rows of `sql` (one text parameter) made into JSON by `row_fn`. */
static enum mmis_err json_rows(struct store *s, const char *sql, const char *param,
			       json_t *(*row_fn)(struct store_stmt *), json_t **out,
			       struct mmis_error *err)
{
	struct row_maker maker = { row_fn };

	return store_rows_json(s, sql, &param, 1, make_row, &maker, false, out, err);
}

static json_t *crossing_row_json(struct store_stmt *st)
{
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:o, s:o}", "id",
			 store_column_text(st, 0), "document_id", store_column_text(st, 1), "bcp",
			 store_column_text(st, 2), "direction", store_column_text(st, 3), "time",
			 store_column_text(st, 4), "transport",
			 text_or_null(store_column_text(st, 5)), "purpose",
			 text_or_null(store_column_text(st, 6)), "flags",
			 flags_json(store_column_text(st, 7)), "officer_id",
			 text_or_null(store_column_text(st, 8)), "agency_id",
			 text_or_null(store_column_text(st, 9)));
}

/* A record merged into a person (dedup.h): the person's columns and when it was merged. */
static json_t *merged_row_json(struct store_stmt *st)
{
	json_t *o = person_row_json(st, 0);
	if (o)
		json_object_set_new(o, "merged_at", text_or_null(store_column_text(st, 9)));
	return o;
}

static json_t *authorisation_row_json(struct store_stmt *st)
{
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:o, s:s?}", "id", store_column_text(st, 0),
			 "kind", store_column_text(st, 1), "valid_from", store_column_text(st, 2),
			 "valid_to", store_column_text(st, 3), "days_allowed",
			 store_column_is_null(st, 4) ? json_null()
						     : json_integer(store_column_int64(st, 4)),
			 "number", store_column_text(st, 5));
}

enum mmis_err person_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			 json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st;
	json_t *p = NULL, *docs = NULL, *xs = NULL, *refs = NULL, *auths = NULL, *status = NULL;
	json_t *merged = NULL;
	char into[UUID_STR_MAX] = "";
	struct xing *x = NULL;
	size_t n_x = 0;
	struct date today;
	enum scope sc;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "person.read", "person", err)))
		return rc;
	sc = actor_scope(a, PERM_BORDER_READ);
	if (uuid_valid(id))
		border_copy(op.object_id, sizeof(op.object_id), id);
	if (sc == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_READ);
	else if (!uuid_valid(id))
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such person");
	else if (!(rc = store_prepare(cx->store, "SELECT " PERSON_COLS ", p.merged_into FROM "
				      "person p WHERE p.id = ? AND " PERSON_VISIBLE, &st, err))) {
		store_bind_text(st, 1, id);
		bind_visible(st, 2, sc, a);
		if (!(rc = store_step(st, &row, err)) && row && !(p = person_row_json(st, 0)))
			rc = border_oom(err);
		if (!rc && row)
			border_copy(into, sizeof(into), store_column_text(st, 9));
		store_finalize(st);
		if (!rc && !row)
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such person");
	}
	/* Merges (dedup.h): whom this record was merged into, and the records merged into it, which
	 * stay readable as the person's other names. */
	if (!rc) {
		json_object_set_new(p, "merged_into", text_or_null(into));
		rc = json_rows(cx->store, "SELECT " PERSON_COLS ", p.merged_at FROM person p WHERE "
			       "p.merged_into = ? ORDER BY p.merged_at, p.id", id, merged_row_json,
			       &merged, err);
		if (!rc)
			json_object_set_new(p, "merged_records", merged);
	}
	if (!rc)
		rc = documents_of(cx->store, id, &docs, err);
	if (!rc)
		rc = json_rows(cx->store, "SELECT id, document_id, bcp_code, direction, at, transport, "
			       "purpose, flags, officer_id, agency_id FROM crossing WHERE "
			       "person_id = ? ORDER BY at DESC, id DESC LIMIT 500", id,
			       crossing_row_json, &xs, err);
	if (!rc)
		rc = json_rows(cx->store, REFUSAL_SELECT "WHERE r.person_id = ? ORDER BY r.at DESC", id,
			       refusal_row_json, &refs, err);
	if (!rc)
		rc = json_rows(cx->store, "SELECT id, kind, valid_from, valid_to, days_allowed, number "
			       "FROM stay_authorisation WHERE person_id = ? ORDER BY valid_from", id,
			       authorisation_row_json, &auths, err);
	if (!rc)
		rc = load_crossings(cx->store, id, &x, &n_x, err);
	if (!rc) {
		date_today(&today);
		rc = status_of(cx->store, id, x, n_x, &today, &status, NULL, err);
	}
	if (!rc) {
		json_object_set_new(p, "documents", docs);
		json_object_set_new(p, "crossings", xs);
		json_object_set_new(p, "refusals", refs);
		json_object_set_new(p, "stay_authorisations", auths);
		json_object_set_new(p, "status", status);
		docs = xs = refs = auths = status = NULL;
		audited_detail(&op, "%zu crossings", n_x);
	}
	free(x);
	json_decref(docs);
	json_decref(xs);
	json_decref(refs);
	json_decref(auths);
	json_decref(status);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(p);
	else
		*out = p;
	return rc;
}

enum mmis_err person_find(const struct mmis_ctx *cx, const struct actor *a,
			  const char *document_number, const char *issuing_state, json_t **out,
			  struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st;
	char num[32], state[4] = "";
	json_t *arr = NULL;
	enum scope sc;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "person.search", "person", err)))
		return rc;
	sc = actor_scope(a, PERM_BORDER_READ);
	if (sc == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_READ);
	else if (!(rc = border_doc_number_norm(document_number, num, err)) && issuing_state &&
		 *issuing_state)
		rc = border_country_norm(issuing_state, "issuing_state", state, err);
	if (!rc && !(arr = json_array()))
		rc = border_oom(err);
	if (!rc && !(rc = store_prepare(cx->store, "SELECT DISTINCT " PERSON_COLS " FROM person p "
					"JOIN travel_document d ON d.person_id = p.id WHERE "
					"d.number = ? AND (? = '' OR d.issuing_state = ?) AND "
					PERSON_VISIBLE " ORDER BY p.id", &st, err))) {
		store_bind_text(st, 1, num);
		store_bind_text(st, 2, state);
		store_bind_text(st, 3, state);
		bind_visible(st, 4, sc, a);
		while (!(rc = store_step(st, &row, err)) && row) {
			json_t *o = person_row_json(st, 0);
			if (!o || json_array_append_new(arr, o)) {
				rc = border_oom(err);
				break;
			}
		}
		store_finalize(st);
		for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
			json_t *o = json_array_get(arr, i), *docs = NULL;
			if (!(rc = documents_of(cx->store, json_string_value(json_object_get(o, "id")),
						&docs, err)))
				json_object_set_new(o, "documents", docs);
		}
		audited_detail(&op, "document %s%s%s: %zu persons", state, state[0] ? " " : "", num,
			   json_array_size(arr));
	}
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

static int xing_cmp(const void *p, const void *q)
{
	const struct xing *x = p, *y = q;
	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return (int)x->exit - (int)y->exit;
}

enum mmis_err border_status_together(const struct mmis_ctx *cx, const struct actor *a,
				     const char *const *ids, size_t n, json_t **out,
				     struct mmis_error *err)
{
	struct mmis_error local;
	struct xing *all = NULL;
	size_t n_all = 0;
	struct date today;
	enum scope sc;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "person.status", "person", err)))
		return rc;
	sc = actor_scope(a, PERM_BORDER_READ);
	if (sc == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_READ);
	else if (!n || n > BORDER_TOGETHER_MAX)
		rc = mmis_error_set(err, MMIS_EINVAL, "ids", "1 to %d persons", BORDER_TOGETHER_MAX);
	for (size_t i = 0; !rc && i < n; i++) {
		struct store_stmt *st;
		struct xing *x = NULL, *grown;
		size_t n_x = 0;
		bool row = false;
		if (!uuid_valid(ids[i])) {
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such person");
			break;
		}
		if ((rc = store_prepare(cx->store, "SELECT 1 FROM person p WHERE p.id = ? AND "
					PERSON_VISIBLE, &st, err)))
			break;
		store_bind_text(st, 1, ids[i]);
		bind_visible(st, 2, sc, a);
		rc = store_step(st, &row, err);
		store_finalize(st);
		if (!rc && !row)
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such person");
		if (!rc)
			rc = load_crossings(cx->store, ids[i], &x, &n_x, err);
		if (!rc && n_x) {
			if (!(grown = realloc(all, (n_all + n_x) * sizeof(*all)))) {
				rc = border_oom(err);
			} else {
				all = grown;
				memcpy(all + n_all, x, n_x * sizeof(*x));
				n_all += n_x;
			}
		}
		free(x);
	}
	if (!rc) {
		/* One traveller's crossings, in time order, whichever record holds them. */
		if (n_all)
			qsort(all, n_all, sizeof(*all), xing_cmp);
		date_today(&today);
		rc = status_of_ids(cx->store, ids, n, all, n_all, &today, out, NULL, err);
		audited_detail(&op, "%zu records taken together, %zu crossings", n, n_all);
	}
	free(all);
	rc = audited_end(&op, rc, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

enum mmis_err stay_authorisation_add(const struct mmis_ctx *cx, const struct actor *a,
				     const char *person_id, const char *kind,
				     const struct date *from, const struct date *to,
				     int days_allowed, const char *number,
				     char id_out[UUID_STR_MAX], struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st;
	char id[UUID_STR_MAX], f[DATE_STR_MAX], t[DATE_STR_MAX], now[TIMESTAMP_STR_MAX];
	char num[32] = "", cur[UUID_STR_MAX] = "";
	struct mmis_error le;
	size_t ki = 0;
	struct audited_op op;
	bool found = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "stay_authorisation.create", "stay_authorisation", err)))
		return rc;
	while (kind && stay_authorisation_kinds[ki] && strcmp(kind, stay_authorisation_kinds[ki]))
		ki++;
	if (actor_scope(a, PERM_BORDER_SUPERVISE) == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_SUPERVISE);
	else if (!kind || !stay_authorisation_kinds[ki])
		rc = mmis_error_set(err, MMIS_EINVAL, "kind", "kind is one of " STAY_AUTH_KINDS);
	else if (!from || !to || from->precision != DATE_DAY || to->precision != DATE_DAY)
		rc = mmis_error_set(err, MMIS_EINVAL, !from || from->precision != DATE_DAY ?
				    "valid_from" : "valid_to", "a full date is required");
	else if (date_cmp(from, to) > 0)
		rc = mmis_error_set(err, MMIS_EINVAL, "valid_to", "valid_from must not be after valid_to");
	else if (days_allowed < 0)
		rc = mmis_error_set(err, MMIS_EINVAL, "days_allowed", "must not be negative");
	else if (days_allowed > 0 && strcmp(kind, "visa"))
		rc = mmis_error_set(err, MMIS_EINVAL, "days_allowed", "days apply to a short-stay "
				    "visa only: a %s's whole validity counts", auth_kind_text(kind));
	else if (days_allowed > date_to_days(to) - date_to_days(from) + 1)
		rc = mmis_error_set(err, MMIS_EINVAL, "days_allowed", "%d days are more than the %lld "
				    "days the visa is valid", days_allowed,
				    (long long)(date_to_days(to) - date_to_days(from) + 1));
	else if (number && *number && border_doc_number_norm(number, num, &le))
		rc = mmis_error_set(err, MMIS_EINVAL, "number", "number: %s", le.message);
	else if (!uuid_valid(person_id))
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "person_id", "no such person");
	else if (!(rc = person_current(cx->store, person_id, cur, &found, NULL, err)) && !found)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "person_id", "no such person");
	else if (!rc && strcmp(cur, person_id))
		rc = mmis_error_set(err, MMIS_EINVAL, "person_id", "person %s was merged into %s, "
				    "who holds the records now", person_id, cur);
	if (!rc && !(rc = store_prepare(cx->store, "INSERT INTO stay_authorisation (id, person_id, "
					"kind, valid_from, valid_to, days_allowed, created_at, "
					"created_by, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &st,
					err))) {
		uuid7_new_str(id);
		date_format(from, f);
		date_format(to, t);
		timestamp_format(timestamp_now(), now);
		border_copy(op.object_id, sizeof(op.object_id), id);
		audited_detail(&op, "%s %s to %s for person %s", kind, f, t, person_id);
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, person_id);
		store_bind_text(st, 3, kind);
		store_bind_text(st, 4, f);
		store_bind_text(st, 5, t);
		if (days_allowed > 0)
			store_bind_int64(st, 6, days_allowed);
		else
			store_bind_null(st, 6);
		store_bind_text(st, 7, now);
		store_bind_text(st, 8, nz(a->user_id));
		store_bind_text(st, 9, num[0] ? num : NULL);
		rc = store_run(st, err);
		store_finalize(st);
	}
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, id, UUID_STR_MAX);
	return rc;
}

/* ---- supervision */

enum mmis_err border_overstayers(const struct mmis_ctx *cx, const struct actor *a,
				 const struct date *on_in, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st;
	struct date on;
	char end[TIMESTAMP_STR_MAX], d[DATE_STR_MAX];
	json_t *cands = NULL, *arr = NULL;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if (on_in)
		on = *on_in;
	else
		date_today(&on);
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "border.overstayers", "person", err)))
		return rc;
	timestamp_format((date_to_days(&on) + 1) * DAY_MS, end);
	date_format(&on, d);
	if (actor_scope(a, PERM_BORDER_SUPERVISE) == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_SUPERVISE);
	else if (on.precision != DATE_DAY)
		rc = mmis_error_set(err, MMIS_EINVAL, "on", "a full date");
	else if (!(cands = json_array()) || !(arr = json_array()))
		rc = border_oom(err);
	/* Present on the day: the latest crossing up to its end is an entry. */
	else if (!(rc = store_prepare(cx->store,
				      "SELECT c.person_id, c.at, c.bcp_code, d.issuing_state, d.number, "
				      "p.surname, p.given_names, p.nationality FROM crossing c "
				      "JOIN person p ON p.id = c.person_id "
				      "JOIN travel_document d ON d.id = c.document_id "
				      "WHERE c.direction = 'entry' AND c.at < ? AND NOT EXISTS "
				      "(SELECT 1 FROM crossing n WHERE n.person_id = c.person_id AND "
				      "n.at < ? AND (n.at > c.at OR (n.at = c.at AND n.id > c.id)))",
				      &st, err))) {
		store_bind_text(st, 1, end);
		store_bind_text(st, 2, end);
		while (!(rc = store_step(st, &row, err)) && row) {
			json_t *o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:o}",
					      "person_id", store_column_text(st, 0), "surname",
					      store_column_text(st, 5), "given_names",
					      store_column_text(st, 6), "document_issuing_state",
					      store_column_text(st, 3), "document_number",
					      json_string(store_column_text(st, 4)), "entered_at",
					      store_column_text(st, 1), "bcp", store_column_text(st, 2),
					      "nationality", text_or_null(store_column_text(st, 7)));
			if (!o || json_array_append_new(cands, o)) {
				rc = border_oom(err);
				break;
			}
		}
		store_finalize(st);
	}
	for (size_t i = 0; !rc && i < json_array_size(cands); i++) {
		json_t *o = json_array_get(cands, i), *status = NULL;
		const char *pid = json_string_value(json_object_get(o, "person_id"));
		struct xing *x = NULL;
		struct status_info info;
		size_t n_x = 0;
		if ((rc = load_crossings(cx->store, pid, &x, &n_x, err)))
			break;
		rc = status_of(cx->store, pid, x, n_x, &on, &status, &info, err);
		free(x);
		json_decref(status);
		if (!rc && info.over > 0) {
			json_object_set_new(o, "days_used", json_integer(info.days_used));
			json_object_set_new(o, "overstay_days", json_integer(info.over));
			json_array_append(arr, o);
		}
	}
	if (!rc) {
		/* Longest overstay first; then by name. */
		size_t n = json_array_size(arr);
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0; j--) {
				json_t *p = json_array_get(arr, j - 1), *q = json_array_get(arr, j);
				json_int_t a1 = json_integer_value(json_object_get(p, "overstay_days"));
				json_int_t a2 = json_integer_value(json_object_get(q, "overstay_days"));
				if (a1 >= a2)
					break;
				json_incref(p);
				json_array_set(arr, j - 1, q);
				json_array_set_new(arr, j, p);
			}
		audited_detail(&op, "%zu overstayers on %s", n, d);
	}
	json_decref(cands);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

enum mmis_err border_overstay_facts(struct store *s, const struct date *on, border_overstay_fn fn,
				    void *ctx, struct mmis_error *err)
{
	struct store_stmt *st;
	char end[TIMESTAMP_STR_MAX];
	json_t *cands;
	bool row = false;
	enum mmis_err rc;

	if (on->precision != DATE_DAY)
		return mmis_error_set(err, MMIS_EINVAL, "on", "a full date");
	if (!(cands = json_array()))
		return border_oom(err);
	timestamp_format((date_to_days(on) + 1) * DAY_MS, end);
	/* Present on the day: the latest crossing up to its end is an entry (as above). */
	if (!(rc = store_prepare(s, "SELECT c.person_id, c.bcp_code, p.nationality, p.sex, "
				 "p.birth_date FROM crossing c JOIN person p ON p.id = c.person_id "
				 "WHERE c.direction = 'entry' AND c.at < ? AND NOT EXISTS "
				 "(SELECT 1 FROM crossing n WHERE n.person_id = c.person_id AND "
				 "n.at < ? AND (n.at > c.at OR (n.at = c.at AND n.id > c.id)))",
				 &st, err))) {
		store_bind_text(st, 1, end);
		store_bind_text(st, 2, end);
		while (!(rc = store_step(st, &row, err)) && row)
			if (json_array_append_new(cands, json_pack("[s?, s?, s?, s?, s?]",
								   store_column_text(st, 0),
								   store_column_text(st, 1),
								   store_column_text(st, 2),
								   store_column_text(st, 3),
								   store_column_text(st, 4)))) {
				rc = border_oom(err);
				break;
			}
		store_finalize(st);
	}
	for (size_t i = 0; !rc && i < json_array_size(cands); i++) {
		json_t *o = json_array_get(cands, i), *status = NULL;
		const char *pid = json_string_value(json_array_get(o, 0));
		struct xing *x = NULL;
		struct status_info info;
		size_t n_x = 0;
		if (!pid || (rc = load_crossings(s, pid, &x, &n_x, err)))
			break;
		rc = status_of(s, pid, x, n_x, on, &status, &info, err);
		free(x);
		json_decref(status);
		if (!rc && info.over > 0)
			rc = fn(ctx, nz(json_string_value(json_array_get(o, 2))) ?
					     json_string_value(json_array_get(o, 2)) : "",
				json_string_value(json_array_get(o, 3)),
				json_string_value(json_array_get(o, 4)),
				json_string_value(json_array_get(o, 1)), err);
	}
	json_decref(cands);
	return rc;
}

/* A CSV field, quoted when it needs to be; a leading = + - @ is neutralised (CSV injection). */
static void csv_field(struct strbuf *sb, const char *s)
{
	bool quote = false;
	s = s ? s : "";
	if (strpbrk(s, ",\"\r\n") || (*s && strchr("=+-@", *s)))
		quote = true;
	if (!quote) {
		strbuf_addstr(sb, s);
		return;
	}
	strbuf_addch(sb, '"');
	if (*s && strchr("=+-@", *s))
		strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

char *border_overstayers_csv(const json_t *list, size_t *len)
{
	static const char *const cols[] = { "person_id", "surname", "given_names", "nationality",
					    "document_issuing_state", "document_number", "entered_at",
					    "bcp", "days_used", "overstay_days" };
	struct strbuf sb;
	size_t i;
	json_t *o;

	strbuf_init(&sb, 256 * 1024 * 1024);
	for (size_t c = 0; c < COUNT(cols); c++)
		strbuf_addf(&sb, "%s%s", c ? "," : "", cols[c]);
	strbuf_addstr(&sb, "\r\n");
	json_array_foreach(list, i, o) {
		for (size_t c = 0; c < COUNT(cols); c++) {
			json_t *v = json_object_get(o, cols[c]);
			if (c)
				strbuf_addch(&sb, ',');
			if (json_is_integer(v))
				strbuf_addf(&sb, "%lld", (long long)json_integer_value(v));
			else
				csv_field(&sb, json_string_value(v));
		}
		strbuf_addstr(&sb, "\r\n");
	}
	return strbuf_detach(&sb, len);
}

enum mmis_err border_summary(const struct mmis_ctx *cx, const struct actor *a,
			     const struct date *day_in, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st;
	struct date day;
	char from[TIMESTAMP_STR_MAX], to[TIMESTAMP_STR_MAX], d[DATE_STR_MAX];
	json_t *xs = NULL, *rs = NULL, *res = NULL;
	int64_t entries = 0, exits = 0, refusals = 0;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if (day_in)
		day = *day_in;
	else
		date_today(&day);
	if ((rc = border_check_ctx(cx, a, err)) ||
	    (rc = audited_begin(&op, cx, a, "border.summary", NULL, err)))
		return rc;
	timestamp_format(date_to_days(&day) * DAY_MS, from);
	timestamp_format((date_to_days(&day) + 1) * DAY_MS, to);
	date_format(&day, d);
	if (actor_scope(a, PERM_BORDER_SUPERVISE) == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_SUPERVISE);
	else if (!(xs = json_array()) || !(rs = json_array()))
		rc = border_oom(err);
	else if (!(rc = store_prepare(cx->store,
				      "SELECT c.bcp_code, b.name, "
				      "SUM(CASE WHEN c.direction = 'entry' THEN 1 ELSE 0 END), "
				      "SUM(CASE WHEN c.direction = 'exit' THEN 1 ELSE 0 END) "
				      "FROM crossing c JOIN bcp b ON b.code = c.bcp_code "
				      "WHERE c.at >= ? AND c.at < ? GROUP BY c.bcp_code, b.name "
				      "ORDER BY c.bcp_code", &st, err))) {
		store_bind_text(st, 1, from);
		store_bind_text(st, 2, to);
		while (!(rc = store_step(st, &row, err)) && row) {
			int64_t en = store_column_int64(st, 2), ex = store_column_int64(st, 3);
			entries += en;
			exits += ex;
			json_array_append_new(xs, json_pack("{s:s?, s:s?, s:I, s:I}", "bcp",
							    store_column_text(st, 0), "name",
							    store_column_text(st, 1), "entries",
							    (json_int_t)en, "exits", (json_int_t)ex));
		}
		store_finalize(st);
	}
	for (size_t i = 0; !rc && i < COUNT(grounds); i++)
		json_array_append_new(rs, json_pack("{s:s%, s:s, s:i}", "ground", &grounds[i].letter,
						    (size_t)1, "text", grounds[i].text, "count", 0));
	if (!rc && !(rc = store_prepare(cx->store, "SELECT g.ground, COUNT(*) FROM refusal_ground g "
					"JOIN refusal r ON r.id = g.refusal_id WHERE r.at >= ? AND "
					"r.at < ? GROUP BY g.ground", &st, err))) {
		store_bind_text(st, 1, from);
		store_bind_text(st, 2, to);
		while (!(rc = store_step(st, &row, err)) && row) {
			const char *g = store_column_text(st, 0);
			for (size_t i = 0; g && i < COUNT(grounds); i++)
				if (grounds[i].letter == g[0])
					json_object_set_new(json_array_get(rs, i), "count",
							    json_integer(store_column_int64(st, 1)));
		}
		store_finalize(st);
	}
	if (!rc) {
		struct store_stmt *q;
		if (!(rc = store_prepare(cx->store, "SELECT COUNT(*) FROM refusal WHERE at >= ? AND "
					 "at < ?", &q, err))) {
			store_bind_text(q, 1, from);
			store_bind_text(q, 2, to);
			if (!(rc = store_step(q, &row, err)) && row)
				refusals = store_column_int64(q, 0);
			store_finalize(q);
		}
	}
	if (!rc) {
		res = json_pack("{s:s, s:O, s:O, s:{s:I, s:I, s:I}}", "date", d, "crossings", xs,
				"refusals", rs, "totals", "entries", (json_int_t)entries, "exits",
				(json_int_t)exits, "refusals", (json_int_t)refusals);
		if (!res)
			rc = border_oom(err);
		audited_detail(&op, "summary of %s", d);
	}
	json_decref(xs);
	json_decref(rs);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}
