/*
 * internal.h - what the files of lib/stats share (not part of the public API).
 */
#ifndef MMIS_STATS_INTERNAL_H
#define MMIS_STATS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/date.h"
#include "mmis/stats.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS (86400 * 1000LL)
#define STATS_CODES_MAX 4000 /* codes of one dimension in one table */

enum mmis_err stats_oom(struct mmis_error *err);
enum mmis_err stats_denied(struct mmis_error *err, enum perm p);
void stats_copy(char *dst, size_t cap, const char *s);

/*
 * A cube being counted: codes of each dimension interned as they come, counts added per
 * combination. stats_cube_finish sorts the codes into their published order, builds the margins
 * and applies disclosure control (table.c).
 */
struct stats_cube;
struct stats_cube *stats_cube_new(int n_dims, const enum stats_dim *dims);
void stats_cube_free(struct stats_cube *c);
/* Add `n` to the cell of `codes` (one per dimension). MMIS_ETOOBIG past STATS_CODES_MAX codes
 * in a dimension, MMIS_ENOMEM. */
enum mmis_err stats_cube_add(struct stats_cube *c, const char *const *codes, int64_t n,
			     struct mmis_error *err);
/* Turn the cube into a table (the cube is consumed, also on failure), suppressed with K =
 * min_cell and, with group_rule, so that no line's hidden cells add up to 1..K-1 (table.c). */
enum mmis_err stats_cube_finish(struct stats_cube *c, int min_cell, bool group_rule,
				struct stats_table **out, struct mmis_error *err);

/* What stats_run records about a table for its exports. */
void stats_table_set_meta(struct stats_table *t, const struct stats_source *src,
			  const struct stats_query *q, bool totals);

/* What the exports need beyond the rows (NULL source for a table made from cells). */
const struct stats_source *stats_table_source(const struct stats_table *t);
void stats_table_period(const struct stats_table *t, struct date *from, struct date *to,
			struct date *on, bool *known, const char **made_at);
bool stats_table_totals(const struct stats_table *t);

/* The facts of a crossing into the codes of every dimension (periods of the day in day_code). */
struct stats_codes {
	char day[16];            /* YYYY-MM-DD */
	struct date date;
	const char *direction;
	char bcp[17];
	char nationality[4];
	char sex[2];
	const char *age_band;
	const char *transport;
};
void stats_classify(const struct stats_crossing_facts *f, struct stats_codes *c);
/* The code of dimension d for classified facts (periods computed into buf). */
const char *stats_code_of(const struct stats_codes *c, enum stats_dim d, char buf[16]);
/* Nationality as counted: the code, or XXX when unknown. */
void stats_nationality(const char *in, char out[4]);

/* A value as JSON: an integer when it is one, else a real. */
json_t *stats_value_json(double v);

/* The 12/16-month estimate for a year (stats_long_term without permission check or audit). */
enum mmis_err stats_long_term_json(struct store *s, int year, json_t **out, struct mmis_error *err);

#endif
