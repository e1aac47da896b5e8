/*
 * inspect.h -- a live database's tables as ormc inspect reads them.
 *
 * inspect_catalog.c fills an ins_catalog from the engine's catalog (SQLite
 * pragmas, PostgreSQL's pg_catalog, MySQL/MariaDB's information_schema),
 * whatever driver the connection goes through; inspect.c turns it into a
 * models.py. Everything lives in the catalog's arena.
 */
#ifndef ORMC_INSPECT_INT_H
#define ORMC_INSPECT_INT_H

#include "ormc/inspect.h"
#include "arena.h"

typedef struct ins_table ins_table;

typedef struct ins_column {
	const char *name;
	const char *raw_type;   /* as the catalog spells it: "varchar(120)", "numeric(10,2)" */
	const char *base;       /* lower case, no (...), no unsigned: "varchar", "numeric" */
	int nums[2];            /* the numbers in (...), -1 if absent */
	int is_unsigned;        /* MySQL/SQLite "... unsigned" */
	int nullable;
	int pk;                 /* position in the primary key, 1-based; 0 if not in it */
	int autoinc;            /* serial, identity, AUTO_INCREMENT, SQLite rowid alias */
	int unique;             /* a UNIQUE constraint or index on this column alone */
	int nonneg_check;       /* PostgreSQL: CHECK (col >= 0) */
	int json_check;         /* MariaDB, SQLite: CHECK (JSON_VALID(col)), Django's JSONField */
	/* The foreign key on this column alone, if any. */
	const char *fk_table;   /* referenced table as the catalog names it */
	const char *fk_column;  /* referenced column; NULL: the target's primary key */
	ins_table *fk_target;   /* resolved, NULL if not inspected */
	/* Filled by the writer. */
	const char *field;      /* Python attribute name */
} ins_column;

typedef struct ins_unique {
	const char *name;       /* index or constraint name */
	ormc_ptrvec cols;       /* column names (const char *), in index order */
} ins_unique;

struct ins_table {
	const char *name;
	ormc_ptrvec cols;       /* ins_column * in ordinal order */
	ormc_ptrvec uniques;    /* ins_unique *, multi-column ones */
	int selected;           /* written (all, or --tables and what they reference) */
	/* Filled by the writer. */
	const char *cls;        /* class name */
	const char *lower;      /* class name in lower case (Django's model_name) */
	int through;            /* a many-to-many table, written as a field of its source */
	ormc_ptrvec m2m;        /* ins_m2m * declared on this table's model */
	ormc_ptrvec names;      /* attribute names taken (const char *) */
};

typedef struct ins_catalog {
	ormc_arena *a;
	const char *dialect;    /* "sqlite", "postgresql", "mysql" */
	ormc_ptrvec tables;     /* ins_table *, sorted by name */
} ins_catalog;

/** Read every table of the connection's database (its current schema). */
int ormc_inspect__read(ins_catalog *cat, ormc_db *db, ormc_error *err);

/** The table named name, or NULL. */
ins_table *ormc_inspect__table(const ins_catalog *cat, const char *name);

/**
 * Run sql (no parameters) and append each row to rows as an arena array of
 * ncols NUL-terminated strings, NULL for SQL NULL, whatever the driver
 * returned (an integer as decimal digits, a boolean as 1 or 0).
 */
int ormc_db__text_rows(ormc_db *db, const char *sql, ormc_arena *a,
                       ormc_ptrvec *rows, int ncols, ormc_error *err);

#endif
