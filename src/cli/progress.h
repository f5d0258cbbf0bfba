/*
 * progress.h - a progress bar on stderr for long operations (imports), shown only when stderr is
 * a terminal, redrawn at most ten times a second. Library functions report progress through a
 * callback of this shape; the front end decides whether and how to show it.
 *
 *     struct progress p;
 *     progress_start(&p, "importing crossings", total);
 *     lib_import(..., progress_update, &p, ...);
 *     progress_finish(&p);
 */
#ifndef MMIS_PROGRESS_H
#define MMIS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
	const char *label;
	uint64_t total; /* 0 when unknown: a counter instead of a bar */
	uint64_t done;
	int64_t started_ms;
	int64_t drawn_ms;
	bool tty;
	bool drawn;
};

void progress_start(struct progress *p, const char *label, uint64_t total);

/* The callback: `ctx` is the struct progress. */
void progress_update(void *ctx, uint64_t done);

/* Draw the final state and end the line (only if anything was drawn). */
void progress_finish(struct progress *p);

/*
 * Render one line into buf (at most `width` columns of text), e.g.
 * "importing crossings [#########.........]  48%  480000/1000000  12s left". Pure, for tests.
 */
size_t progress_render(char *buf, size_t cap, int width, const char *label, uint64_t done,
		       uint64_t total, int64_t elapsed_ms);

#endif
