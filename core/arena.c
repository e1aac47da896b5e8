/*
 * arena.c -- bump allocator; see arena.h.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

struct ormc_arena_block {
	ormc_arena_block *next;
	/* data follows, aligned */
};

#define BLOCK_HEADER ((sizeof(ormc_arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

void
ormc_arena_init(ormc_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void
ormc_arena_free(ormc_arena *a)
{
	ormc_arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	memset(a, 0, sizeof(*a));
}

static void *
new_block(ormc_arena *a, size_t size)
{
	ormc_arena_block *b = malloc(BLOCK_HEADER + size);

	if (b == NULL) {
		a->failed = 1;
		return NULL;
	}
	a->bytes += BLOCK_HEADER + size;
	if (a->head == NULL) {
		b->next = NULL;
		a->head = b;
	} else {
		/* Keep the current head first so its free space stays usable. */
		b->next = a->head->next;
		a->head->next = b;
	}
	return (char *)b + BLOCK_HEADER;
}

void *
ormc_arena_alloc(ormc_arena *a, size_t n)
{
	void *p;

	if (a->failed)
		return NULL;
	if (n == 0)
		n = 1;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
#ifdef ORMC_ARENA_DEBUG
	p = new_block(a, n);
#else
	if (n > ARENA_BLOCK / 4) {
		/* Big objects get a block of their own. */
		p = new_block(a, n);
	} else {
		if (a->head == NULL || a->used + n > a->cap) {
			ormc_arena_block *b = malloc(BLOCK_HEADER + ARENA_BLOCK);

			if (b == NULL) {
				a->failed = 1;
				return NULL;
			}
			a->bytes += BLOCK_HEADER + ARENA_BLOCK;
			b->next = a->head;
			a->head = b;
			a->used = 0;
			a->cap = ARENA_BLOCK;
		}
		p = (char *)a->head + BLOCK_HEADER + a->used;
		a->used += n;
	}
#endif
	if (p != NULL)
		memset(p, 0, n);
	return p;
}

char *
ormc_arena_strndup(ormc_arena *a, const char *s, size_t n)
{
	char *p = ormc_arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
ormc_arena_strdup(ormc_arena *a, const char *s)
{
	return ormc_arena_strndup(a, s, strlen(s));
}

char *
ormc_arena_printf(ormc_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		a->failed = 1;
		return NULL;
	}
	p = ormc_arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
ormc_ptrvec_push(ormc_arena *a, ormc_ptrvec *v, void *p)
{
	if (v->n == v->cap) {
		int cap = v->cap ? v->cap * 2 : 4;
		void **items = ormc_arena_alloc(a, sizeof(void *) * (size_t)cap);

		if (items == NULL)
			return -1;
		if (v->n)
			memcpy(items, v->items, sizeof(void *) * (size_t)v->n);
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = p;
	return 0;
}
