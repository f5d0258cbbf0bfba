/*
 * uuid.c - UUIDv7 (RFC 9562), monotonic within the process by method 1 of section 6.2: a 12-bit
 * counter in rand_a, seeded randomly whenever the millisecond changes.
 */
#include "mmis/uuid.h"

#include <pthread.h>
#include <sodium.h>

#include "mmis/date.h"

#define COUNTER_MAX 0xfff
/* Seeds keep the counter's top bit clear, so that at least 2048 ids fit in each millisecond
 * before the counter has to borrow the next one (RFC 9562 section 6.2, "counter rollover guards"). */
#define COUNTER_SEED_MASK 0x7ff

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t clock_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms = -1;
static unsigned counter;

static void sodium_start(void)
{
	/* sodium_init() fails only when its own lock does. The generator does not depend on it:
	 * stirring initialises it directly (and libsodium aborts when the system has no entropy
	 * source at all: there is no safe identifier without one). */
	if (sodium_init() < 0)
		randombytes_stir();
}

void uuid7_new(struct uuid *out)
{
	uint8_t rnd[10];
	int64_t now, ms;
	unsigned seq;

	pthread_once(&sodium_once, sodium_start);
	randombytes_buf(rnd, sizeof(rnd));
	now = timestamp_now();
	if (now < 0)
		now = 0;

	pthread_mutex_lock(&clock_lock);
	if (now > last_ms) {
		last_ms = now;
		counter = ((unsigned)rnd[0] << 8 | rnd[1]) & COUNTER_SEED_MASK;
	} else if (counter < COUNTER_MAX) {
		/* Same millisecond, or the clock went back: keep the last one and count on. */
		counter++;
	} else {
		last_ms++;
		counter = ((unsigned)rnd[0] << 8 | rnd[1]) & COUNTER_SEED_MASK;
	}
	ms = last_ms;
	seq = counter;
	pthread_mutex_unlock(&clock_lock);

	for (int i = 0; i < 6; i++)
		out->bytes[i] = (uint8_t)(ms >> (40 - 8 * i));
	out->bytes[6] = (uint8_t)(0x70 | seq >> 8);
	out->bytes[7] = (uint8_t)seq;
	out->bytes[8] = (uint8_t)(0x80 | (rnd[2] & 0x3f));
	for (int i = 9; i < 16; i++)
		out->bytes[i] = rnd[i - 6];
}

void uuid7_new_str(char out[UUID_STR_MAX])
{
	struct uuid u;

	uuid7_new(&u);
	uuid_format(&u, out);
}

void uuid_format(const struct uuid *u, char out[UUID_STR_MAX])
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[u->bytes[i] >> 4];
		*p++ = hex[u->bytes[i] & 0xf];
	}
	*p = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum mmis_err uuid_parse(const char *s, const char *field, struct uuid *out, struct mmis_error *err)
{
	struct uuid u;
	size_t i = 0;

	if (!s || !*s)
		return mmis_error_set(err, MMIS_EINVAL, field, "empty UUID");
	for (int b = 0; b < 16; b++) {
		int hi, lo;

		if ((b == 4 || b == 6 || b == 8 || b == 10) && s[i++] != '-')
			goto bad;
		/* Stops at the NUL: s[i + 1] is read only when s[i] was a digit. */
		if ((hi = hexval(s[i])) < 0 || (lo = hexval(s[i + 1])) < 0)
			goto bad;
		u.bytes[b] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	if (s[i])
		goto bad;
	*out = u;
	return MMIS_OK;
bad:
	return mmis_error_set(err, MMIS_EINVAL, field,
			      "not a UUID: expected 32 hexadecimal digits as 8-4-4-4-12");
}

bool uuid_valid(const char *s)
{
	struct uuid u;

	return uuid_parse(s, NULL, &u, NULL) == MMIS_OK;
}

int uuid_version(const struct uuid *u)
{
	return u->bytes[6] >> 4;
}

int64_t uuid7_time_ms(const struct uuid *u)
{
	int64_t ms = 0;

	for (int i = 0; i < 6; i++)
		ms = ms << 8 | u->bytes[i];
	return ms;
}
