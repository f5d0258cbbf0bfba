/*
 * demo_dedup.c - travellers recorded twice, for the demo's duplicate review queue (dedup.h).
 *
 * How duplicates arise at a border: an identity card read by hand with the name typed in
 * Cyrillic, and months later a passport read from its MRZ; a new passport with a new number; a
 * name romanised one way in one document and another way in the next. Each pair's stays are
 * short on each record, and one of them overstays once the two are one person. All synthetic:
 * the names are common ones, the documents and dates made up.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/mrz.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS (86400 * 1000LL)

/* One record of a traveller: the document as read, and the stays on it. */
struct planted {
	bool mrz;                 /* read from the MRZ (TD3 passport), else typed */
	const char *doc_type, *state, *number, *nationality;
	const char *surname, *given; /* MRZ form, or as typed */
	const char *surname_typed, *given_typed; /* typed beside an MRZ; NULL when not */
	char sex;
	const char *birth;        /* "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
	const char *bcp;
	int stays[2][2];          /* entry and exit, days before today; exit -1: still present;
				   * entry 0: no stay */
};

static const struct planted planted[] = {
	/* Dmitry Smirnov: 61 days on an internal passport typed in Cyrillic, then 71 days (and
	 * counting) on a new passport read by machine: 132 days in the last 180 once merged. */
	{ false, "P", "RUS", "DD7100001", "RUS", "Смирнов", "Дмитрий", NULL, NULL, 'M',
	  "1984-06-12", "MNE-TGD", { { 150, 90 }, { 0, 0 } } },
	{ true, "P", "RUS", "DD7100002", "RUS", "SMIRNOV", "DMITRII", NULL, NULL, 'M',
	  "1984-06-12", "MNE-TIV", { { 70, -1 }, { 0, 0 } } },
	/* Milica Đorđević: an identity card typed with the letters of her name, then her passport,
	 * whose MRZ writes Đ as DJ. */
	{ false, "I", "SRB", "DD7200001", "SRB", "Đorđević", "Milica", NULL, NULL, 'F', "1991-02-17",
	  "MNE-DOB", { { 200, 196 }, { 120, 110 } } },
	{ true, "P", "SRB", "DD7200002", "SRB", "DJORDJEVIC", "MILICA", "Đorđević", "Milica", 'F',
	  "1991-02-17", "MNE-DOB", { { 40, 33 }, { 0, 0 } } },
	/* Mohamed Abdalla: two passports romanising his name differently; the first knows only his
	 * year of birth. */
	{ true, "P", "SYR", "DD7300001", "SYR", "ABDALLA", "MOHAMED", NULL, NULL, 'M', "1990",
	  "MNE-SUK", { { 175, 130 }, { 0, 0 } } },
	{ true, "P", "SYR", "DD7300002", "SYR", "ABDULLAH", "MUHAMMAD", NULL, NULL, 'M',
	  "1990-03-04", "MNE-BOZ", { { 100, 62 }, { 0, 0 } } },
	/* Oleksandr Kovalenko: a passport, then an entry typed from a Ukrainian document in
	 * Cyrillic. */
	{ true, "P", "UKR", "DD7400001", "UKR", "KOVALENKO", "OLEKSANDR", NULL, NULL, 'M',
	  "1979-11-30", "MNE-TGD", { { 90, 80 }, { 0, 0 } } },
	{ false, "P", "UKR", "DD7400002", "UKR", "Коваленко", "Олександр", NULL, NULL, 'M',
	  "1979-11-30", "MNE-BAR", { { 30, 20 }, { 0, 0 } } },
};

/* The demo border officer, so that the records are the Border Police's; else `a`. */
static void demo_officer(struct store *s, const struct actor *a, struct actor *out)
{
	struct store_stmt *st;
	bool row = false;

	*out = *a;
	if (store_prepare(s, "SELECT u.id, u.agency_id FROM app_user u WHERE "
			  "u.username = 'demo.border'", &st, NULL))
		return;
	if (!store_step(st, &row, NULL) && row) {
		memset(out, 0, sizeof(*out));
		person_copy(out->user_id, sizeof(out->user_id), store_column_text(st, 0));
		person_copy(out->agency_id, sizeof(out->agency_id), store_column_text(st, 1));
		person_copy(out->username, sizeof(out->username), "demo.border");
		person_copy(out->origin, sizeof(out->origin), "demo data");
		out->role = role_find("border_officer");
		out->via = VIA_SYSTEM;
	}
	store_finalize(st);
}

static enum mmis_err record(const struct mmis_ctx *cx, const struct actor *off,
			    const struct planted *p, const struct date *today, int days_ago,
			    enum crossing_direction dir, struct mmis_error *err)
{
	struct crossing_in in;
	char mrz[MRZ_TEXT_MAX];
	json_t *out = NULL;
	struct date birth;
	enum mmis_err rc;

	memset(&in, 0, sizeof(in));
	if ((rc = date_parse_partial(p->birth, "birth_date", &birth, err)))
		return rc;
	if (p->mrz) {
		struct mrz_fields f = {
			.format = MRZ_TD3, .document_code = p->doc_type, .issuing_state = p->state,
			.surname = p->surname, .given_names = p->given,
			.document_number = p->number, .nationality = p->nationality,
			.birth_date = birth, .sex = p->sex,
		};
		date_add_days(today, 5 * 365, &f.expiry_date);
		if ((rc = mrz_make(&f, mrz, sizeof(mrz), err)))
			return rc;
		in.mrz = mrz;
		in.surname = p->surname_typed;
		in.given_names = p->given_typed;
	} else {
		in.document_type = p->doc_type;
		in.issuing_state = p->state;
		in.document_number = p->number;
		in.surname = p->surname;
		in.given_names = p->given;
		in.sex = p->sex;
		in.birth_date = birth;
		in.birth_known = true;
		in.nationality = p->nationality;
	}
	in.bcp = p->bcp;
	in.direction = dir;
	in.at_ms = (date_to_days(today) - days_ago) * DAY_MS + (dir == CROSSING_ENTRY ? 9 : 16) *
		   3600000LL;
	rc = crossing_record(cx, off, &in, &out, err);
	json_decref(out);
	return rc;
}

enum mmis_err dedup_demo_seed(const struct mmis_ctx *cx, const struct actor *a,
			      const struct date *today, struct mmis_error *err)
{
	struct dedup_options opt = { 0 };
	struct dedup_result res;
	struct store_stmt *st;
	struct actor off;
	bool any = false;
	enum mmis_err rc;

	if ((rc = store_prepare(cx->store, "SELECT 1 FROM travel_document WHERE number = ?", &st,
				err)))
		return rc;
	store_bind_text(st, 1, planted[0].number);
	rc = store_step(st, &any, err);
	store_finalize(st);
	if (rc || any)
		return rc;
	demo_officer(cx->store, a, &off);
	for (size_t i = 0; !rc && i < COUNT(planted); i++)
		for (size_t k = 0; !rc && k < 2 && planted[i].stays[k][0]; k++) {
			rc = record(cx, &off, &planted[i], today, planted[i].stays[k][0],
				    CROSSING_ENTRY, err);
			if (!rc && planted[i].stays[k][1] >= 0)
				rc = record(cx, &off, &planted[i], today, planted[i].stays[k][1],
					    CROSSING_EXIT, err);
		}
	/* The queue a supervisor finds on the first visit. */
	if (!rc)
		rc = dedup_run(cx, a, &opt, &res, err);
	return rc;
}
