/*
 * internal.h - what the files of lib/border share (not part of the public API).
 */
#ifndef MMIS_BORDER_INTERNAL_H
#define MMIS_BORDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mmis/auth.h"
#include "mmis/border.h"
#include "mmis/csvread.h"
#include "mmis/date.h"
#include "mmis/stay.h"
#include "mmis/strbuf.h"

/* An audited operation: begin, work, end (see lib/auth/auth.c for the pattern). */
#define border_check_ctx mmis_ctx_check
#define border_denied actor_denied
#define border_oom mmis_oom

/* A traveller and document as resolved from a crossing_in (MRZ or fields), normalised. */
struct traveller {
	char doc_type[4];
	char issuing_state[4];
	char number[32];
	struct date expiry;
	bool expiry_known;
	char surname[BORDER_TEXT_MAX + 1];     /* document form */
	char given_names[BORDER_TEXT_MAX + 1];
	char surname_typed[BORDER_TEXT_MAX + 1]; /* "" when not typed */
	char given_typed[BORDER_TEXT_MAX + 1];
	char sex[2];                            /* "F", "M", "X" */
	struct date birth;
	bool birth_known;
	char nationality[4];                    /* "" when unknown */
};

/* What statistics count a person by, as stored (lib/stats roll-ups). */
struct person_facts {
	char nationality[4]; /* "" when unknown */
	char sex[2];
	char birth[DATE_STR_MAX]; /* "" when unknown; possibly partial */
};
/* "GIVEN SURNAME" (or the surname alone), as the alert lists are searched with. */
void border_full_name(char *out, size_t cap, const char *given, const char *surname);
void border_person_facts(struct person_facts *f, const char *nationality, const char *sex,
			 const char *birth);

/* Validate and normalise the traveller part of `in` (MRZ or fields). */
enum mmis_err border_traveller(const struct crossing_in *in, struct traveller *t,
			       struct mmis_error *err);

/* Whether `s` is printable text of at most `max` bytes (NULL and "" pass). */
bool border_text_ok(const char *s, size_t max);

/* Copy `s` (NULL: "") cutting at cap. */
#define border_copy str_copy

/* One crossing of a person, for pairing into stays. */
struct xing {
	int64_t at_ms;
	bool exit;
};

/* Pair a person's crossings (sorted by time) into stays; *n_out stays written into `stays`
 * (capacity n_x + 1). */
size_t border_pair_stays(const struct xing *x, size_t n_x, struct stay *stays);

/* Validate one BCP; the neighbour normalised into nb ("" for none). */
enum mmis_err border_bcp_check(const char *code, const char *name, const char *kind,
			       const char *neighbour, char nb[4], struct mmis_error *err);


#endif
