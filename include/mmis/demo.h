/*
 * demo.h - demo data for training officials and for trying mmis out.
 *
 * `mmis demo` fills a new database with it and serves it. Every capability adds its demo data
 * here (agencies and users first; crossings, cases, returns and statistics as they arrive), made
 * from a seed so that the same seed gives the same data. All of it is synthetic.
 */
#ifndef MMIS_DEMO_H
#define MMIS_DEMO_H

#include <stdint.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/err.h"

/*
 * Fill the database with demo data: the agencies Border Police (BP), Directorate for Migration
 * (DM), Centre for Social Work Podgorica (CSW-PG), an NGO shelter (NGO-SHELTER), IOM Montenegro
 * (IOM) and the police anti-trafficking unit (POL-AT), users of every role with the documented
 * demo passwords (docs/demo.md), border crossings and protection cases. Refuses
 * (MMIS_ECONFLICT) a database that already has users other than the demo's.
 * `accounts_out` (may be NULL) receives a JSON array of {username, role, agency, password}.
 */
enum mmis_err demo_seed(const struct mmis_ctx *cx, uint64_t seed, json_t **accounts_out,
			struct mmis_error *err);

#endif
