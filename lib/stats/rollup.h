/*
 * rollup.h - the roll-up tables (rollup.c), for the query planner (query.c).
 */
#ifndef MMIS_STATS_ROLLUP_H
#define MMIS_STATS_ROLLUP_H

#include <stdbool.h>
#include <stddef.h>

/* The columns a roll-up may hold besides its period. */
enum rollup_col {
	RC_BCP = 1 << 0,
	RC_DIRECTION = 1 << 1,
	RC_NATIONALITY = 1 << 2,
	RC_SEX = 1 << 3,
	RC_AGE = 1 << 4,
	RC_TRANSPORT = 1 << 5,
};

struct stats_rollup {
	const char *table;
	bool monthly;   /* period "YYYY-MM"; else a day "YYYY-MM-DD" */
	unsigned cols;  /* enum rollup_col */
};

size_t stats_rollup_count(void);
const struct stats_rollup *stats_rollup_at(size_t i);
/* The column name of one enum rollup_col bit ("bcp", "age_band"). */
const char *stats_rollup_column(unsigned rc);

#endif
