/*
 * internal.h - what the files of lib/screen share (not part of the public API).
 */
#ifndef MMIS_SCREEN_INTERNAL_H
#define MMIS_SCREEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/screen.h"
#include "mmis/store_json.h"
#include "mmis/strbuf.h"

/* The checks and errors every module shares (auth.h, err.h, strbuf.h). */
#define screen_oom mmis_oom
#define screen_denied actor_denied
#define screen_check_ctx mmis_ctx_check

/* Copy `s` (NULL: "") cutting at cap. */
#define screen_copy str_copy

/* Whether `code` is one of `codes` (NULL-terminated); MMIS_EINVAL naming `field` listing them. */
enum mmis_err screen_code_check(const char *const *codes, const char *code, const char *field,
				struct mmis_error *err);

/* The rank of an action, most serious first (refuse_entry 0 ... check_further 3; unknown 4). */
int screen_action_rank(const char *action);

/* Append `s` as a JSON string, and `values` as a JSON array of strings, to sb. */
void screen_json_quote(struct strbuf *sb, const char *s);
void screen_json_strings(struct strbuf *sb, const char *const *values, size_t n);

/* A score in [0, 1] to three decimals, as hits show it. */
static inline double screen_round3(double score)
{
	return (double)(int64_t)(score * 1000 + 0.5) / 1000;
}

/* Today, as days since 1970-01-01 (UTC). */
int64_t screen_today(void);

/* ---- the service (service.c), for the other files */

/* What the index knows of an entry, by its index id. */
struct screen_entry {
	const char *list_id;
	const char *list_name;
	const char *category;
	const char *action;
	const char *external_id;
	const char *name;     /* primary name; NULL for a document-only entry */
	const char *document; /* the first document number, for a document-only entry's display */
	int32_t valid_from;   /* days; INT32_MIN: open */
	int32_t valid_to;     /* days; INT32_MAX: open */
};

struct screen_snapshot;

/*
 * The current index for a search: polls (screen_poll) on `s`, then takes a reference. NULL only
 * with an error (nothing could be loaded). *current is false when the lists changed and a
 * rebuild is under way.
 */
struct screen_snapshot *screen_acquire(struct screen *sc, struct store *s, bool *current,
				       struct mmis_error *err);
void screen_release(struct screen_snapshot *snap);

int64_t screen_snapshot_generation(const struct screen_snapshot *snap);
size_t screen_snapshot_entries(const struct screen_snapshot *snap);

/*
 * Search one record: the hits at or above `threshold`, best first, at most `limit`, only of
 * entries valid today; *n_hits of them into hits (room for `limit`), with their entries in
 * entries[] (pointers into the snapshot, valid while it is held). Free the hits' reasons with
 * match_hits_free.
 */
struct match_record;
struct match_hit;
enum mmis_err screen_snapshot_search(const struct screen_snapshot *snap,
				     const struct match_record *q, double threshold, size_t limit,
				     struct match_hit *hits, const struct screen_entry **entries,
				     size_t *n_hits, struct mmis_error *err);

#endif
