/*
 * dialect.h -- one SQL dialect: a const struct of data and function pointers.
 *
 * The planner (core/planner.c) produces a dialect-neutral tree of ormc_sx
 * nodes (core/plan.h); dialects/render.c walks it and asks the dialect for
 * every spelling that differs between engines. A NULL hook means the core
 * default. Each dialect is one file: postgresql.c, sqlite.c, mysql.c.
 */
#ifndef ORMC_DIALECT_H
#define ORMC_DIALECT_H

#include <stddef.h>

#include "../core/schema.h"
#include "../core/sqlbuf.h"

typedef struct ormc_dialect ormc_dialect;
typedef struct ormc_emit ormc_emit;     /* rendering state, dialects/render.c */
typedef struct ormc_sx ormc_sx;         /* plan expression, core/plan.h */

/* Capability bits. */
#define ORMC_CAP_AGG_FILTER   0x0001u  /* AGG(x) FILTER (WHERE c) */
#define ORMC_CAP_NULLS_ORDER  0x0002u  /* ORDER BY x NULLS FIRST|LAST */
#define ORMC_CAP_BOOL_TYPE    0x0004u  /* TRUE/FALSE are a real type */
#define ORMC_CAP_NULLS_LOW    0x0008u  /* NULL sorts before every value by default */
#define ORMC_CAP_HAVING_ALIAS 0x0010u  /* HAVING reads a selected expression by its alias, and
                                          a bare column only if it is a GROUP BY column */
#define ORMC_CAP_NO_OUTER_IN_DERIVED 0x0020u  /* a derived table cannot read the columns of a
                                                 query around it (MariaDB) */
#define ORMC_CAP_WINDOW       0x0040u  /* window functions: f(...) OVER (...) */
#define ORMC_CAP_DISTINCT_ON  0x0080u  /* SELECT DISTINCT ON (...) */
#define ORMC_CAP_INTERSECT    0x0100u  /* INTERSECT and EXCEPT (UNION is everywhere) */
#define ORMC_CAP_WINDOW_ORDER 0x0200u  /* ranking and offset window functions need an ORDER BY */
#define ORMC_CAP_NUMBERED_PARAMS 0x0400u  /* a placeholder names its parameter ($1), so one may be written twice */

#define ORMC_DIALECT_VERSION 1

struct ormc_dialect {
	unsigned version;       /* ORMC_DIALECT_VERSION */
	const char *name;       /* "postgresql", "sqlite", "mysql" */
	unsigned caps;          /* ORMC_CAP_* for the newest server; see caps_for() */

	/** Capabilities for a given server version (0 = newest). NULL: caps. */
	unsigned (*caps_for)(int server_version);

	/** Append a quoted identifier. Required. */
	void (*quote_ident)(ormc_sqlbuf *b, const char *ident);

	/** Append the placeholder of the n-th parameter (1-based). Required. */
	void (*placeholder)(ormc_sqlbuf *b, int n);

	/**
	 * Column type for CREATE TABLE, without NULL/NOT NULL ("integer",
	 * "numeric(10, 2)", "varchar(100)"). For a primary key AutoField the full
	 * column definition tail, e.g. "integer NOT NULL PRIMARY KEY AUTOINCREMENT".
	 * Writes into buf (size n) and returns buf.
	 */
	const char *(*column_type)(const ormc_field *f, char *buf, size_t n);

	/**
	 * Render one plan node where this dialect spells it differently.
	 * Return 1 if written, 0 to let the core render it the standard way.
	 */
	int (*emit)(ormc_emit *e, const ormc_sx *x);

	/** LIMIT/OFFSET clause (limit -1: none; offset 0: none). */
	void (*limit)(ormc_sqlbuf *b, long long limit, long long offset);

	/**
	 * The placeholder of the n-th parameter written into a BinaryField's
	 * column by INSERT or UPDATE, whose bytes are bound as text (ormc/value.h
	 * has no bytes type). NULL: placeholder(). SQLite's CAST(? AS BLOB)
	 * stores them as a BLOB, which Django reads back as bytes; as text,
	 * Django's SQLite connection fails to decode them.
	 */
	void (*blob_placeholder)(ormc_sqlbuf *b, int n);
};

/* placeholder(), or blob_placeholder() for a BinaryField's column (binary != 0). */
void ormc_dialect_value_placeholder(const ormc_dialect *d, ormc_sqlbuf *b, int n, int binary);

extern const ormc_dialect ormc_dialect_postgresql;
extern const ormc_dialect ormc_dialect_sqlite;
extern const ormc_dialect ormc_dialect_mysql;

/** Dialect by name ("postgresql"/"postgres"/"pg", "sqlite", "mysql"/"mariadb"), or NULL. */
const ormc_dialect *ormc_dialect_find(const char *name);

#endif
