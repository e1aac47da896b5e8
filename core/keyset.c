/*
 * keyset.c -- a set of byte strings: open addressing with linear probing,
 * FNV-1a hashes, grown to twice the size when half full. Each key is one
 * malloc'd entry (length and bytes); nothing is ever removed.
 */
#include "keyset.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ormc_keyset_entry {
	size_t len;
	uint64_t hash;
	char key[];
};

static uint64_t
hash_bytes(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of key, or of the empty slot where it would go. */
static size_t
probe(ormc_keyset_entry **slots, size_t cap, const char *key, size_t len,
      uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	assert(cap > 0 && (cap & (cap - 1)) == 0);
	while (slots[i] != NULL &&
	       (slots[i]->hash != h || slots[i]->len != len ||
	        memcmp(slots[i]->key, key, len) != 0))
		i = (i + 1) & (cap - 1);
	return i;
}

static int
grow(ormc_keyset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64, i;
	ormc_keyset_entry **slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (i = 0; i < s->cap; i++) {
		ormc_keyset_entry *e = s->slots[i];

		if (e != NULL)
			slots[probe(slots, cap, e->key, e->len, e->hash)] = e;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int
ormc_keyset_add(ormc_keyset *s, const char *key, size_t len)
{
	uint64_t h = hash_bytes(key, len);
	ormc_keyset_entry *e;
	size_t i;

	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return -1;
	i = probe(s->slots, s->cap, key, len, h);
	if (s->slots[i] != NULL)
		return 0;
	e = malloc(sizeof(*e) + len + 1);
	if (e == NULL)
		return -1;
	e->len = len;
	e->hash = h;
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	s->slots[i] = e;
	s->n++;
	return 1;
}

int
ormc_keyset_has(const ormc_keyset *s, const char *key, size_t len)
{
	uint64_t h;

	if (s->cap == 0)
		return 0;
	h = hash_bytes(key, len);
	return s->slots[probe(s->slots, s->cap, key, len, h)] != NULL;
}

void
ormc_keyset_free(ormc_keyset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
