/*
 * demo.c - demo data: agencies and one user per role, with the passwords docs/demo.md lists.
 *
 * All of it is synthetic. Seeding again is harmless: what exists is left as it is.
 */
#include <stdio.h>
#include <string.h>

#include "mmis/border.h"
#include "mmis/dedup.h"
#include "mmis/stats.h"
#include "mmis/demo.h"
#include "mmis/protect.h"
#include "mmis/screen.h"

struct demo_agency {
	const char *code, *name, *kind;
};

static const struct demo_agency demo_agencies[] = {
	{ "BP", "Border Police", "police" },
	{ "DM", "Directorate for Migration", "government" },
	{ "CSW-PG", "Centre for Social Work Podgorica", "social_work" },
	{ "NGO-SHELTER", "NGO shelter (demo)", "ngo" },
	{ "IOM", "IOM Montenegro", "international" },
	{ "POL-AT", "Police anti-trafficking unit (identification team)", "police" },
};

struct demo_user {
	const char *username, *display_name, *role, *agency, *password;
};

/* Keep in step with docs/demo.md. */
static const struct demo_user demo_users[] = {
	{ "demo.admin", "Ana Admin (demo)", "admin", "DM", "Demo-Admin-Kotor-7" },
	{ "demo.auditor", "Aleksa Auditor (demo)", "auditor", "DM", "Demo-Auditor-Budva-7" },
	{ "demo.border", "Bojan Border (demo)", "border_officer", "BP", "Demo-Border-Bar-7x" },
	{ "demo.bordersup", "Branka Supervisor (demo)", "border_supervisor", "BP",
	  "Demo-Supervisor-Ulcinj-7" },
	{ "demo.caseworker", "Cvijeta Caseworker (demo)", "case_worker", "CSW-PG",
	  "Demo-Caseworker-Niksic-7" },
	{ "demo.casesup", "Ciril Case Supervisor (demo)", "case_supervisor", "CSW-PG",
	  "Demo-Casesup-Cetinje-7" },
	{ "demo.identify", "Ivana Identification (demo)", "identification_officer", "POL-AT",
	  "Demo-Identify-Kolasin-7" },
	{ "demo.atsup", "Tomislav Team Lead (demo)", "case_supervisor", "POL-AT",
	  "Demo-Teamlead-Zabljak-7" },
	{ "demo.shelter", "Sara Shelter (demo)", "case_worker", "NGO-SHELTER",
	  "Demo-Shelter-Berane-7" },
	{ "demo.return", "Radmila Return (demo)", "return_counsellor", "IOM", "Demo-Return-Herceg-7" },
	{ "demo.analyst", "Andrej Analyst (demo)", "analyst", "DM", "Demo-Analyst-Tivat-7" },
	{ "demo.statunit", "Stefan Statistician (demo)", "internal_analyst", "DM",
	  "Demo-Statunit-Danilovgrad-7" },
	{ "demo.exchange", "Elena Exchange (demo)", "exchange_officer", "DM",
	  "Demo-Exchange-Pljevlja-7" },
	{ "demo.screening", "Visa system (demo)", "screening_client", "DM",
	  "Demo-Screening-Rozaje-7" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_demo_user(const char *username)
{
	for (size_t i = 0; i < COUNT(demo_users); i++)
		if (!strcmp(demo_users[i].username, username))
			return true;
	return false;
}

/* Whether every user in the database is one of the demo's; *present lists which exist. */
static enum mmis_err check_users(struct store *s, bool present[], struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(s, "SELECT username FROM app_user", &st, err)))
		return rc;
	while (!(rc = store_step(st, &row, err)) && row) {
		const char *name = store_column_text(st, 0);
		if (!is_demo_user(name)) {
			rc = mmis_error_set(err, MMIS_ECONFLICT, NULL,
					    "the database has users of its own (%s): demo data goes "
					    "into a new database only", name);
			break;
		}
		for (size_t i = 0; i < COUNT(demo_users); i++)
			if (!strcmp(demo_users[i].username, name))
				present[i] = true;
	}
	store_finalize(st);
	return rc;
}

static enum mmis_err agency_exists(struct store *s, const char *code, bool *exists,
				   struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	if ((rc = store_prepare(s, "SELECT 1 FROM agency WHERE code = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, code);
	rc = store_step(st, exists, err);
	store_finalize(st);
	return rc;
}

enum mmis_err demo_seed(const struct mmis_ctx *cx, uint64_t seed, json_t **accounts_out,
			struct mmis_error *err)
{
	bool present[COUNT(demo_users)] = { false }, exists = false;
	struct actor sys;
	json_t *accounts = NULL;
	enum mmis_err rc;

	if (accounts_out)
		*accounts_out = NULL;
	actor_system(&sys);
	snprintf(sys.origin, sizeof(sys.origin), "demo data");
	if (accounts_out && !(accounts = json_array()))
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	if ((rc = store_begin(cx->store, err))) {
		json_decref(accounts);
		return rc;
	}
	rc = check_users(cx->store, present, err);
	for (size_t i = 0; !rc && i < COUNT(demo_agencies); i++) {
		const struct demo_agency *g = &demo_agencies[i];
		if (!(rc = agency_exists(cx->store, g->code, &exists, err)) && !exists)
			rc = agency_add(cx, &sys, g->code, g->name, g->kind, NULL, err);
	}
	for (size_t i = 0; !rc && i < COUNT(demo_users); i++) {
		const struct demo_user *u = &demo_users[i];
		if (!present[i])
			rc = user_add(cx, &sys, u->username, u->display_name, u->role, u->agency,
				      u->password, NULL, err);
		if (!rc && accounts &&
		    json_array_append_new(accounts, json_pack("{s:s, s:s, s:s, s:s}", "username",
							      u->username, "role", u->role,
							      "agency", u->agency, "password",
							      u->password)))
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	}
	if (!rc) {
		/* Border crossings, refusals and stays (lib/border/demo_border.c). */
		struct date today;
		date_today(&today);
		rc = border_demo_seed(cx, &sys, seed, &today, err);
		/* Travellers recorded twice, and a detection (lib/person/demo_dedup.c). */
		if (!rc)
			rc = dedup_demo_seed(cx, &sys, &today, err);
		/* Providers, projects and cases (lib/protect/demo_protect.c). */
		if (!rc)
			rc = protect_demo_seed(cx, seed, &today, err);
		/* Official series and earlier years of crossings (lib/stats/demo_stats.c). */
		if (!rc)
			rc = stats_demo_seed(cx, &sys, seed, &today, err);
	}
	if (!rc) /* Alert lists, one entry of which is a demo traveller (lib/screen/demo.c). */
		rc = watchlist_demo_seed(cx, &sys, err);
	if (rc) {
		store_rollback(cx->store, NULL);
		json_decref(accounts);
		return rc;
	}
	if ((rc = store_commit(cx->store, err))) {
		json_decref(accounts);
		return rc;
	}
	if (accounts_out)
		*accounts_out = accounts;
	return MMIS_OK;
}
