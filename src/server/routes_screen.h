/*
 * routes_screen.h - the handlers of the screening routes (routes_screen.c), listed in the route
 * table of routes.c.
 */
#ifndef MMIS_SERVER_ROUTES_SCREEN_H
#define MMIS_SERVER_ROUTES_SCREEN_H

struct req;

void h_screen(struct req *r);
void h_watchlists(struct req *r);
void h_hits(struct req *r);
void h_hit_get(struct req *r);
void h_hit_confirm(struct req *r);
void h_hit_dismiss(struct req *r);

#endif
