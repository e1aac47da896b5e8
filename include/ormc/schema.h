/*
 * ormc/schema.h -- the models a query is compiled against.
 *
 * A schema is read from a Django-style models.py. It is immutable once
 * loaded and may be shared by any number of queries (and threads).
 */
#ifndef ORMC_SCHEMA_H
#define ORMC_SCHEMA_H

#include <stddef.h>

#include "ormc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ormc_schema ormc_schema;

/** Options for reading a models file. */
typedef struct ormc_schema_options {
	unsigned version;        /**< ORMC_SCHEMA_OPTIONS_VERSION */
	const char *app_label;   /**< Django app label: tables become label_model; NULL for none */
} ormc_schema_options;

#define ORMC_SCHEMA_OPTIONS_VERSION 1
#define ORMC_SCHEMA_OPTIONS_INIT { ORMC_SCHEMA_OPTIONS_VERSION, NULL }

/**
 * Read a models.py text. On error returns a negative ORMC_E* and fills err;
 * err->source then points into a copy of text owned by... nobody: it is valid
 * only until the call returns, so format the error before anything else
 * (ormc_error_format). @p out is set only on success; free it with
 * ormc_schema_free().
 */
int ormc_schema_parse(ormc_schema **out, const char *text, size_t len,
                      const ormc_schema_options *opts, ormc_error *err);

/** Read a models file from disk. err->source is NULL on error (the text is freed). */
int ormc_schema_load(ormc_schema **out, const char *path,
                     const ormc_schema_options *opts, ormc_error *err);

/** Free a schema. Accepts NULL. */
void ormc_schema_free(ormc_schema *schema);

#ifdef __cplusplus
}
#endif
#endif
