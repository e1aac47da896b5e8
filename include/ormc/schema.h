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

/** Options for reading models files. */
typedef struct ormc_schema_options {
	unsigned version;        /**< ORMC_SCHEMA_OPTIONS_VERSION */
	const char *app_label;   /**< Django app label: tables become label_model; NULL for none
	                              (ormc_schema_parse and ormc_schema_load only) */
	/* version 2: */
	const char *auth_user_model; /**< settings.AUTH_USER_MODEL, "app.Model"; NULL for "auth.User" */
} ormc_schema_options;

#define ORMC_SCHEMA_OPTIONS_VERSION 2
#define ORMC_SCHEMA_OPTIONS_INIT { ORMC_SCHEMA_OPTIONS_VERSION, NULL, NULL }

/** One models text of a schema read from several (ormc_schema_parse_many). */
typedef struct ormc_schema_source {
	const char *app_label;   /**< the text's app label (tables label_model), NULL for none */
	const char *text;        /**< the models.py text, not necessarily NUL-terminated */
	size_t len;              /**< its length in bytes */
	const char *origin;      /**< its file name, for messages only; may be NULL */
} ormc_schema_source;

/**
 * Read a models.py text. On error returns a negative ORMC_E* and fills err;
 * err->source then points into a copy of text owned by... nobody: it is valid
 * only until the call returns, so format the error before anything else
 * (ormc_error_format). @p out is set only on success; free it with
 * ormc_schema_free().
 */
int ormc_schema_parse(ormc_schema **out, const char *text, size_t len,
                      const ormc_schema_options *opts, ormc_error *err);

/**
 * Read several models texts into one schema, as a Django project's apps:
 * each text has its own app label (a model's Meta.app_label still wins),
 * the texts are read in order, so a model may inherit from a model of an
 * earlier text, and relations may name a model of any text ("auth.User",
 * settings.AUTH_USER_MODEL). Model class names must be unique across the
 * texts (queries name models by class). On error returns a negative ORMC_E*
 * and fills err; err->source then points into the src[i].text the error is
 * in (compare the pointer with each text to know which), valid as long as
 * the caller keeps its texts. opts->app_label is ignored. A label may be
 * given to several texts (an app split over modules). @p out is set only on
 * success; free it with ormc_schema_free(). docs/models.md says what is read.
 */
int ormc_schema_parse_many(ormc_schema **out, const ormc_schema_source *src,
                           int n, const ormc_schema_options *opts,
                           ormc_error *err);

/** Read a models file from disk. err->source is NULL on error (the text is freed). */
int ormc_schema_load(ormc_schema **out, const char *path,
                     const ormc_schema_options *opts, ormc_error *err);

/** Free a schema. Accepts NULL. */
void ormc_schema_free(ormc_schema *schema);

#ifdef __cplusplus
}
#endif
#endif
