/*
 * demo_protect.c - demo data for protection (protect.h, demo.h): what the service providers
 * offer, the three projects and their donors, and a few dozen synthetic cases across the demo
 * agencies, made through the library as the demo users would (screening at a BCP, consent,
 * referral, transfer to the identification team, formal identification, services, follow-ups,
 * closure). Deterministic from the seed (splitmix64); everything is made up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/json.h"
#include "mmis/rng.h"

#define DEMO_CASES 30

enum mmis_err px_actor_of(struct store *s, const char *username, struct actor *out,
			  struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, "SELECT u.id, u.display_name, u.role, g.id, g.code, g.name FROM "
				"app_user u JOIN agency g ON g.id = u.agency_id WHERE u.username = ?",
				&st, err)))
		return rc;
	store_bind_text(st, 1, username);
	if (!(rc = store_step(st, &row, err)) && row) {
		px_copy(out->user_id, sizeof(out->user_id), store_column_text(st, 0));
		px_copy(out->username, sizeof(out->username), username);
		px_copy(out->display_name, sizeof(out->display_name), store_column_text(st, 1));
		out->role = role_find(store_column_text(st, 2));
		px_copy(out->agency_id, sizeof(out->agency_id), store_column_text(st, 3));
		px_copy(out->agency_code, sizeof(out->agency_code), store_column_text(st, 4));
		px_copy(out->agency_name, sizeof(out->agency_name), store_column_text(st, 5));
		out->via = VIA_SYSTEM;
		snprintf(out->origin, sizeof(out->origin), "demo data");
	}
	store_finalize(st);
	if (!rc && (!row || !out->role))
		rc = mmis_error_set(err, MMIS_ENOTFOUND, NULL, "demo user %s is missing", username);
	return rc;
}

static const struct {
	const char *agency;
	const char *services;
} offers[] = {
	{ "NGO-SHELTER", "shelter,psychosocial,legal_aid,interpretation,education,financial" },
	{ "CSW-PG", "psychosocial,family_tracing,education,documents,financial" },
	{ "IOM", "return_counselling,medical,interpretation,family_tracing,financial,documents" },
	{ "DM", "documents" },
};

/* The projects named in issue 6, with their donors, exactly. */
static const struct {
	const char *code, *name, *donor;
} projects[] = {
	{ "CT-CRISIS-WB", "Enhancing Counter Trafficking in Crisis in the Western Balkans",
	  "US Department of State J/TIP" },
	{ "VULN-MIG-WB",
	  "Enhancing Capacities and Mechanisms to Identify and Protect Vulnerable Migrants in the "
	  "Western Balkans", "US Department of State PRM" },
	{ "PSMM-WBT",
	  "Regional Support to Protection Sensitive Migration Management in the Western Balkans and "
	  "Turkey", "EU IPA II" },
};

/* Who the demo cases are about (synthetic names of the places such cases come from). */
enum profile_kind { K_BEGGING, K_SEXUAL, K_LABOUR, K_UNACCOMPANIED, K_SEPARATED, K_SMUGGLED,
		    K_VULNERABLE };

static const struct {
	enum profile_kind kind;
	const char *citizenship, *sex, *lang;
	const char *surnames[4], *given[4];
} people[] = {
	{ K_BEGGING, "MNE", "M", "Romani", { "Berisha", "Krasniqi", "Gashi", "Hasani" },
	  { "Elvis", "Denis", "Armando", "Samir" } },
	{ K_SEXUAL, "UKR", "F", "Ukrainian", { "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk" },
	  { "Oksana", "Iryna", "Olena", "Natalia" } },
	{ K_LABOUR, "BGD", "M", "Bengali", { "Rahman", "Hossain", "Islam", "Ahmed" },
	  { "Rafiq", "Karim", "Jamal", "Sohel" } },
	{ K_UNACCOMPANIED, "AFG", "M", "Dari", { "Ahmadi", "Rahimi", "Haidari", "Noori" },
	  { "Ahmad", "Mustafa", "Ali", "Reza" } },
	{ K_SEPARATED, "SYR", "F", "Arabic", { "Haddad", "Khalil", "Nasser", "Saleh" },
	  { "Lina", "Rima", "Hiba", "Maya" } },
	{ K_SMUGGLED, "MAR", "M", "Arabic", { "El Idrissi", "Benali", "Amrani", "Tazi" },
	  { "Youssef", "Hamza", "Anas", "Omar" } },
	{ K_VULNERABLE, "NGA", "F", "English", { "Okafor", "Adeyemi", "Eze", "Balogun" },
	  { "Blessing", "Joy", "Grace", "Faith" } },
};

static const char *const bcps[] = { "MNE-SUK", "MNE-DOB", "MNE-KUL", "MNE-DBR", "MNE-TGD",
				    "MNE-BOZ" };

static void days_ago(const struct date *today, int n, char out[DATE_STR_MAX])
{
	struct date d;
	date_add_days(today, -n, &d);
	date_format(&d, out);
}

/* Screening answers: every required question, the indicators given as a comma list true. */
static json_t *screening_answers(const char *place, const char *yes, const char *age_group,
				 const char *care, const char *lang)
{
	static const char *const bools[] = {
		"documents_held", "debt", "not_free_to_leave", "violence_or_threats",
		"forced_begging_or_crime", "sexual_exploitation", "deceived_about_work",
		"excessive_hours", "address_unknown", "someone_speaks_for_them",
		"restricted_communication", "fear_or_anxiety", "injuries", "serious_health_need",
		"disability", "smuggled", NULL,
	};
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "place", place, "age_group", age_group,
			      "language", lang, "interpreter", 1);
	for (size_t i = 0; o && bools[i]; i++)
		json_object_set_new(o, bools[i], json_boolean(px_list_has(yes, bools[i])));
	if (o && care)
		json_object_set_new(o, "care", json_string(care));
	if (o && px_list_has(yes, "smuggled"))
		json_object_set_new(o, "danger_on_journey", json_boolean(px_list_has(yes, "danger")));
	if (o && px_list_has(yes, "pregnant"))
		json_object_set_new(o, "pregnant", json_true());
	return o;
}

struct demo {
	const struct mmis_ctx *cx;
	const struct date *today;
	struct rng r;
	struct actor border, identify, atsup, shelter, csw, cswsup;
	struct mmis_error *err;
};

/* Call `fn`-style library functions with a JSON body built here, releasing it. */
#define WITH(body, call)                                                                       \
	do {                                                                                   \
		json_t *in_ = (body);                                                          \
		if (!in_)                                                                      \
			return px_oom(d->err);                                                 \
		rc = (call);                                                                   \
		json_decref(in_);                                                              \
		if (rc)                                                                        \
			return rc;                                                             \
	} while (0)

static enum mmis_err go(struct demo *d, const struct actor *a, const char *id, const char *to,
			const char *closure)
{
	enum mmis_err rc;
	WITH(closure ? json_pack("{s:s, s:s}", "to", to, "closure_reason", closure)
		     : json_pack("{s:s}", "to", to),
	     case_transition(d->cx, a, id, in_, d->err));
	return MMIS_OK;
}

static enum mmis_err form(struct demo *d, const struct actor *a, const char *id,
			  const char *form_id, json_t *answers)
{
	enum mmis_err rc;
	WITH(json_pack("{s:o}", "answers", answers),
	     case_form_submit(d->cx, a, id, form_id, in_, NULL, d->err));
	return MMIS_OK;
}

static enum mmis_err service(struct demo *d, const struct actor *a, const char *id,
			     const char *svc, const char *provider, const char *project, int ago)
{
	char day[DATE_STR_MAX];
	enum mmis_err rc;
	days_ago(d->today, ago, day);
	WITH(json_pack("{s:s, s:s, s:s, s:s?}", "service", svc, "delivered_on", day, "provider",
		       provider, "project", project),
	     service_add(d->cx, a, id, in_, NULL, d->err));
	return MMIS_OK;
}

static enum mmis_err followup(struct demo *d, const struct actor *a, const char *id, int due_in,
			      const char *text)
{
	char day[DATE_STR_MAX];
	enum mmis_err rc;
	days_ago(d->today, -due_in, day);
	WITH(json_pack("{s:s, s:s}", "due_on", day, "text", text),
	     case_followup_add(d->cx, a, id, in_, NULL, d->err));
	return MMIS_OK;
}

static enum mmis_err assess(struct demo *d, const struct actor *a, const char *id,
			    const char *needs1, const char *needs2, const char *wish)
{
	return form(d, a, id, "assessment",
		    json_pack("{s:s, s:[s, s], s:s, s:s}", "risk_level",
			      rng_below(&d->r, 3) ? "medium" : "high", "needs", needs1, needs2, "wish",
			      wish, "summary", "Needs agreed with the person, with an interpreter."));
}

static enum mmis_err plan(struct demo *d, const struct actor *a, const char *id, const char *svc)
{
	char review[DATE_STR_MAX];
	days_ago(d->today, -30, review);
	return form(d, a, id, "case_plan",
		    json_pack("{s:s, s:[s], s:s}", "objectives",
			      "Safe accommodation, recovery, and a decision on the future.",
			      "services_planned", svc, "review_on", review));
}

/* A presumed victim met at a BCP: screened by the border officer, consent and referral to the
 * shelter, transfer to the identification team; then, as far as `stage` goes, the shelter
 * accepts and assists, the team identifies and runs the case to its end. */
static enum mmis_err trafficking_case(struct demo *d, int n, enum profile_kind kind, int stage)
{
	const char *yes = kind == K_BEGGING ? "forced_begging_or_crime,fear_or_anxiety,someone_speaks_for_them"
			  : kind == K_SEXUAL ? "sexual_exploitation,documents_held,debt,restricted_communication"
					     : "debt,excessive_hours,deceived_about_work,documents_held";
	const char *expl = kind == K_BEGGING ? "ForcedBegging" : kind == K_SEXUAL ? "SexualExploitation"
										     : "ForcedLabour";
	const char *ctrl = kind == K_BEGGING ? "PsychologicalAbuse" : kind == K_SEXUAL ? "DebtBondage"
											  : "WithholdsDocuments";
	size_t p = 0;
	while (people[p].kind != kind)
		p++;
	char opened[DATE_STR_MAX], id[UUID_STR_MAX], sid[UUID_STR_MAX];
	int ago = 5 + rng_below(&d->r, 100);
	json_t *scr = NULL;
	bool child = kind == K_BEGGING && (n / 6) % 2 == 1;
	enum mmis_err rc;

	if (n % 5 == 0)
		ago = 78 + rng_below(&d->r, 6); /* reflection periods ending within the fortnight */
	days_ago(d->today, ago, opened);
	WITH(json_pack("{s:o, s:s}", "answers",
		       screening_answers("bcp", yes, child ? "child" : "adult",
					 child ? "separated" : NULL, people[p].lang),
		       "bcp", bcps[n % 6]),
	     screening_record(d->cx, &d->border, in_, &scr, d->err));
	px_copy(sid, sizeof(sid), json_string_value(json_object_get(scr, "id")));
	json_decref(scr);
	WITH(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:s, s:s}",
		       "screening_id", sid, "opened_on", opened, "surname",
		       people[p].surnames[rng_below(&d->r, 4)], "given_names",
		       people[p].given[rng_below(&d->r, 4)], "sex", people[p].sex, "citizenship",
		       people[p].citizenship, "languages", people[p].lang, "story",
		       "Met at the border with a group; the companion held the documents.",
		       "exploitation", expl, "means_of_control", ctrl, "country_of_exploitation",
		       kind == K_SEXUAL ? "MNE" : kind == K_LABOUR ? "SRB" : "MNE",
		       "relationship_to_trafficker", kind == K_BEGGING ? "Familial" : "Acquainted"),
	     case_open(d->cx, &d->border, in_, id, d->err));
	WITH(json_pack("{s:s, s:[s, s, s], s:s, s:s?, s:s}", "to_agency", "NGO-SHELTER", "scopes",
		       "identity", "contact", "health", "given_by", child ? "guardian" : "person",
		       "guardian_name", child ? "Guardian of the CSW (demo)" : NULL, "given_on",
		       opened),
	     consent_add(d->cx, &d->border, id, in_, NULL, d->err));
	json_t *ref = NULL;
	WITH(json_pack("{s:s, s:s, s:s}", "to_agency", "NGO-SHELTER", "service", "shelter", "note",
		       "Needs a safe place tonight."),
	     referral_create(d->cx, &d->border, id, in_, &ref, d->err));
	char rid[UUID_STR_MAX];
	px_copy(rid, sizeof(rid), json_string_value(json_object_get(ref, "id")));
	json_decref(ref);
	WITH(json_pack("{s:s, s:s}", "to_agency", "POL-AT", "reason",
		       "Presumed victim: for formal identification by the team."),
	     case_transfer(d->cx, &d->border, id, in_, d->err));
	if (stage == 0)
		return MMIS_OK; /* waiting: unassigned at the team, referral pending at the shelter */
	WITH(json_object(), referral_act(d->cx, &d->shelter, rid, "accept", in_, &ref, d->err));
	json_decref(ref);
	if ((rc = service(d, &d->shelter, id, "shelter", "NGO-SHELTER", n % 2 ? "CT-CRISIS-WB"
									   : "VULN-MIG-WB", ago - 1)) ||
	    (rc = service(d, &d->shelter, id, "psychosocial", "NGO-SHELTER", "CT-CRISIS-WB",
			  ago > 10 ? ago - 7 : 1)))
		return rc;
	WITH(json_pack("{s:s}", "worker", "demo.identify"),
	     case_assign(d->cx, &d->atsup, id, in_, d->err));
	if ((rc = go(d, &d->identify, id, "assessment", NULL)) ||
	    (rc = assess(d, &d->identify, id, "shelter", "psychosocial", "undecided")))
		return rc;
	if (n % 4 == 1 && (rc = followup(d, &d->identify, id, -3 - rng_below(&d->r, 10),
					 "Call the shelter about the interview with the team")))
		return rc;
	if (stage == 1)
		return MMIS_OK;
	WITH(json_pack("{s:s, s:s}", "outcome", "victim", "note", "Decision of the team."),
	     case_identify(d->cx, &d->identify, id, in_, d->err));
	if (child &&
	    ((rc = form(d, &d->identify, id, "guardian",
			json_pack("{s:s, s:s, s:s, s:s}", "guardian_name", "Guardian of the CSW (demo)",
				  "guardian_kind", "csw_officer", "appointed_on", opened,
				  "appointed_by", "Centre for Social Work Podgorica"))) ||
	     (rc = form(d, &d->identify, id, "best_interests",
			json_pack("{s:s, s:s, s:s, s:b}", "assessed_on", opened, "views_of_child",
				  "Wants to go to school.", "recommendation", "interim_care",
				  "determination_needed", 0)))))
		return rc;
	if ((rc = go(d, &d->identify, id, "case_plan", NULL)) ||
	    (rc = plan(d, &d->identify, id, "shelter")) ||
	    (rc = go(d, &d->identify, id, "services", NULL)))
		return rc;
	if (stage == 2)
		return followup(d, &d->identify, id, 7 + rng_below(&d->r, 20), "Review the case plan");
	WITH(json_object(), referral_act(d->cx, &d->shelter, rid, "complete", in_, &ref, d->err));
	json_decref(ref);
	if ((rc = go(d, &d->identify, id, "services_implemented", NULL)))
		return rc;
	return go(d, &d->identify, id, "closed", n % 2 ? "voluntary_return" : "objectives_met");
}

/* A child without a parent: the centre for social work's case, a guardian, a best interests
 * assessment, the shelter's or IOM's services. */
static enum mmis_err child_case(struct demo *d, int n, enum profile_kind kind, int stage)
{
	size_t p = 0;
	while (people[p].kind != kind)
		p++;
	char opened[DATE_STR_MAX], id[UUID_STR_MAX], birth[16], appointed[DATE_STR_MAX];
	int ago = 3 + rng_below(&d->r, 120);
	enum mmis_err rc;

	days_ago(d->today, ago, opened);
	snprintf(birth, sizeof(birth), "%d", d->today->year - 14 - rng_below(&d->r, 3));
	WITH(json_pack("{s:[s], s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "types",
		       kind == K_UNACCOMPANIED ? "unaccompanied_child" : "separated_child",
		       "opened_on", opened, "surname", people[p].surnames[rng_below(&d->r, 4)],
		       "given_names", people[p].given[rng_below(&d->r, 4)], "sex", people[p].sex,
		       "birth_date", birth, "citizenship", people[p].citizenship, "languages",
		       people[p].lang, "story",
		       kind == K_UNACCOMPANIED ? "Found alone at the bus station in Podgorica."
					       : "Travelling with an adult cousin."),
	     case_open(d->cx, &d->csw, in_, id, d->err));
	if (stage == 0)
		return followup(d, &d->csw, id, -1 - rng_below(&d->r, 5), "Appoint a guardian");
	days_ago(d->today, ago > 2 ? ago - 2 : 0, appointed);
	if ((rc = form(d, &d->csw, id, "guardian",
		       json_pack("{s:s, s:s, s:s, s:s}", "guardian_name", "Milena Guardian (demo)",
				 "guardian_kind", "csw_officer", "appointed_on", appointed,
				 "appointed_by", "Centre for Social Work Podgorica"))) ||
	    (rc = go(d, &d->csw, id, "assessment", NULL)) ||
	    (rc = assess(d, &d->csw, id, "education", "family_tracing", "undecided")) ||
	    (rc = form(d, &d->csw, id, "best_interests",
		       json_pack("{s:s, s:s, s:s, s:b}", "assessed_on", appointed, "views_of_child",
				 "Wants to join an uncle abroad.", "recommendation", "family_tracing",
				 "determination_needed", 0))))
		return rc;
	WITH(json_pack("{s:s, s:[s, s], s:s, s:s, s:s}", "to_agency", "IOM", "scopes", "identity",
		       "story", "given_by", "guardian", "guardian_name", "Milena Guardian (demo)",
		       "given_on", appointed),
	     consent_add(d->cx, &d->csw, id, in_, NULL, d->err));
	json_t *ref = NULL;
	WITH(json_pack("{s:s, s:s}", "to_agency", "IOM", "service", "family_tracing"),
	     referral_create(d->cx, &d->csw, id, in_, &ref, d->err));
	json_decref(ref);
	if ((rc = go(d, &d->csw, id, "case_plan", NULL)) ||
	    (rc = plan(d, &d->csw, id, "family_tracing")) ||
	    (rc = go(d, &d->csw, id, "services", NULL)) ||
	    (rc = service(d, &d->csw, id, "education", "CSW-PG", "PSMM-WBT", ago > 1 ? ago - 1 : 0)))
		return rc;
	if (stage == 1)
		return followup(d, &d->csw, id, n % 3 ? 10 : -4, "Check on the family tracing");
	if ((rc = go(d, &d->csw, id, "services_implemented", NULL)))
		return rc;
	return go(d, &d->csw, id, "closed", "transferred_abroad");
}

/* Smuggled migrants in danger and other vulnerable migrants: the shelter's own cases. */
static enum mmis_err shelter_case(struct demo *d, int n, enum profile_kind kind, int stage)
{
	size_t p = 0;
	while (people[p].kind != kind)
		p++;
	char opened[DATE_STR_MAX], id[UUID_STR_MAX];
	int ago = 2 + rng_below(&d->r, 60);
	enum mmis_err rc;

	days_ago(d->today, ago, opened);
	WITH(json_pack("{s:[s], s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "types",
		       kind == K_SMUGGLED ? "smuggled_migrant" : "other_vulnerable", "opened_on",
		       opened, "surname", people[p].surnames[rng_below(&d->r, 4)], "given_names",
		       people[p].given[rng_below(&d->r, 4)], "sex", people[p].sex, "citizenship",
		       people[p].citizenship, "languages", people[p].lang, "health",
		       kind == K_VULNERABLE ? "Pregnant, 7th month." : "Exhausted, minor injuries.",
		       "story", kind == K_SMUGGLED ? "Left by smugglers in the mountains near Božaj."
						   : "Came to the shelter through the helpline."),
	     case_open(d->cx, &d->shelter, in_, id, d->err));
	if ((rc = service(d, &d->shelter, id, "shelter", "NGO-SHELTER", "VULN-MIG-WB", ago)))
		return rc;
	if (stage == 0)
		return followup(d, &d->shelter, id, n % 2 ? -2 : 3, "Medical check-up");
	WITH(json_pack("{s:s, s:[s, s], s:s, s:s}", "to_agency", "IOM", "scopes", "identity",
		       "health", "given_by", "person", "given_on", opened),
	     consent_add(d->cx, &d->shelter, id, in_, NULL, d->err));
	json_t *ref = NULL;
	WITH(json_pack("{s:s, s:s}", "to_agency", "IOM", "service",
		       kind == K_SMUGGLED ? "return_counselling" : "medical"),
	     referral_create(d->cx, &d->shelter, id, in_, &ref, d->err));
	json_decref(ref);
	if ((rc = go(d, &d->shelter, id, "assessment", NULL)) ||
	    (rc = assess(d, &d->shelter, id, "shelter", "medical",
			 kind == K_SMUGGLED ? "return_home" : "stay")))
		return rc;
	if (stage == 1)
		return MMIS_OK;
	if ((rc = go(d, &d->shelter, id, "closed", kind == K_SMUGGLED ? "voluntary_return"
									  : "moved_away")))
		return rc;
	return MMIS_OK;
}

#undef WITH

enum mmis_err protect_demo_seed(const struct mmis_ctx *cx, uint64_t seed,
				const struct date *today, struct mmis_error *err)
{
	struct actor sys;
	struct demo d = { .cx = cx, .today = today, .r = { seed ^ 0x70726f74656374ULL }, .err = err };
	char n[24];
	enum mmis_err rc;

	actor_system(&sys);
	snprintf(sys.origin, sizeof(sys.origin), "demo data");
	if ((rc = px_text(cx->store, "SELECT COUNT(*) FROM protect_case", NULL, n, sizeof(n), NULL,
			  err)) || strcmp(n, "0"))
		return rc;
	for (size_t i = 0; i < COUNT(offers); i++) {
		json_t *list = px_list_json(offers[i].services);
		rc = list ? provider_set_services(cx, &sys, offers[i].agency, list, err) : px_oom(err);
		json_decref(list);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < COUNT(projects); i++)
		if ((rc = project_add(cx, &sys, projects[i].code, projects[i].name, projects[i].donor,
				      err)) && rc != MMIS_ECONFLICT)
			return rc;
	if ((rc = px_actor_of(cx->store, "demo.border", &d.border, err)) ||
	    (rc = px_actor_of(cx->store, "demo.identify", &d.identify, err)) ||
	    (rc = px_actor_of(cx->store, "demo.atsup", &d.atsup, err)) ||
	    (rc = px_actor_of(cx->store, "demo.shelter", &d.shelter, err)) ||
	    (rc = px_actor_of(cx->store, "demo.caseworker", &d.csw, err)) ||
	    (rc = px_actor_of(cx->store, "demo.casesup", &d.cswsup, err)))
		return rc;
	for (int i = 0; i < DEMO_CASES; i++) {
		int stage = rng_below(&d.r, 4);
		switch (i % 6) {
		case 0:
			rc = trafficking_case(&d, i, K_BEGGING, stage);
			break;
		case 1:
			rc = trafficking_case(&d, i, K_SEXUAL, stage);
			break;
		case 2:
			rc = trafficking_case(&d, i, K_LABOUR, stage);
			break;
		case 3:
			rc = child_case(&d, i, i % 12 == 3 ? K_UNACCOMPANIED : K_SEPARATED, stage % 3);
			break;
		case 4:
			rc = shelter_case(&d, i, K_SMUGGLED, stage % 3);
			break;
		default:
			rc = shelter_case(&d, i, K_VULNERABLE, stage % 3);
			break;
		}
		if (rc)
			return mmis_error_prefix(err, "demo case %d: ", i + 1);
	}
	return MMIS_OK;
}
