-- 0008 statistics (docs/statistics.md): roll-ups of the crossings, kept current in the same
-- transaction as every crossing recorded or imported (lib/stats/rollup.c), and the official
-- series behind the national indicators.
--
-- Each roll-up counts crossings by month (the UTC month of the crossing, "YYYY-MM") and some of
-- the dimensions; what no roll-up holds (days, weeks, the means of transport, a BCP with sex or age,
-- the days of a range outside whole months) is counted from the crossings themselves. The
-- dimensions: the direction, the BCP, the person's nationality ("XXX" when unknown) and
-- sex (F, M, X), the age band at the crossing (Y_LT14, Y14-17, Y18-34, Y35-64, Y_GE65, UNK) and
-- the means of transport ("UNK" when not recorded). `n` is the number of crossings. On SQLite the
-- tables are WITHOUT ROWID: the key is the table, so an upsert touches one B-tree, not two.

-- By month, BCP, direction and nationality: the dashboard's flows (a row for some tens of
-- crossings). The key puts the direction last, so that flows by month, BCP and nationality are
-- read in key order without a sort.
-- dialect: sqlite
CREATE TABLE stats_crossing_month (
	period TEXT NOT NULL,
	bcp TEXT NOT NULL,
	direction TEXT NOT NULL,
	nationality TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (period, bcp, nationality, direction)
) WITHOUT ROWID;
-- dialect: end
-- dialect: postgres
CREATE TABLE stats_crossing_month (
	period TEXT NOT NULL,
	bcp TEXT NOT NULL,
	direction TEXT NOT NULL,
	nationality TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (period, bcp, nationality, direction)
);
-- dialect: end

-- By month, direction, nationality, sex and age band: Eurostat's citizen x sex x age tables.
-- dialect: sqlite
CREATE TABLE stats_crossing_month_person (
	period TEXT NOT NULL,
	direction TEXT NOT NULL,
	nationality TEXT NOT NULL,
	sex TEXT NOT NULL,
	age_band TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (period, direction, nationality, sex, age_band)
) WITHOUT ROWID;
-- dialect: end
-- dialect: postgres
CREATE TABLE stats_crossing_month_person (
	period TEXT NOT NULL,
	direction TEXT NOT NULL,
	nationality TEXT NOT NULL,
	sex TEXT NOT NULL,
	age_band TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (period, direction, nationality, sex, age_band)
);
-- dialect: end

-- Whether the roll-ups hold every crossing: "stale" when this migration meets crossings recorded
-- before it (run `mmis stats rebuild`), "current" otherwise.
CREATE TABLE stats_state (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO stats_state (name, value)
	SELECT 'rollups', CASE WHEN EXISTS (SELECT 1 FROM crossing) THEN 'stale' ELSE 'current' END;

-- Official series (mmis series import): a country's indicator for a period ("2024", "2024-Q1",
-- "2024-03"), the value as published and as a number, its source and unit. Importing the same
-- country, indicator and period again replaces the value (official figures are revised).
CREATE TABLE stats_series (
	country TEXT NOT NULL,
	indicator TEXT NOT NULL,
	period TEXT NOT NULL,
	value_text TEXT NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	source TEXT NOT NULL,
	unit TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	import_id TEXT NOT NULL,
	PRIMARY KEY (country, indicator, period)
);
