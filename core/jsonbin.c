/*
 * jsonbin.c -- JSON and binary field values: canonical JSON text, base64
 * and hex (declared in core/types.h).
 *
 * Why canonical JSON: each engine hands back what it stored in its own way
 * (jsonb sorts keys by length and adds spaces, MySQL's JSON sorts and adds
 * spaces, MariaDB and SQLite keep the text as written), so the same row
 * would read differently on each. Parsed and written again by jansson with
 * sorted keys and no spaces, every engine gives the same text. Why base64:
 * it is what Django's dumpdata writes for a BinaryField, so results and
 * fixtures agree.
 */
#include "types.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Sorted keys, no spaces, 15 significant digits (what a double keeps exactly). */
#define CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | \
                     JSON_REAL_PRECISION(15))

int
ormc_json_canonical(const char *s, size_t len, char *buf, size_t n,
                    size_t *outlen)
{
	json_error_t jerr;
	json_t *j = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	size_t need;

	if (j == NULL)   /* an integer past 64 bits: as a float, as Python's float() would */
		j = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL |
		               JSON_DECODE_INT_AS_REAL, &jerr);
	if (j == NULL)
		return -1;
	need = json_dumpb(j, buf, n, CANON_FLAGS);
	json_decref(j);
	if (need == 0 || need >= n)
		return need == 0 ? -1 : -2;
	buf[need] = '\0';
	*outlen = need;
	return 0;
}

char *
ormc_json_dump(const void *json)
{
	return json_dumps((const json_t *)json, CANON_FLAGS);
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int
ormc_base64_decode(const char *s, size_t len, unsigned char *out,
                   size_t *outlen)
{
	unsigned acc = 0;
	int bits = 0, pad = 0;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;

		if (c == '\n' || c == '\r' || c == ' ')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64_value(c)) < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)((acc >> bits) & 0xFF);
		}
	}
	if (pad > 2)
		return -1;
	*outlen = n;
	return 0;
}

size_t
ormc_base64_encode(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, k = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)bytes[i] << 16 | (unsigned)bytes[i + 1] << 8 |
		             bytes[i + 2];

		out[k++] = digits[v >> 18];
		out[k++] = digits[(v >> 12) & 63];
		out[k++] = digits[(v >> 6) & 63];
		out[k++] = digits[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)bytes[i] << 16 |
		             (i + 1 < n ? (unsigned)bytes[i + 1] << 8 : 0);

		out[k++] = digits[v >> 18];
		out[k++] = digits[(v >> 12) & 63];
		out[k++] = i + 1 < n ? digits[(v >> 6) & 63] : '=';
		out[k++] = '=';
	}
	out[k] = '\0';
	return k;
}

void
ormc_hex_encode(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}
