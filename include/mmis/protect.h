/*
 * protect.h - protection of vulnerable migrants: vulnerability screening, cases, workflows,
 * consents, referrals, services delivered, projects and donors, notes and follow-ups
 * (docs/protection.md).
 *
 * Data, not code:
 *   - Forms (the vulnerability screening, the assessment, the case plan, a child's guardian, the
 *     best interests assessment and determination) are JSON definitions built into the binary
 *     from the files in lib/protect/forms/: fields with an id, a type (bool, choice, multi_choice, date,
 *     number, text), choices, required, shown_if (a condition on other answers), labels in en and
 *     cnr, and the consent scope each answer belongs to. The screening's suggested outcome and
 *     case types are rules in the same file. A new question is a change of that file only.
 *   - The case workflow (states, transitions, the permission each needs, what each requires),
 *     the referral workflow, and the access table (which permission and which relation to the
 *     case each action needs) are static tables in lib/protect/workflow.c, also served by the
 *     API (GET /api/v1/protection/access) and printed by `mmis case access`.
 *
 * Reach: an actor reaches a case
 *   - fully when actor_may(actor, case.read, case worker, case agency): the assigned worker
 *     (scope own), the case's agency (scope agency), or everyone (the system);
 *   - as a receiving agency when an open referral (pending, accepted, completed) of the case goes
 *     to the actor's agency and the actor holds case.read: then it sees only what the consent
 *     behind that referral covers (scopes identity, contact, story, health), answer by answer;
 *   - otherwise not at all: MMIS_ENOTFOUND, as if the case did not exist.
 * An action the actor may see but not take is MMIS_EDENIED. Every read of a case is audited
 * (case.read), every write too, each in the transaction of its work.
 *
 * Functions taking `const json_t *in` read a request body: unknown members are refused and every
 * bad member is MMIS_EINVAL naming it (the field), before anything is written. Returned JSON
 * values are new references owned by the caller.
 */
#ifndef MMIS_PROTECT_H
#define MMIS_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/date.h"
#include "mmis/err.h"

#define PROTECT_TEXT_MAX 200    /* names, short answers */
#define PROTECT_LONG_MAX 8000   /* a story, a note */
#define PROTECT_REFLECTION_DAYS 90      /* default of the setting protect.reflection_days */
#define PROTECT_REFLECTION_WARN_DAYS 14 /* default of protect.reflection_warn_days */
#define PROTECT_SCREENING_FORM "vulnerability_screening"

/* ---- reference lists (NULL-terminated) */

/* Case types: presumed_victim_of_trafficking, victim_of_trafficking, unaccompanied_child,
 * separated_child, smuggled_migrant, other_vulnerable. */
extern const char *const protect_case_types[];
/* Case states, in workflow order: identified, assessment, case_plan, services,
 * services_implemented, closed. */
extern const char *const protect_case_states[];
/* Services a provider offers and a case receives: shelter, medical, psychosocial, legal_aid,
 * interpretation, education, family_tracing, financial, documents, return_counselling. */
extern const char *const protect_services[];
/* Consent scopes: identity, contact, story, health. */
extern const char *const protect_scopes[];
/* Referral states: pending, accepted, declined, completed, withdrawn. */
extern const char *const protect_referral_states[];
/* Reasons to close a case. */
extern const char *const protect_closure_reasons[];
/* HTCDS 2.0 code lists: vic_TypeOfExploitation, vic_MethodsOfControl,
 * vic_RelationshipToTrafficker; trafficking status PossibleVictim, ActualVictim,
 * NotAVictimOfTrafficking. */
extern const char *const protect_htcds_exploitation[];
extern const char *const protect_htcds_control[];
extern const char *const protect_htcds_relationship[];

/* Whether `s` is in the NULL-terminated `list`. */
bool protect_in_list(const char *const *list, const char *s);

/* ---- forms */

struct form;

/* The built-in forms: a JSON array of {id, version, title: {en, cnr}, case_form}. */
enum mmis_err form_list(json_t **out, struct mmis_error *err);

/* A built-in form by id (NULL when none, or when the built-in definitions are broken: a
 * programmer error the unit tests catch). Owned by the library. */
const struct form *form_find(const char *id);

/* The definition as JSON (a new reference). */
json_t *form_definition(const struct form *f);
const char *form_id(const struct form *f);
int form_version(const struct form *f);

/*
 * Parse and check a form definition (a JSON object as in lib/protect/forms/): every field's type,
 * choices, scope and labels, every condition's field, unique ids. MMIS_EINVAL naming what is
 * wrong. form_free() releases what it returns; the built-ins are made with it too.
 */
enum mmis_err form_parse(const char *json_text, struct form **out, struct mmis_error *err);
void form_free(struct form *f);

/*
 * Check `answers` (a JSON object: field id -> answer) against the form: no unknown field, each
 * answer of its field's type (a choice among the choices, a date YYYY-MM-DD, a number in range,
 * text within its length), required fields answered when shown, no answer to a question that is
 * not shown. MMIS_EINVAL with `field` the field's id. *clean (may be NULL) receives the answers
 * kept, nulls removed (a new reference).
 */
enum mmis_err form_check(const struct form *f, const json_t *answers, json_t **clean,
			 struct mmis_error *err);

/* What the form's rules make of (checked) answers: {"outcomes":[ids], "case_types":[types],
 * "indicators": {"strong": n, "total": n}}; outcomes holds the default outcome when no rule
 * matches. */
json_t *form_evaluate(const struct form *f, const json_t *answers);

/* The answers whose field's scope is in `scopes` (a NULL-terminated list; NULL: all). */
json_t *form_filter(const struct form *f, const json_t *answers, const char *const *scopes);

/* ---- the access table and the workflows (data) */

/* The access table as a JSON array of {action, method, route, permission, reach: [...], what}. */
json_t *protect_access_json(void);

/* The access table as a Markdown table (docs/protection.md holds the same); free() it. */
char *protect_access_markdown(void);

/* The case workflow as a JSON array of {from, to, permission, requires: [...]}. */
json_t *protect_workflow_json(void);

/* ---- settings (site_setting rows) */

struct protect_settings {
	int reflection_days;      /* 1..365: a presumed victim's reflection period */
	int reflection_warn_days; /* 0..90: warn this many days before it ends */
};

enum mmis_err protect_settings_get(const struct mmis_ctx *cx, struct protect_settings *out,
				   struct mmis_error *err);
/* Needs case.supervise over all (the system). */
enum mmis_err protect_settings_set(const struct mmis_ctx *cx, const struct actor *a,
				   const struct protect_settings *in, struct mmis_error *err);

/* ---- screening */

/*
 * Record a screening: {"form"?: id (default the vulnerability screening), "answers": {...},
 * "person_id"?: a traveller (border), "bcp"?: a BCP code}. Needs case.write. *out receives
 * {id, form, form_version, outcomes: [{id, label}], case_types, indicators, created_at}.
 */
enum mmis_err screening_record(const struct mmis_ctx *cx, const struct actor *a, const json_t *in,
			       json_t **out, struct mmis_error *err);

/* ---- cases */

/*
 * Open a case owned by the actor and its agency, in state "identified": members screening_id,
 * person_id, types (required unless the screening suggests some; never victim_of_trafficking,
 * which only formal identification gives), opened_on (a date, not in the future; default
 * today), surname, given_names, sex, birth_date (may be partial), citizenship, languages, phone,
 * address, story, health, exploitation, means_of_control, relationship_to_trafficker,
 * country_of_exploitation, bcp. A presumed victim who is not a citizen gets the reflection
 * period from opened_on. Needs case.write. id_out may be NULL.
 */
enum mmis_err case_open(const struct mmis_ctx *cx, const struct actor *a, const json_t *in,
			char id_out[UUID_STR_MAX], struct mmis_error *err);

/* A case as the actor may see it (see "Reach" above), with "access": "full" or "referred" and
 * "scopes"; MMIS_ENOTFOUND outside the actor's reach. Audited as case.read. */
enum mmis_err case_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
		       json_t **out, struct mmis_error *err);

struct case_filter {
	const char *state;  /* NULL: any */
	const char *type;   /* NULL: any */
	bool mine;          /* only cases assigned to the actor */
	bool open_only;     /* not closed */
	int limit;          /* 1..500; 0: 50 */
	int offset;         /* >= 0 */
};

/* The cases the actor reaches fully, those needing attention first (overdue follow-ups, then
 * reflection periods ending), then the latest changed: {items: [...], total, limit, offset}. */
enum mmis_err case_list(const struct mmis_ctx *cx, const struct actor *a,
			const struct case_filter *f, json_t **out, struct mmis_error *err);

/* Change a case's profile: the members of case_open but screening_id and opened_on. */
enum mmis_err case_update(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			  const json_t *in, struct mmis_error *err);

/*
 * Move a case along its workflow: {"to": STATE, "closure_reason"?, "reason"?}. MMIS_ECONFLICT
 * (field "to") when the workflow has no such step from the case's state; MMIS_EDENIED when the
 * step needs a permission the actor lacks (reopening: case.supervise); MMIS_EINVAL naming what a
 * step requires and is missing (a form, a closure reason, a service). Nothing changes then.
 */
enum mmis_err case_transition(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			      const json_t *in, struct mmis_error *err);

/* Formal identification by the identification team (case.identify): {"outcome": "victim" |
 * "not_victim", "decided_on"?: date, "note"?}. Only a presumed victim's open case. */
enum mmis_err case_identify(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			    const json_t *in, struct mmis_error *err);

/* Assign a case to a worker of its agency: {"worker": username}. A case supervisor assigns
 * anyone of the agency; a worker may take an unassigned case of the agency. */
enum mmis_err case_assign(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			  const json_t *in, struct mmis_error *err);

/* Transfer a case to another agency: {"to_agency": CODE, "worker"?: username, "reason"}. The
 * sending side keeps no reach (unless a referral gives it). */
enum mmis_err case_transfer(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			    const json_t *in, struct mmis_error *err);

/* Complete a case form (assessment, case_plan, guardian, best_interests,
 * best_interests_determination): {"answers": {...}}. id_out may be NULL. */
enum mmis_err case_form_submit(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			       const char *form, const json_t *in, char id_out[UUID_STR_MAX],
			       struct mmis_error *err);

enum mmis_err case_note_add(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			    const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err);
/* {"due_on": date, "text"} */
enum mmis_err case_followup_add(const struct mmis_ctx *cx, const struct actor *a, const char *id,
				const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err);
/* Mark a follow-up done; *case_id_out (may be NULL) receives its case. */
enum mmis_err case_followup_done(const struct mmis_ctx *cx, const struct actor *a,
				 const char *followup_id, char case_id_out[UUID_STR_MAX],
				 struct mmis_error *err);

/* ---- consents, referrals, services */

/*
 * Record the person's consent to share with an agency: {"to_agency": CODE, "scopes": [identity,
 * contact, story, health], "given_by": "person" | "guardian", "guardian_name"?, "given_on"?,
 * "note"?}. A child's consent is a guardian's. id_out may be NULL.
 */
enum mmis_err consent_add(const struct mmis_ctx *cx, const struct actor *a, const char *case_id,
			  const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err);
enum mmis_err consent_withdraw(const struct mmis_ctx *cx, const struct actor *a,
			       const char *case_id, const char *consent_id, struct mmis_error *err);

/*
 * Refer a case: {"to_agency": CODE, "service", "note"?, "override_reason"?, "scopes"?}. The
 * receiving agency must offer the service. Without a consent covering the receiving agency (a
 * guardian's for a child): MMIS_ECONFLICT with field "consent", unless a case supervisor gives
 * override_reason and the scopes to share (audited). *out receives the referral.
 */
enum mmis_err referral_create(const struct mmis_ctx *cx, const struct actor *a,
			      const char *case_id, const json_t *in, json_t **out,
			      struct mmis_error *err);

/* "accept", "decline" ({"reason"} required), "complete" by the receiving agency; "withdraw" by
 * the sending side. MMIS_ECONFLICT from the wrong state. */
enum mmis_err referral_act(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *action, const json_t *in, json_t **out,
			   struct mmis_error *err);

/* Referrals: direction "in" (to the actor's agency) or "out" (of the cases it reaches fully),
 * state NULL for any; pending first. */
enum mmis_err referral_list(const struct mmis_ctx *cx, const struct actor *a,
			    const char *direction, const char *state, json_t **out,
			    struct mmis_error *err);

/* A service delivered: {"service", "delivered_on": date, "provider"?: agency code (default the
 * actor's), "project"?: project code, "referral_id"?, "note"?}. id_out may be NULL. */
enum mmis_err service_add(const struct mmis_ctx *cx, const struct actor *a, const char *case_id,
			  const json_t *in, char id_out[UUID_STR_MAX], struct mmis_error *err);

/* Service providers: agencies with the services they offer, {code, name, kind, services}. */
enum mmis_err provider_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			    struct mmis_error *err);
/* Set what an agency offers (a JSON array of services). Needs agencies.admin. */
enum mmis_err provider_set_services(const struct mmis_ctx *cx, const struct actor *a,
				    const char *agency_code, const json_t *services,
				    struct mmis_error *err);

/* Projects and their donors: {code, name, donor}. Adding needs agencies.admin. */
enum mmis_err project_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			   struct mmis_error *err);
enum mmis_err project_add(const struct mmis_ctx *cx, const struct actor *a, const char *code,
			  const char *name, const char *donor, struct mmis_error *err);

/* ---- supervision */

/* The supervisor's view of the agency's cases (case.supervise): open cases by type and state,
 * overdue follow-ups, reflection periods ending, unassigned cases, referrals waiting. */
enum mmis_err protect_dashboard(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
				struct mmis_error *err);

/* ---- demo data (called by demo_seed) */

/* Service providers, the three projects, and a few dozen synthetic cases across the demo
 * agencies, deterministic from `seed`. Does nothing when cases exist already. */
enum mmis_err protect_demo_seed(const struct mmis_ctx *cx, uint64_t seed,
				const struct date *today, struct mmis_error *err);

#endif
