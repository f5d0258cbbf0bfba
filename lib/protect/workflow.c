/*
 * workflow.c - the tables that decide: reference lists, the case workflow (states, steps, who
 * may take each and what each requires) and the access table (which permission and which
 * relation to the case every action needs). Changing a rule is changing a row here; the code
 * that applies them (access_check, case_transition) has no rule of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/strbuf.h"

const char *const protect_case_types[] = {
	"presumed_victim_of_trafficking", "victim_of_trafficking", "unaccompanied_child",
	"separated_child", "smuggled_migrant", "other_vulnerable", NULL,
};

const char *const protect_case_states[] = {
	"identified", "assessment", "case_plan", "services", "services_implemented", "closed", NULL,
};

const char *const protect_services[] = {
	"shelter", "medical", "psychosocial", "legal_aid", "interpretation", "education",
	"family_tracing", "financial", "documents", "return_counselling", NULL,
};

/* The order is the bit order of struct case_rel's scopes. */
const char *const protect_scopes[] = { "identity", "contact", "story", "health", NULL };

const char *const protect_referral_states[] = { "pending", "accepted", "declined", "completed",
						"withdrawn", NULL };

const char *const protect_closure_reasons[] = {
	"objectives_met", "voluntary_return", "moved_away", "lost_contact", "declined_assistance",
	"not_a_victim", "transferred_abroad", "deceased", "other", NULL,
};

/* Human Trafficking Case Data Standard 2.0 (vic_TypeOfExploitation, vic_MethodsOfControl,
 * vic_RelationshipToTrafficker). */
const char *const protect_htcds_exploitation[] = {
	"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
	"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption",
	"Surrogacy", "ForcedCriminality", "Other", NULL,
};
const char *const protect_htcds_control[] = {
	"PhysicalThreats", "PhysicalAbuse", "SexualAbuse", "PsychologicalAbuse", "DebtBondage",
	"FalsePromises", "WithholdsDocuments", "TakesEarnings", "RestrictsMovement",
	"ThreatsToFamily", "SubstanceAbuse", "Isolation", "Other", NULL,
};
const char *const protect_htcds_relationship[] = { "Familial", "Acquainted", "Unacquainted",
						   NULL };

bool protect_in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* ---- the case workflow */

#define FORM(f, t) { REQ_FORM, f, t }
#define CHILD_FORM(f, t) { REQ_CHILD_FORM, f, t }
#define BODY(f, t) { REQ_BODY, f, t }
#define CLOSE_REQS                                                                             \
	{ BODY("closure_reason", "closing a case needs a closure reason"),                     \
	  { REQ_DETERMINATION, "best_interests_determination",                                 \
	    "the best interests assessment asked for a determination: complete it first" } }

/*
 * identified -> assessment -> case_plan -> services -> services_implemented -> closed; closing
 * from any open state; back to services when more are needed; reopening (back to assessment)
 * by a case supervisor.
 */
static const struct wf_step steps[] = {
	{ "identified", "assessment", PERM_CASE_WRITE, "the case's worker", { { 0 } } },
	{ "assessment", "case_plan", PERM_CASE_WRITE, "the case's worker",
	  { FORM("assessment", "the needs and risk assessment must be completed first"),
	    CHILD_FORM("guardian", "a child needs a guardian appointed first"),
	    CHILD_FORM("best_interests", "a child's best interests must be assessed first") } },
	{ "case_plan", "services", PERM_CASE_WRITE, "the case's worker",
	  { FORM("case_plan", "the case plan must be written first") } },
	{ "services", "services_implemented", PERM_CASE_WRITE, "the case's worker",
	  { { REQ_SERVICE, "services", "no service has been delivered yet" } } },
	{ "services_implemented", "services", PERM_CASE_WRITE, "the case's worker",
	  { BODY("reason", "going back to services needs a reason") } },
	{ "services_implemented", "closed", PERM_CASE_WRITE, "the case's worker", CLOSE_REQS },
	{ "identified", "closed", PERM_CASE_WRITE, "the case's worker", CLOSE_REQS },
	{ "assessment", "closed", PERM_CASE_WRITE, "the case's worker", CLOSE_REQS },
	{ "case_plan", "closed", PERM_CASE_WRITE, "the case's worker", CLOSE_REQS },
	{ "services", "closed", PERM_CASE_WRITE, "the case's worker", CLOSE_REQS },
	{ "closed", "assessment", PERM_CASE_SUPERVISE, "a case supervisor",
	  { BODY("reason", "reopening a case needs a reason") } },
};

#undef FORM
#undef CHILD_FORM
#undef BODY
#undef CLOSE_REQS

const struct wf_step *wf_step(const char *from, const char *to)
{
	for (size_t i = 0; from && to && i < COUNT(steps); i++)
		if (!strcmp(steps[i].from, from) && !strcmp(steps[i].to, to))
			return &steps[i];
	return NULL;
}

void wf_next_states(const char *from, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < COUNT(steps) && len < cap; i++)
		if (!strcmp(steps[i].from, from))
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
						steps[i].to);
}

size_t wf_step_count(void)
{
	return COUNT(steps);
}

const struct wf_step *wf_step_at(size_t i)
{
	return i < COUNT(steps) ? &steps[i] : NULL;
}

json_t *protect_workflow_json(void)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < COUNT(steps); i++) {
		json_t *reqs = json_array();
		for (size_t j = 0; j < WF_MAX_REQS && steps[i].requires[j].kind; j++) {
			static const char *const kinds[] = { "", "form", "form_if_child", "field",
							     "service", "determination_if_asked" };
			json_array_append_new(reqs, json_pack("{s:s, s:s, s:s}", "kind",
							      kinds[steps[i].requires[j].kind],
							      "name", steps[i].requires[j].arg,
							      "text", steps[i].requires[j].text));
		}
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o}", "from", steps[i].from,
						     "to", steps[i].to, "permission",
						     perm_name(steps[i].perm), "requires", reqs));
	}
	return arr;
}

/* ---- the access table */

#define CASE_R "/api/v1/cases/{id}"

static const struct access_rule rules[] = {
	{ "screening.create", "POST", "/api/v1/screenings", PERM_CASE_WRITE, REACH_ANY,
	  "screen a person for vulnerability" },
	{ "case.create", "POST", "/api/v1/cases", PERM_CASE_WRITE, REACH_ANY,
	  "open a case; the actor becomes its worker" },
	{ "case.list", "GET", "/api/v1/cases", PERM_CASE_READ, REACH_CASE,
	  "list the cases in reach (own: assigned; agency: the agency's)" },
	{ "case.read", "GET", CASE_R, PERM_CASE_READ, REACH_CASE | REACH_REFERRED,
	  "the whole case; a receiving agency only what the consent covers" },
	{ "case.update", "PATCH", CASE_R, PERM_CASE_WRITE, REACH_CASE,
	  "change the case's profile and types" },
	{ "case.transition", "POST", CASE_R "/transitions", PERM_CASE_WRITE, REACH_CASE,
	  "move along the workflow (each step names its own permission)" },
	{ "case.identify", "POST", CASE_R "/identification", PERM_CASE_IDENTIFY, REACH_CASE,
	  "formal identification of a presumed victim" },
	{ "case.assign", "POST", CASE_R "/assignment", PERM_CASE_SUPERVISE, REACH_CASE,
	  "assign the case to a worker of its agency" },
	{ "case.take", "POST", CASE_R "/assignment", PERM_CASE_WRITE, REACH_UNASSIGNED,
	  "take an unassigned case of one's agency" },
	{ "case.transfer", "POST", CASE_R "/transfer", PERM_CASE_WRITE, REACH_CASE,
	  "hand the case to another agency" },
	{ "case.form", "POST", CASE_R "/forms/{form}", PERM_CASE_WRITE, REACH_CASE,
	  "complete an assessment, case plan, guardian or best interests form" },
	{ "consent.create", "POST", CASE_R "/consents", PERM_CASE_WRITE, REACH_CASE,
	  "record the person's (a guardian's) consent to share with an agency" },
	{ "consent.withdraw", "POST", CASE_R "/consents/{consent}/withdraw", PERM_CASE_WRITE,
	  REACH_CASE, "record that a consent is withdrawn" },
	{ "referral.create", "POST", CASE_R "/referrals", PERM_CASE_WRITE, REACH_CASE,
	  "refer to a service provider, within the consent" },
	{ "referral.override", "POST", CASE_R "/referrals", PERM_CASE_SUPERVISE, REACH_CASE,
	  "refer without a covering consent, with a reason (audited)" },
	{ "referral.list", "GET", "/api/v1/referrals", PERM_CASE_READ, REACH_CASE | REACH_RECEIVER,
	  "referrals received by one's agency, or sent for the cases in reach" },
	{ "referral.accept", "POST", "/api/v1/referrals/{id}/accept", PERM_CASE_WRITE,
	  REACH_RECEIVER, "accept a referral to one's agency" },
	{ "referral.decline", "POST", "/api/v1/referrals/{id}/decline", PERM_CASE_WRITE,
	  REACH_RECEIVER, "decline a referral to one's agency, with a reason" },
	{ "referral.complete", "POST", "/api/v1/referrals/{id}/complete", PERM_CASE_WRITE,
	  REACH_RECEIVER, "mark an accepted referral done" },
	{ "referral.withdraw", "POST", "/api/v1/referrals/{id}/withdraw", PERM_CASE_WRITE,
	  REACH_CASE, "withdraw a referral the case's side made" },
	{ "service.create", "POST", CASE_R "/services", PERM_CASE_WRITE, REACH_CASE | REACH_ACCEPTED,
	  "record a service delivered (a receiving agency: its own, after accepting)" },
	{ "note.create", "POST", CASE_R "/notes", PERM_CASE_WRITE, REACH_CASE, "add a note" },
	{ "followup.create", "POST", CASE_R "/followups", PERM_CASE_WRITE, REACH_CASE,
	  "add a follow-up with its due date" },
	{ "followup.done", "POST", "/api/v1/followups/{id}/done", PERM_CASE_WRITE, REACH_CASE,
	  "mark a follow-up done" },
	{ "protection.dashboard", "GET", "/api/v1/protection/dashboard", PERM_CASE_SUPERVISE,
	  REACH_CASE, "open cases by type and state, overdue items (the agency's)" },
};

#undef CASE_R

const struct access_rule *access_rule(const char *action)
{
	for (size_t i = 0; action && i < COUNT(rules); i++)
		if (!strcmp(rules[i].action, action))
			return &rules[i];
	return NULL;
}

static const struct {
	unsigned bit;
	const char *name, *text;
} reach_names[] = {
	{ REACH_ANY, "any", "any holder" },
	{ REACH_CASE, "case", "the case's worker (own) or agency (agency)" },
	{ REACH_UNASSIGNED, "unassigned", "an unassigned case of one's agency" },
	{ REACH_REFERRED, "referred", "a receiving agency, within the consent" },
	{ REACH_RECEIVER, "receiver", "the receiving agency" },
	{ REACH_ACCEPTED, "accepted", "a receiving agency that accepted" },
};

json_t *protect_access_json(void)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < COUNT(rules); i++) {
		json_t *reach = json_array();
		for (size_t j = 0; j < COUNT(reach_names); j++)
			if (rules[i].reach & reach_names[j].bit)
				json_array_append_new(reach, json_string(reach_names[j].name));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "action",
						     rules[i].action, "method", rules[i].method,
						     "route", rules[i].route, "permission",
						     perm_name(rules[i].perm), "reach", reach,
						     "what", rules[i].what));
	}
	return arr;
}

char *protect_access_markdown(void)
{
	struct strbuf sb;

	strbuf_init(&sb, 64 * 1024);
	strbuf_addstr(&sb, "| action | method | route | permission | reach | what |\n"
			   "| --- | --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < COUNT(rules); i++) {
		strbuf_addf(&sb, "| %s | %s | %s | %s | ", rules[i].action, rules[i].method,
			    rules[i].route, perm_name(rules[i].perm));
		bool first = true;
		for (size_t j = 0; j < COUNT(reach_names); j++)
			if (rules[i].reach & reach_names[j].bit) {
				strbuf_addf(&sb, "%s%s", first ? "" : ", ", reach_names[j].name);
				first = false;
			}
		strbuf_addf(&sb, " | %s |\n", rules[i].what);
	}
	return strbuf_detach(&sb, NULL);
}

/* ---- applying it */

enum mmis_err access_check(const char *action, const struct actor *a, const struct case_row *c,
			   const struct case_rel *rel, struct mmis_error *err)
{
	const struct access_rule *r = access_rule(action);
	enum scope sc;
	bool sees;

	if (!r) /* a programmer error: every action has its row */
		return mmis_error_set(err, MMIS_EDENIED, NULL, "no access rule for %s", action);
	sc = actor_scope(a, r->perm);
	sees = !c || (rel && (rel->full || rel->referred));
	/* Without the permission at all: refused, whether or not the case exists (this tells
	 * nothing); with it, a case out of reach does not exist. */
	if (sc == SCOPE_NONE && (sees || actor_scope(a, PERM_CASE_READ) == SCOPE_NONE))
		return mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: %s needs the permission %s",
				      action, perm_name(r->perm));
	if (!sees)
		return mmis_error_set(err, MMIS_ENOTFOUND, "id", "no such case");
	if (!c) /* no one case: a creation, or a list narrowed to the scope */
		return MMIS_OK;
	if ((r->reach & REACH_ANY) ||
	    ((r->reach & REACH_CASE) && c && actor_may(a, r->perm, c->worker_id, c->agency_id)) ||
	    ((r->reach & REACH_UNASSIGNED) && rel && rel->unassigned) ||
	    ((r->reach & REACH_REFERRED) && rel && rel->referred) ||
	    ((r->reach & REACH_ACCEPTED) && rel && rel->accepted) ||
	    ((r->reach & REACH_RECEIVER) && rel && rel->referred))
		return MMIS_OK;
	return mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: %s (%s) is for %s", action,
			      r->what, sc == SCOPE_OWN ? "the case's worker or agency supervisor"
							: "the case's agency");
}
