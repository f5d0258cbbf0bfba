/*
 * roles.c - the roles and what each may do: one table, data rather than code.
 *
 * Least privilege: the administrator manages accounts but sees no border, case or return data
 * and cannot read the audit trail (the auditor does, and can change nothing); case workers
 * change only the cases assigned to them; nobody but the system sees statistics without
 * small-cell suppression. What each case permission reaches in detail (own case, the agency's,
 * a case referred to the agency within the consent) is the access table of lib/protect/workflow.c.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "mmis/auth.h"

#define N_ SCOPE_NONE
#define O_ SCOPE_OWN
#define A_ SCOPE_AGENCY
#define L_ SCOPE_ALL

static const struct role roles[] = {
	{ "admin", "Administrator", {
		[PERM_SELF] = O_,
		[PERM_USERS_ADMIN] = L_,
		[PERM_AGENCIES_ADMIN] = L_,
		[PERM_TOKENS_ADMIN] = L_,
	} },
	{ "auditor", "Auditor", {
		[PERM_SELF] = O_,
		[PERM_AUDIT_READ] = L_,
	} },
	/* A border officer is a first responder: screens a person for vulnerability and opens the
	 * case, which stays in reach while it is assigned to the officer (until transferred). */
	{ "border_officer", "Border officer", {
		[PERM_SELF] = O_,
		[PERM_BORDER_READ] = A_,
		[PERM_BORDER_WRITE] = O_,
		[PERM_CASE_READ] = O_,
		[PERM_CASE_WRITE] = O_,
		[PERM_SCREEN] = L_,
	} },
	/* Overstays and reports need every crossing, whichever agency recorded it; corrections
	 * stay within the supervisor's own agency. */
	{ "border_supervisor", "Border supervisor", {
		[PERM_SELF] = O_,
		[PERM_BORDER_READ] = L_,
		[PERM_BORDER_WRITE] = A_,
		[PERM_BORDER_SUPERVISE] = A_,
		[PERM_SCREEN] = L_,
	} },
	/* A case worker reads the agency's cases (issue 6: "their own cases, their agency's") and
	 * changes the ones assigned to them. Cases referred in from another agency are reached
	 * through the referral, within the consent, not through this table. */
	{ "case_worker", "Protection case worker", {
		[PERM_SELF] = O_,
		[PERM_CASE_READ] = A_,
		[PERM_CASE_WRITE] = O_,
	} },
	{ "case_supervisor", "Protection case supervisor", {
		[PERM_SELF] = O_,
		[PERM_CASE_READ] = A_,
		[PERM_CASE_WRITE] = A_,
		[PERM_CASE_SUPERVISE] = A_,
	} },
	/* A member of the Team for Formal Identification of victims of trafficking: a case worker
	 * who may also decide formal identification on the cases of the team's agency. */
	{ "identification_officer", "Identification team member", {
		[PERM_SELF] = O_,
		[PERM_CASE_READ] = A_,
		[PERM_CASE_WRITE] = O_,
		[PERM_CASE_IDENTIFY] = A_,
	} },
	{ "return_counsellor", "Return counsellor", {
		[PERM_SELF] = O_,
		[PERM_AVRR_READ] = A_,
		[PERM_AVRR_WRITE] = A_,
	} },
	/* An analyst publishes: every table is disclosure-controlled. A cell of one or two people
	 * could tell who they are. */
	{ "analyst", "Analyst", {
		[PERM_SELF] = O_,
		[PERM_STATS_READ] = L_,
		[PERM_STATS_UNSUPPRESSED] = N_,
		[PERM_STATS_WRITE] = L_,
	} },
	/* The statistical unit's own analysts, who check tables against the records before they
	 * are published: they may lower the minimum cell or turn suppression off (--min-cell 0),
	 * every such table audited as below the deployment's minimum. Never for cases. */
	{ "internal_analyst", "Internal analyst (statistical unit)", {
		[PERM_SELF] = O_,
		[PERM_STATS_READ] = L_,
		[PERM_STATS_UNSUPPRESSED] = L_,
		[PERM_STATS_WRITE] = L_,
	} },
	{ "exchange_officer", "Data exchange officer", {
		[PERM_SELF] = O_,
		[PERM_STATS_READ] = L_,
		[PERM_EXCHANGE] = L_,
	} },
	/* Another system (a visa or police system) that screens names against the alert lists
	 * through POST /api/v1/screen with an API token, and reads nothing else. */
	{ "screening_client", "Screening client (another system)", {
		[PERM_SELF] = O_,
		[PERM_SCREEN] = L_,
	} },
};

#undef N_
#undef O_
#undef A_
#undef L_

static const char *const perm_names[PERM__COUNT] = {
	[PERM_SELF] = "self",
	[PERM_USERS_ADMIN] = "users.admin",
	[PERM_AGENCIES_ADMIN] = "agencies.admin",
	[PERM_TOKENS_ADMIN] = "tokens.admin",
	[PERM_AUDIT_READ] = "audit.read",
	[PERM_BORDER_READ] = "border.read",
	[PERM_BORDER_WRITE] = "border.write",
	[PERM_BORDER_SUPERVISE] = "border.supervise",
	[PERM_CASE_READ] = "case.read",
	[PERM_CASE_WRITE] = "case.write",
	[PERM_CASE_SUPERVISE] = "case.supervise",
	[PERM_AVRR_READ] = "avrr.read",
	[PERM_AVRR_WRITE] = "avrr.write",
	[PERM_STATS_READ] = "stats.read",
	[PERM_STATS_UNSUPPRESSED] = "stats.unsuppressed",
	[PERM_EXCHANGE] = "exchange",
	[PERM_CASE_IDENTIFY] = "case.identify",
	[PERM_SCREEN] = "screen",
	[PERM_STATS_WRITE] = "stats.write",
};

static const char *const scope_names[] = {
	[SCOPE_NONE] = "none",
	[SCOPE_OWN] = "own",
	[SCOPE_AGENCY] = "agency",
	[SCOPE_ALL] = "all",
};

size_t role_count(void)
{
	return sizeof(roles) / sizeof(roles[0]);
}

const struct role *role_at(size_t i)
{
	return i < role_count() ? &roles[i] : NULL;
}

const struct role *role_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < role_count(); i++)
		if (!strcmp(roles[i].name, name))
			return &roles[i];
	return NULL;
}

const char *perm_name(enum perm p)
{
	return (unsigned)p < PERM__COUNT ? perm_names[p] : "unknown";
}

const char *scope_name(enum scope s)
{
	return (unsigned)s <= SCOPE_ALL ? scope_names[s] : "unknown";
}

void actor_system(struct actor *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->username, "system", sizeof("system"));
	out->via = VIA_SYSTEM;
}

/*
 * The system actor is recognised by all of its marks, so that a zero-filled or half-made actor
 * is never mistaken for it and never gets more than nothing.
 */
bool actor_is_system(const struct actor *a)
{
	return a && !a->role && a->via == VIA_SYSTEM && !a->user_id[0] &&
	       !strcmp(a->username, "system");
}

enum scope actor_scope(const struct actor *a, enum perm p)
{
	assert((unsigned)p < PERM__COUNT);
	if ((unsigned)p >= PERM__COUNT || !a)
		return SCOPE_NONE;
	if (actor_is_system(a))
		return SCOPE_ALL;
	if (!a->role || !a->user_id[0])
		return SCOPE_NONE;
	return a->role->grants[p];
}

bool actor_may(const struct actor *a, enum perm p, const char *owner_user_id,
	       const char *owner_agency_id)
{
	switch (actor_scope(a, p)) {
	case SCOPE_ALL:
		return true;
	case SCOPE_AGENCY:
		return owner_agency_id && a->agency_id[0] && !strcmp(owner_agency_id, a->agency_id);
	case SCOPE_OWN:
		return owner_user_id && a->user_id[0] && !strcmp(owner_user_id, a->user_id);
	case SCOPE_NONE:
		break;
	}
	return false;
}
