/*
 * stay_bench.c - what the 90-in-180 stay rule costs for a frequent traveller, against the
 * brute-force reference (tests/unit/stay_ref.h: a day array and every window counted afresh) on
 * the same input in the same run.
 *
 * usage: stay_bench [CALLS]      (default 10000; the reference gets CALLS / 10)
 *
 * The traveller: a cross-border commuter with N stays (2N crossings) of 1 to 11 days, each entry
 * 1 to 12 days after the last exit, about 16 years of history for N = 500, checked on the day of
 * the last exit. Prints a Markdown table of the median and 99th percentile time of one stay_calc
 * call; the target is 1 ms for 500 stays.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmis/stay.h"
#include "stay_ref.h"

static uint64_t rng = 610;
static int64_t between(int64_t lo, int64_t hi)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return lo + (int64_t)(rng % (uint64_t)(hi - lo + 1));
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void die(const char *msg)
{
	fprintf(stderr, "stay_bench: %s\n", msg);
	exit(1);
}

/* N stays ending on the returned day; shuffled when asked. */
static struct date traveller(struct stay *s, size_t n, bool shuffle)
{
	int64_t d = 16000; /* 2013-10-23 */
	struct date on;

	for (size_t i = 0; i < n; i++) {
		d += between(1, 12);
		date_from_days(d, &s[i].entry);
		d += between(0, 10);
		date_from_days(d, &s[i].exit);
		s[i].open = false;
	}
	for (size_t i = 0; shuffle && i < n; i++) {
		size_t k = (size_t)between(0, (int64_t)n - 1);
		struct stay t = s[i];
		s[i] = s[k];
		s[k] = t;
	}
	date_from_days(d, &on);
	return on;
}

struct timing {
	double median_us, p99_us;
};

static volatile int sink;

static struct timing measure(const struct stay *s, size_t n, const struct date *on, int calls,
			     bool reference)
{
	int64_t *t = malloc((size_t)calls * sizeof(*t));
	struct stay_result r;
	struct mmis_error err;
	struct timing out;

	if (!t)
		die("out of memory");
	for (int i = 0; i < calls; i++) {
		int64_t t0 = now_ns();
		if (reference) {
			if (!stay_ref_calc(s, n, on, STAY_LIMIT_DAYS, STAY_WINDOW_DAYS, &r))
				die("out of memory");
		} else if (stay_calc(s, n, on, STAY_LIMIT_DAYS, STAY_WINDOW_DAYS, &r, &err)) {
			die(mmis_error_text(&err));
		}
		t[i] = now_ns() - t0;
		sink += r.days_used + r.overstay_days;
	}
	qsort(t, (size_t)calls, sizeof(*t), cmp_i64);
	out.median_us = (double)t[calls / 2] / 1000.0;
	out.p99_us = (double)t[(size_t)calls * 99 / 100] / 1000.0;
	free(t);
	return out;
}

int main(int argc, char **argv)
{
	static const struct {
		size_t n;
		bool shuffle;
		const char *what;
	} cases[] = {
		{ 500, false, "500 stays (1,000 crossings), in date order" },
		{ 500, true, "500 stays (1,000 crossings), shuffled" },
		{ 250, false, "250 stays (500 crossings), in date order" },
	};
	static struct stay s[500];
	int calls = argc > 1 ? atoi(argv[1]) : 10000;

	if (calls < 100)
		die("usage: stay_bench [CALLS >= 100]");
	printf("| input | calls | stay_calc median (µs) | p99 (µs) | brute-force calls | median (µs) "
	       "| p99 (µs) | speed-up (median) |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct date on = traveller(s, cases[c].n, cases[c].shuffle);
		struct stay_result a, b;

		/* The two must agree before their speed means anything. */
		if (stay_calc(s, cases[c].n, &on, 90, 180, &a, NULL) ||
		    !stay_ref_calc(s, cases[c].n, &on, 90, 180, &b) || a.days_used != b.days_used ||
		    a.overstay_days != b.overstay_days ||
		    a.may_stay_until_known != b.may_stay_until_known ||
		    date_cmp(&a.may_stay_until, &b.may_stay_until))
			die("stay_calc and the reference disagree");
		struct timing fast = measure(s, cases[c].n, &on, calls, false);
		struct timing slow = measure(s, cases[c].n, &on, calls / 10, true);
		printf("| %s | %d | %.1f | %.1f | %d | %.0f | %.0f | %.0f× |\n", cases[c].what, calls,
		       fast.median_us, fast.p99_us, calls / 10, slow.median_us, slow.p99_us,
		       slow.median_us / fast.median_us);
	}
	return 0;
}
