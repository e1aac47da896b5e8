/*
 * arena.h -- one bump allocator per parsed query or schema.
 *
 * Everything a compiled query owns (tokens, AST, IR, plan, SQL text) is carved
 * from one arena and released with a single ormc_arena_free(). An allocation
 * failure is sticky: ->failed is set and every later call returns NULL, so a
 * phase checks once at its end instead of after every call.
 *
 * Build with -DORMC_ARENA_DEBUG to make every allocation a real malloc, so ASan
 * and valgrind see each object on its own.
 */
#ifndef ORMC_ARENA_H
#define ORMC_ARENA_H

#include <stddef.h>

typedef struct ormc_arena_block ormc_arena_block;

typedef struct ormc_arena {
	ormc_arena_block *head;   /* newest block first */
	size_t used;              /* bytes used in head */
	size_t cap;               /* bytes available in head */
	int failed;               /* sticky out-of-memory flag */
	size_t bytes;             /* taken from malloc so far, headers included */
} ormc_arena;

void ormc_arena_init(ormc_arena *a);
void ormc_arena_free(ormc_arena *a);

/** Zeroed memory, aligned for any type; NULL (and ->failed set) on OOM. */
void *ormc_arena_alloc(ormc_arena *a, size_t n);
/** Copy of n bytes of s, NUL-terminated. */
char *ormc_arena_strndup(ormc_arena *a, const char *s, size_t n);
char *ormc_arena_strdup(ormc_arena *a, const char *s);
/** printf into the arena. */
char *ormc_arena_printf(ormc_arena *a, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Growable array of pointers in an arena: append doubles the storage and
 * leaves the old copy behind (arena memory is freed all at once).
 */
typedef struct ormc_ptrvec {
	void **items;
	int n;
	int cap;
} ormc_ptrvec;

int ormc_ptrvec_push(ormc_arena *a, ormc_ptrvec *v, void *p);

#endif
