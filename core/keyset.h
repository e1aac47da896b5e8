/*
 * keyset.h -- a set of byte strings (the keys a fixture load has inserted).
 */
#ifndef ORMC_KEYSET_H
#define ORMC_KEYSET_H

#include <stddef.h>

typedef struct ormc_keyset_entry ormc_keyset_entry;

/* Open addressing, grown at half full; zero-initialise before use. */
typedef struct ormc_keyset {
	ormc_keyset_entry **slots;
	size_t cap;             /* a power of two, or 0 */
	size_t n;
} ormc_keyset;

/** Add key[0..len): 1 if added, 0 if it was there, -1 out of memory. */
int ormc_keyset_add(ormc_keyset *s, const char *key, size_t len);

/** Is key[0..len) in the set? */
int ormc_keyset_has(const ormc_keyset *s, const char *key, size_t len);

/** Free the set's memory; it is then empty and may be used again. */
void ormc_keyset_free(ormc_keyset *s);

#endif
