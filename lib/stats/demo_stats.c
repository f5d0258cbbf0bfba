/*
 * demo_stats.c - demo data for the statistics (stats.h, demo.h): official-looking series for
 * Montenegro and its neighbours, and three more years of crossings before the border demo's year
 * so that the trends have a past. Everything is synthetic and says so in its source, except the
 * public figures cited in docs/statistics.md (Montenegro's 620,029 inhabitants at the 2011
 * census; the demo's 2011 migration and remittances are chosen to give the IOM country page's
 * -0.8 per 1,000 and USD 441 million). Deterministic from the seed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/strbuf.h"
#include "mmis/rng.h"

#define DEMO_SOURCE "Synthetic demo series (not official)"

/* A factor around 1 (+- spread). */
static double wobble(struct rng *r, double spread)
{
	return 1.0 + spread * ((double)rng_below(r, 2001) / 1000.0 - 1.0);
}

/* Rough magnitudes of the region, for a plausible-looking synthetic series. */
static const struct demo_country {
	const char *code;
	double population;       /* inhabitants */
	double imm, emi;         /* per 1,000 a year */
	double remittances;      /* USD a year */
	double stock_pct;        /* immigrant stock, per cent of the population */
	double female_pct;       /* women among immigrants, per cent */
	double growth;           /* population change a year */
} countries[] = {
	{ "MNE", 623000, 6.5, 7.0, 6.0e8, 11.0, 54.0, -0.0005 },
	{ "SRB", 6700000, 7.5, 9.5, 4.5e9, 8.5, 56.0, -0.0060 },
	{ "BIH", 3230000, 3.0, 9.0, 2.5e9, 1.1, 51.0, -0.0080 },
	{ "ALB", 2760000, 4.0, 12.0, 1.4e9, 1.8, 52.0, -0.0100 },
	{ "MKD", 1830000, 2.5, 6.0, 4.5e8, 6.0, 57.0, -0.0040 },
	{ "RKS", 1590000, 3.0, 14.0, 1.2e9, 5.5, 50.0, -0.0050 },
	{ "HRV", 3860000, 12.0, 9.0, 3.5e9, 13.0, 53.0, -0.0070 },
};

static void series_line(struct strbuf *sb, const char *country, const char *indicator, int year,
			double value, const char *source, const char *unit)
{
	strbuf_addf(sb, "%s,%s,%d,%.0f,%s,%s\n", country, indicator, year, round(value), source, unit);
}

static enum mmis_err seed_series(const struct mmis_ctx *cx, const struct actor *a, struct rng *r,
				 const struct date *today, struct mmis_error *err)
{
	struct strbuf sb;
	enum mmis_err rc;
	int64_t n = 0;

	strbuf_init(&sb, 1 << 20);
	strbuf_addstr(&sb, "country,indicator,period,value,source,unit\n");
	/* 2011: the census population, and migration and remittances that give the IOM country
	 * page's net migration rate and remittances. */
	strbuf_addstr(&sb, "MNE,population,2011,620029,MONSTAT Census 2011 (public figure),persons\n"
			   "MNE,immigrants,2011,3000,Demo value chosen to give -0.8 per 1000 "
			   "(IOM country page),persons\n"
			   "MNE,emigrants,2011,3496,Demo value chosen to give -0.8 per 1000 "
			   "(IOM country page),persons\n"
			   "MNE,remittances_usd,2011,441000000,Demo value: USD 441 million as on the IOM "
			   "country page,USD\n");
	for (size_t c = 0; c < COUNT(countries); c++) {
		const struct demo_country *k = &countries[c];
		for (int y = today->year - 10; y < today->year; y++) {
			int t = y - (today->year - 10);
			double pop = k->population * pow(1.0 + k->growth, t) * wobble(r, 0.002);
			double imm = pop * k->imm / 1000.0 * wobble(r, 0.15) * (1.0 + 0.03 * t);
			double emi = pop * k->emi / 1000.0 * wobble(r, 0.15);
			double stock = pop * k->stock_pct / 100.0 * wobble(r, 0.03);
			series_line(&sb, k->code, "population", y, pop, DEMO_SOURCE, "persons");
			series_line(&sb, k->code, "immigrants", y, imm, DEMO_SOURCE, "persons");
			series_line(&sb, k->code, "emigrants", y, emi, DEMO_SOURCE, "persons");
			series_line(&sb, k->code, "remittances_usd", y,
				    k->remittances * (1.0 + 0.04 * t) * wobble(r, 0.08), DEMO_SOURCE,
				    "USD");
			series_line(&sb, k->code, "immigrant_stock", y, stock, DEMO_SOURCE, "persons");
			series_line(&sb, k->code, "immigrant_stock_female", y,
				    stock * k->female_pct / 100.0 * wobble(r, 0.02), DEMO_SOURCE,
				    "persons");
		}
	}
	if (strbuf_error(&sb)) {
		strbuf_release(&sb);
		return stats_oom(err);
	}
	FILE *f = fmemopen((void *)strbuf_str(&sb), sb.len, "r");
	if (!f) {
		strbuf_release(&sb);
		return stats_oom(err);
	}
	rc = series_import(cx, a, f, "demo series", "MNE", &n, NULL, err);
	fclose(f);
	strbuf_release(&sb);
	return rc;
}

/* ---- crossings of the years before the border demo's */

static const struct demo_nat {
	const char *code;
	int weight;
	const char *bcps; /* space separated */
	bool coastal;
} nats[] = {
	/* as the border demo's (lib/border/demo_border.c), so that the years compare */
#define FAR "MNE-TGD MNE-TIV MNE-TGD MNE-TIV MNE-DBR MNE-BAR MNE-KOT MNE-ZEL MNE-BUD MNE-RIS"
	{ "SRB", 24, "MNE-DOB MNE-DOB MNE-DRA MNE-RAN MNE-VUC MNE-CEM MNE-BPR MNE-TGD", true },
	{ "BIH", 14, "MNE-SIT MNE-VRA MNE-SCP MNE-MET MNE-SUL MNE-KRS MNE-ILB MNE-NUD", true },
	{ "RKS", 9, "MNE-KUL MNE-KUL MNE-KUL MNE-TGD", false },
	{ "ALB", 9, "MNE-SUK MNE-SUK MNE-BOZ MNE-GRN MNE-TZR", false },
	{ "RUS", 9, FAR, true },
	{ "TUR", 7, FAR, false },
	{ "DEU", 7, FAR, true },
	{ "UKR", 6, FAR, true },
	{ "ISR", 5, FAR, true },
	{ "CHN", 3, FAR, false },
	{ "HRV", 4, "MNE-DBR MNE-DBR MNE-KOB", true },
	{ "ITA", 3, FAR, true },
#undef FAR
};

static const struct demo_nat *pick_nat(struct rng *r)
{
	int x = rng_below(r, 100), acc = 0;
	for (size_t i = 0; i < COUNT(nats); i++) {
		acc += nats[i].weight;
		if (x < acc)
			return &nats[i];
	}
	return &nats[0];
}

static void pick_bcp(struct rng *r, const struct demo_nat *n, char out[17])
{
	const char *p = n->bcps;
	int words = 1, k;
	for (const char *q = p; *q; q++)
		words += *q == ' ';
	k = rng_below(r, words);
	while (k-- > 0)
		p = strchr(p, ' ') + 1;
	size_t len = strcspn(p, " ");
	memcpy(out, p, len < 16 ? len : 16);
	out[len < 16 ? len : 16] = '\0';
}

static const char *transport_of(const char *bcp, struct rng *r)
{
	static const char *const road[] = { "car", "car", "car", "bus", "truck" };
	if (!strcmp(bcp, "MNE-TGD") || !strcmp(bcp, "MNE-TIV"))
		return "aircraft";
	if (!strcmp(bcp, "MNE-BPR") || !strcmp(bcp, "MNE-TZR"))
		return "train";
	if (!strcmp(bcp, "MNE-BAR") || !strcmp(bcp, "MNE-KOT") || !strcmp(bcp, "MNE-ZEL") ||
	    !strcmp(bcp, "MNE-BUD") || !strcmp(bcp, "MNE-RIS"))
		return "vessel";
	return road[rng_below(r, 5)];
}

/* A day in [start, start + 365) weighted by season (summer, and the holidays). */
static int64_t season_day(struct rng *r, int64_t start, bool coastal)
{
	for (;;) {
		int64_t d = start + rng_below(r, 365);
		struct date day;
		date_from_days(d, &day);
		int w = 2;
		if (day.month >= 6 && day.month <= 9)
			w = coastal ? 8 : 4;
		if (day.month == 7 || day.month == 8)
			w = coastal ? 12 : 5;
		if (day.month == 12 || day.month == 1)
			w = 3;
		if (rng_below(r, 12) < w)
			return d;
	}
}

static void crossing_line(struct strbuf *sb, int64_t day, struct rng *r, const char *bcp,
			  bool exit, const char *nat, int id, char sex, int birth_year)
{
	char at[TIMESTAMP_STR_MAX];
	timestamp_format(day * DAY_MS + (6 + rng_below(r, 16)) * 3600000LL + rng_below(r, 60) * 60000LL, at);
	strbuf_addf(sb, "%s,%s,%s,P,%s,H%08d,DEMO,TRAVELLER,%c,%d-%02d-%02d,%s,,%s,tourism\n", at,
		    bcp, exit ? "exit" : "entry", nat, id, sex, birth_year, 1 + rng_below(r, 12),
		    1 + rng_below(r, 28), nat, transport_of(bcp, r));
}

static enum mmis_err seed_history(const struct mmis_ctx *cx, const struct actor *a, struct rng *r,
				  const struct date *today, struct mmis_error *err)
{
	struct crossing_import_result res;
	struct strbuf sb;
	enum mmis_err rc;
	int64_t t0 = date_to_days(today) - 365; /* where the border demo's year starts */
	int id = 1;

	strbuf_init(&sb, 64 * 1024 * 1024);
	strbuf_addstr(&sb, "time,bcp,direction,document_type,issuing_state,document_number,surname,"
			   "given_names,sex,birth_date,nationality,expiry_date,transport,purpose\n");
	/* Visitors as many as the border demo's year has, some 8 % fewer each year before; a few
	 * days to a few weeks, one to four trips. */
	for (int y = 3; y >= 1; y--) {
		int64_t start = t0 - 365 * y;
		int travellers = (int)(3000.0 / pow(1.08, y));
		for (int i = 0; i < travellers; i++, id++) {
			const struct demo_nat *n = pick_nat(r);
			char sex = rng_below(r, 2) ? 'F' : 'M';
			int birth = today->year - 18 - rng_below(r, 55) - y;
			int64_t last = start - 1;
			if (rng_below(r, 12) == 0)
				birth = today->year - 3 - rng_below(r, 14) - y; /* children travel too */
			for (int trip = 1 + rng_below(r, 4); trip > 0; trip--) {
				char bcp[17];
				int64_t d = season_day(r, start, n->coastal);
				if (d <= last)
					d = last + 1 + rng_below(r, 20);
				int64_t out = d + 1 + rng_below(r, rng_below(r, 10) ? 14 : 40);
				if (out >= start + 365)
					break;
				pick_bcp(r, n, bcp);
				crossing_line(&sb, d, r, bcp, false, n->code, id, sex, birth);
				if (rng_below(r, 4) == 0)
					pick_bcp(r, n, bcp);
				crossing_line(&sb, out, r, bcp, true, n->code, id, sex, birth);
				last = out;
			}
		}
	}
	/* Newcomers who stay more than a year (long-term arrivals) and have left by the border
	 * demo's year. */
	for (int i = 0; i < 140; i++, id++) {
		const struct demo_nat *n = pick_nat(r);
		char bcp[17];
		int64_t d = t0 - 365 * 3 + rng_below(r, 365);
		int64_t stay = 400 + rng_below(r, 300);
		pick_bcp(r, n, bcp);
		crossing_line(&sb, d, r, bcp, false, n->code, id, rng_below(r, 2) ? 'F' : 'M',
			      today->year - 22 - rng_below(r, 30));
		crossing_line(&sb, d + stay, r, bcp, true, n->code, id, 'M', 1990);
	}
	/* Residents who leave (long-term departures). */
	for (int i = 0; i < 90; i++, id++)
		crossing_line(&sb, t0 - 365 * 3 + rng_below(r, 365 * 2), r, "MNE-TGD", true, "MNE", id,
			      rng_below(r, 2) ? 'F' : 'M', today->year - 20 - rng_below(r, 30));
	/* A spike for the seasonal alert: many more arrivals than usual at Sukobin (Albania) in
	 * the last complete month, which the border demo's year holds. */
	{
		struct date m0 = { today->year, today->month, 1, DATE_DAY };
		int64_t end = date_to_days(&m0), begin;
		struct date prev;
		date_from_days(end - 1, &prev);
		prev.day = 1;
		begin = date_to_days(&prev);
		for (int i = 0; i < 260; i++, id++) {
			int64_t d = begin + rng_below(r, (int)(end - begin));
			crossing_line(&sb, d, r, "MNE-SUK", false, "ALB", id, rng_below(r, 2) ? 'F' : 'M',
				      today->year - 20 - rng_below(r, 40));
			if (d + 3 < date_to_days(today))
				crossing_line(&sb, d + 1 + rng_below(r, 2), r, "MNE-SUK", true, "ALB", id,
					      'M', 1990);
		}
	}
	if (strbuf_error(&sb)) {
		strbuf_release(&sb);
		return stats_oom(err);
	}
	FILE *f = fmemopen((void *)strbuf_str(&sb), sb.len, "r");
	if (!f) {
		strbuf_release(&sb);
		return stats_oom(err);
	}
	memset(&res, 0, sizeof(res));
	rc = crossing_import(cx, a, f, "demo history", NULL, NULL, &res, err);
	fclose(f);
	strbuf_release(&sb);
	json_decref(res.errors);
	return rc;
}

enum mmis_err stats_demo_seed(const struct mmis_ctx *cx, const struct actor *a, uint64_t seed,
			      const struct date *today, struct mmis_error *err)
{
	struct rng r = { seed * 0x9e3779b97f4a7c15ULL + 71 };
	struct store_stmt *st;
	bool any = false;
	enum mmis_err rc;

	if ((rc = store_prepare(cx->store, "SELECT 1 FROM stats_series", &st, err)))
		return rc;
	rc = store_step(st, &any, err);
	store_finalize(st);
	if (rc || any)
		return rc;
	if ((rc = seed_series(cx, a, &r, today, err)))
		return rc;
	return seed_history(cx, a, &r, today, err);
}
