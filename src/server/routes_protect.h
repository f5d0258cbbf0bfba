/*
 * routes_protect.h - the handlers of the protection routes (routes_protect.c), listed in the
 * route table of routes.c.
 */
#ifndef MMIS_SERVER_ROUTES_PROTECT_H
#define MMIS_SERVER_ROUTES_PROTECT_H

struct req;

void h_forms(struct req *r);
void h_form_get(struct req *r);
void h_screening_add(struct req *r);
void h_case_add(struct req *r);
void h_cases(struct req *r);
void h_case_get(struct req *r);
void h_case_update(struct req *r);
void h_case_transition(struct req *r);
void h_case_identify(struct req *r);
void h_case_assign(struct req *r);
void h_case_transfer(struct req *r);
void h_case_form(struct req *r);
void h_consent_add(struct req *r);
void h_consent_withdraw(struct req *r);
void h_referral_add(struct req *r);
void h_referral_accept(struct req *r);
void h_referral_decline(struct req *r);
void h_referral_complete(struct req *r);
void h_referral_withdraw(struct req *r);
void h_referrals(struct req *r);
void h_service_add(struct req *r);
void h_note_add(struct req *r);
void h_followup_add(struct req *r);
void h_followup_done(struct req *r);
void h_providers(struct req *r);
void h_agency_services(struct req *r);
void h_projects(struct req *r);
void h_project_add(struct req *r);
void h_protect_dashboard(struct req *r);
void h_protect_access(struct req *r);

#endif
