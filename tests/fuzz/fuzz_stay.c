/* fuzz_stay.c - libFuzzer harness: stays from outside text ("ON STAY STAY ...", one per word)
 * through stay_parse and stay_calc, checking what must hold whatever the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/stay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STAYS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stay stays[MAX_STAYS];
	struct stay_result r;
	struct mmis_error err;
	struct date on;
	size_t n = 0;
	char *s = malloc(size + 1), *word, *save = NULL;
	bool have_on = false;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (word = strtok_r(s, " \n", &save); word && n < MAX_STAYS; word = strtok_r(NULL, " \n", &save)) {
		if (!have_on) {
			have_on = date_parse(word, "on", &on, &err) == MMIS_OK;
			if (!have_on)
				break;
		} else if (stay_parse(word, &stays[n], &err) == MMIS_OK) {
			char a[DATE_STR_MAX], b[DATE_STR_MAX];
			date_format(&stays[n].entry, a);
			date_format(&stays[n].exit, b);
			/* a parsed stay reads back as it was written */
			if (strncmp(word, a, 10) || strncmp(word + 10, "..", 2) ||
			    strcmp(word + 12, stays[n].open ? "" : b))
				abort();
			n++;
		}
	}
	if (have_on && stay_calc(stays, n, &on, STAY_LIMIT_DAYS, STAY_WINDOW_DAYS, &r, &err) == MMIS_OK) {
		int64_t ahead = date_to_days(&r.may_stay_until) - date_to_days(&on);
		if (r.days_used < 0 || r.days_used > STAY_WINDOW_DAYS || r.overstay_days < 0 ||
		    r.days_remaining != (r.days_used < STAY_LIMIT_DAYS ? STAY_LIMIT_DAYS - r.days_used : 0) ||
		    (r.may_stay_until_known && (ahead < 0 || ahead >= STAY_LIMIT_DAYS)) ||
		    (r.days_used > STAY_LIMIT_DAYS && (r.may_stay_until_known || !r.overstay_days)))
			abort();
		json_decref(stay_result_json(&r));
	}
	free(s);
	return 0;
}
