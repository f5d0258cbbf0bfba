/* fuzz_match.c - libFuzzer harness: names from outside (alert lists, travellers, person records)
 * through match_normalise, match_document_normalise and match_compare, with the invariants that
 * must hold for whatever normalises: lower-case ASCII letters and digits in at most
 * MATCH_PARTS_MAX parts separated by single spaces, a score in [0, 1] with a JSON array of
 * reasons, and a name compared with itself scoring 1. The input is two names split at the first
 * newline. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/json.h"
#include "mmis/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_normalised(const char *in)
{
	char out[MATCH_NORM_MAX];
	struct mmis_error err = { 0 };
	size_t parts = 1, n;

	if (match_normalise(in, "name", out, &err) != MMIS_OK) {
		if (err.code != MMIS_EINVAL || strcmp(err.field, "name") || !err.message[0])
			abort(); /* a refusal always names the field and says why */
		return 0;
	}
	n = strlen(out);
	if (!n || n >= MATCH_NORM_MAX || out[0] == ' ' || out[n - 1] == ' ')
		abort();
	for (size_t i = 0; i < n; i++) {
		char c = out[i];
		if (c == ' ') {
			if (out[i + 1] == ' ')
				abort();
			parts++;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			abort();
		}
	}
	if (parts > MATCH_PARTS_MAX)
		abort();
	return 1;
}

static double compare(const char *a, const char *b, json_t **reasons)
{
	const char *na[] = { a }, *nb[] = { b };
	const char *docs[] = { a };
	struct match_record q = { .names = na, .n_names = 1, .birth_dates = na, .n_birth_dates = 1,
				  .nationalities = na, .n_nationalities = 1, .sex = a,
				  .documents = docs, .n_documents = 1 };
	struct match_record e = { .names = nb, .n_names = 1 };
	double s = match_compare(&q, &e, reasons);
	if (!(s >= 0.0 && s <= 1.0))
		abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *b, doc[32];
	json_t *reasons = NULL;
	int a_ok;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	b = strchr(s, '\n');
	if (b)
		*b++ = '\0';
	else
		b = s;
	a_ok = check_normalised(s);
	check_normalised(b);
	if (match_document_normalise(s, doc, NULL) == MMIS_OK &&
	    (strlen(doc) > 30 || strspn(doc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(doc)))
		abort();
	compare(s, b, &reasons);
	if (!json_is_array(reasons))
		abort();
	free(mjson_dump(reasons));
	json_decref(reasons);
	if (a_ok) {
		const char *n[] = { s };
		struct match_record r = { .names = n, .n_names = 1 };
		if (match_compare(&r, &r, NULL) < 0.99)
			abort();
	}
	free(s);
	return 0;
}
