/*
 * ormc/error.h -- status codes and the caller-owned error record.
 *
 * Every public function that can fail returns ORMC_OK (0) or a negative
 * ORMC_E* code and, when given a non-NULL ormc_error, fills it in.
 * The library never prints and never exits.
 */
#ifndef ORMC_ERROR_H
#define ORMC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
	ORMC_OK = 0,
	ORMC_EPARSE = -1,       /* query or models text does not parse */
	ORMC_ENOFIELD = -2,     /* a name does not resolve against the schema */
	ORMC_EINVALID = -3,     /* well-formed but meaningless (Django FieldError/TypeError) */
	ORMC_EUNSUPPORTED = -4, /* valid Django that ormc does not compile yet */
	ORMC_EDRIVER = -5,      /* the database or its client library failed */
	ORMC_ENOMEM = -6,
	ORMC_EIO = -7,          /* a file could not be read */
	ORMC_ENODRIVER = -8,    /* no driver for this URL */
	ORMC_EINTERNAL = -9,    /* ormc broke one of its own invariants: a bug, please report it */
	ORMC_EPARAM = -10,      /* a named parameter is unbound, unknown, or its value does not fit */
	ORMC_ETYPE = -11,       /* a typed getter was asked for another type than the value has */
	ORMC_ENULL = -12        /* a typed getter was given a NULL value */
};

/** Detail of a failure. Caller-owned; clear with ormc_error_clear(). */
typedef struct ormc_error {
	int code;            /**< one of ORMC_E* */
	char message[512];   /**< primary message, Django's wording where it has one */
	char hint[256];      /**< optional hint, "" if none */
	char sqlstate[6];    /**< SQLSTATE when a database produced the error, "" otherwise */
	int offset;          /**< byte offset in the input text, -1 if unknown */
	int length;          /**< length of the offending token, 0 if unknown */
	const char *source;  /**< borrowed: the text offset refers to, NULL if none */
} ormc_error;

/** Reset @p err to "no error". Accepts NULL. */
void ormc_error_clear(ormc_error *err);

/**
 * Format @p err for a terminal: "error: message", and when the error has a
 * position in a known text, the line of that text with a caret under the token,
 * then "hint: ..." if any. Writes at most @p size bytes (always NUL-terminated).
 * @return the length that would have been written, as snprintf.
 */
int ormc_error_format(const ormc_error *err, char *buf, unsigned long size);

/** Short name of a status code ("parse error", ...). */
const char *ormc_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
