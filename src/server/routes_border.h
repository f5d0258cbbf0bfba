/*
 * routes_border.h - the handlers of the border routes (routes_border.c), listed in the route
 * table of routes.c.
 */
#ifndef MMIS_SERVER_ROUTES_BORDER_H
#define MMIS_SERVER_ROUTES_BORDER_H

struct req;

void h_mrz_parse(struct req *r);
void h_bcps(struct req *r);
void h_crossing_add(struct req *r);
void h_persons_find(struct req *r);
void h_person_get(struct req *r);
void h_person_authorise(struct req *r);
void h_refusal_add(struct req *r);
void h_refusals(struct req *r);
void h_overstayers(struct req *r);
void h_border_summary(struct req *r);

#endif
