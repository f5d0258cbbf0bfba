/*
 * internal.h - what the files of lib/person share (not part of the public API).
 */
#ifndef MMIS_PERSON_INTERNAL_H
#define MMIS_PERSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/dedup.h"
#include "mmis/store.h"
#include "mmis/strbuf.h"

/* The person columns a proposal shows, with an alias prefix ("pa." -> pa.id, pa.surname, ...). */
#define PERSON_JSON_COLS 9
void person_cols_sql(struct strbuf *sb, const char *alias);
/* The JSON of those columns starting at `col`: {id, surname, ..., merged_into}. */
json_t *person_cols_json(struct store_stmt *st, int col);

/* No database, no key or no actor: MMIS_EINVAL. */
#define person_check_ctx mmis_ctx_check
#define person_oom mmis_oom

/*
 * The scope in which `a` may review merges (the widest of merge_perms); MMIS_EDENIED, naming the
 * permission, below agency scope.
 */
enum mmis_err merge_scope(const struct actor *a, enum scope *out, struct mmis_error *err);

/*
 * A condition that the person whose id is the SQL expression `expr` is within reach: the
 * actor's agency recorded them or one of the rows that reference them (person_ref's
 * agency_column). reach_bind binds its parameters from `first` and returns the next index.
 */
void reach_sql(struct strbuf *sb, const char *expr);
int reach_bind(struct store_stmt *st, int first, enum scope sc, const struct actor *a);

/* Copy `s` (NULL: "") cutting at cap. */
#define person_copy str_copy

#endif
