/*
 * routes_stats.h - the handlers of the statistics routes (routes_stats.c), listed in the route
 * table of routes.c.
 */
#ifndef MMIS_SERVER_ROUTES_STATS_H
#define MMIS_SERVER_ROUTES_STATS_H

struct req;

void h_stats_flows(struct req *r);
void h_stats_refusals(struct req *r);
void h_stats_overstays(struct req *r);
void h_stats_cases(struct req *r);
void h_stats_referrals(struct req *r);
void h_stats_services(struct req *r);
void h_stats_indicators(struct req *r);
void h_stats_series(struct req *r);
void h_stats_regional(struct req *r);
void h_stats_alerts(struct req *r);

#endif
