/*
 * routes_merge.h - the handlers of the duplicate-person routes (routes_merge.c), listed in the
 * route table of routes.c.
 */
#ifndef MMIS_SERVER_ROUTES_MERGE_H
#define MMIS_SERVER_ROUTES_MERGE_H

struct req;

void h_merges(struct req *r);
void h_merge_get(struct req *r);
void h_merge_accept(struct req *r);
void h_merge_reject(struct req *r);
void h_merge_revert(struct req *r);
void h_merges_detect(struct req *r);

#endif
