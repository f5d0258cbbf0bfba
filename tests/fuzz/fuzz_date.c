/* fuzz_date.c - libFuzzer harness: dates, partial dates, timestamps and UUIDs from outside text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/date.h"
#include "mmis/uuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct mmis_error err;
	struct date d;
	struct uuid u;
	int64_t ms;
	char buf[TIMESTAMP_STR_MAX];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (date_parse_partial(s, "d", &d, &err) == MMIS_OK) {
		date_format(&d, buf);
		if (d.precision == DATE_DAY && strcmp(buf, s) != 0)
			abort(); /* a parsed full date must print back as it was read */
	}
	if (timestamp_parse(s, "t", &ms, &err) == MMIS_OK)
		timestamp_format(ms, buf);
	uuid_parse(s, "id", &u, &err);
	free(s);
	return 0;
}
