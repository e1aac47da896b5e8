/*
 * rowmatch.c -- pairing the rows of two results of the same query by the
 * query's key (rowmatch.h has the rules).
 *
 * An ordered comparison keeps two queues of rows not yet paired. While the
 * results agree each queue holds at most one row. When they stop agreeing
 * the queues grow until a row of one side is equal to a queued row of the
 * other: the rows before those two are the hunk that differs. Invariant:
 * no two queued rows of different sides are equal (each new row is compared
 * with every queued row of the other side, and after a hunk is taken the
 * rest is searched again).
 *
 * An unordered comparison keeps, per side, the rows that found no identical
 * row on the other side yet, hashed by identity; what is left at the end is
 * paired by key (or, without a key, by the non-float cells) and compared.
 */
#define _POSIX_C_SOURCE 200809L

#include "rowmatch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* ---- rows ------------------------------------------------------------------ */

static unsigned
hash_text(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * A decimal's JSON text ("\"-012.50\"") by value: no quotes, no leading
 * zeros, no trailing zeros after the point, no point without a fraction, no
 * sign on zero ("-12.5"). Writes to f.
 */
static void
put_decimal(FILE *f, const char *s)
{
	size_t len = strlen(s), i, int_start, int_end, frac_end;
	int neg = 0, zero = 1;

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	i = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	while (i + 1 < len && s[i] == '0' && s[i + 1] != '.')
		i++;
	int_start = i;
	while (i < len && s[i] != '.')
		i++;
	int_end = i;
	frac_end = len;
	if (i < len) {
		while (frac_end > i + 1 && s[frac_end - 1] == '0')
			frac_end--;
		if (frac_end == i + 1)
			frac_end = i;      /* "12." -> "12" */
	}
	for (i = int_start; i < frac_end; i++)
		if (s[i] >= '1' && s[i] <= '9')
			zero = 0;
	if (neg && !zero)
		fputc('-', f);
	if (int_end == int_start)
		fputc('0', f);
	fwrite(s + int_start, 1, frac_end - int_start, f);
}

static int
is_float(const cmp_shape *sh, int i, const char *cell)
{
	return sh->types[i] == ORMC_TYPE_FLOAT && strcmp(cell, "null") != 0;
}

cmp_row *
cmp_row_make(const cmp_shape *sh, const ormc_value *vals, long pos)
{
	char *text = NULL, *canon = NULL, *block, *p;
	size_t tlen = 0, clen = 0, idlen, need;
	FILE *f = open_memstream(&text, &tlen);
	FILE *g = NULL;
	cmp_row *r = NULL;
	const char *cell;
	int i, nfloats = 0;

	if (f == NULL)
		return NULL;
	for (i = 0; i < sh->ncols; i++) {
		cli_json_value(f, &vals[i]);
		fputc('\0', f);
	}
	if (fclose(f) != 0)
		goto done;
	/* identity, then '\0', then key */
	if ((g = open_memstream(&canon, &clen)) == NULL)
		goto done;
	for (i = 0, cell = text; i < sh->ncols; i++, cell += strlen(cell) + 1) {
		if (sh->types[i] == ORMC_TYPE_DECIMAL && cell[0] == '"')
			put_decimal(g, cell);
		else
			fputs(cell, g);
		fputc('\x1f', g);
		nfloats += is_float(sh, i, cell);
	}
	fputc('\0', g);
	for (i = 0, cell = text; i < sh->ncols; i++, cell += strlen(cell) + 1) {
		if (sh->nkeys > 0 ? !sh->iskey[i] : sh->types[i] == ORMC_TYPE_FLOAT)
			continue;
		if (sh->types[i] == ORMC_TYPE_DECIMAL && cell[0] == '"')
			put_decimal(g, cell);
		else
			fputs(cell, g);
		fputc('\x1f', g);
	}
	if (fclose(g) != 0)
		goto done;
	idlen = strlen(canon);
	need = sizeof(cmp_row) + sizeof(char *) * (size_t)(sh->ncols + 1) + tlen + clen + 1;
	if ((block = malloc(need)) == NULL)
		goto done;
	r = (cmp_row *)(void *)block;
	memset(r, 0, sizeof(*r));
	r->cells = (char **)(void *)(block + sizeof(cmp_row));
	p = block + sizeof(cmp_row) + sizeof(char *) * (size_t)(sh->ncols + 1);
	memcpy(p, text, tlen);
	for (i = 0, cell = p; i < sh->ncols; i++, cell += strlen(cell) + 1)
		r->cells[i] = (char *)cell;
	p += tlen;
	memcpy(p, canon, clen);
	p[clen] = '\0';
	r->id = p;
	r->key = p + idlen + 1;
	r->idhash = hash_text(r->id);
	r->keyhash = hash_text(r->key);
	/* hashes of the non-float cells, and of the non-float ordering cells: equal rows share them */
	r->nfhash = r->ohash = 2166136261u;
	for (i = 0, cell = r->id; i < sh->ncols; i++) {
		const char *end = strchr(cell, '\x1f');

		assert(end != NULL);
		if (sh->types[i] != ORMC_TYPE_FLOAT) {
			for (; cell <= end; cell++) {
				r->nfhash = (r->nfhash ^ (unsigned char)*cell) * 16777619u;
				if (sh->isorder != NULL && sh->isorder[i])
					r->ohash = (r->ohash ^ (unsigned char)*cell) * 16777619u;
			}
		}
		cell = end + 1;
	}
	r->ncols = sh->ncols;
	r->pos = pos;
	r->nfloats = nfloats;
done:
	free(text);
	free(canon);
	return r;
}

cmp_row *
cmp_row_copy(const cmp_row *r)
{
	size_t cells = sizeof(char *) * (size_t)(r->ncols + 1);
	const char *start = r->ncols > 0 ? r->cells[0] : r->id;
	const char *end = r->key + strlen(r->key) + 1;
	size_t tail = (size_t)(end - start);
	char *block = malloc(sizeof(cmp_row) + cells + tail), *p;
	cmp_row *c;
	int i;

	if (block == NULL)
		return NULL;
	c = (cmp_row *)(void *)block;
	*c = *r;
	c->hnext = c->prev = c->next = NULL;
	c->cells = (char **)(void *)(block + sizeof(cmp_row));
	p = block + sizeof(cmp_row) + cells;
	memcpy(p, start, tail);
	for (i = 0; i < r->ncols; i++)
		c->cells[i] = p + (r->cells[i] - start);
	c->id = p + (r->id - start);
	c->key = p + (r->key - start);
	return c;
}

void
cmp_row_free(cmp_row *r)
{
	free(r);
}

/* Are x and y the same rounded to digits significant digits? */
static int
same_digits(double x, double y, int digits)
{
	char s[64], t[64];

	snprintf(s, sizeof(s), "%.*e", digits - 1, x);
	snprintf(t, sizeof(t), "%.*e", digits - 1, y);
	return strcmp(s, t) == 0;
}

int
cmp_cell_equal(const cmp_shape *sh, int i, const char *a, const char *b)
{
	ormc_type type = sh->types[i];

	if (strcmp(a, b) == 0)
		return 1;
	if (type == ORMC_TYPE_DECIMAL && a[0] == '"' && b[0] == '"') {
		char *x = NULL, *y = NULL;
		size_t xl = 0, yl = 0;
		FILE *f = open_memstream(&x, &xl), *g = open_memstream(&y, &yl);
		int okf = f != NULL, okg = g != NULL, same;

		if (okf)
			put_decimal(f, a);
		if (okg)
			put_decimal(g, b);
		/* each stream closed once: its text is complete only then */
		if (f != NULL && fclose(f) != 0)
			okf = 0;
		if (g != NULL && fclose(g) != 0)
			okg = 0;
		same = okf && okg && strcmp(x, y) == 0;
		free(x);
		free(y);
		return same;
	}
	if (type == ORMC_TYPE_FLOAT && strcmp(a, "null") != 0 && strcmp(b, "null") != 0) {
		double x = strtod(a, NULL), y = strtod(b, NULL);
		double ax = x < 0 ? -x : x, ay = y < 0 ? -y : y, d = x > y ? x - y : y - x;
		double m = ax > ay ? ax : ay;

		if (!isfinite(x) || !isfinite(y))
			return 0;
		if (x == y)
			return 1;    /* 0.0 and -0.0 */
		if (sh->float_digits > 0 && same_digits(x, y, sh->float_digits))
			return 2;
		return d <= sh->rel_tol * m ? 2 : 0;
	}
	return 0;
}

/* 1 identical, 2 equal within tolerance, 0 different. */
static int
rows_equal(const cmp_shape *sh, const cmp_row *a, const cmp_row *b)
{
	int i, r, tol = 0;

	if (a->idhash == b->idhash && strcmp(a->id, b->id) == 0)
		return 1;
	if (a->nfloats == 0 || b->nfloats == 0 || (sh->rel_tol <= 0 && sh->float_digits == 0))
		return 0;
	for (i = 0; i < sh->ncols; i++) {
		if ((r = cmp_cell_equal(sh, i, a->cells[i], b->cells[i])) == 0)
			return 0;
		tol |= r == 2;
	}
	return tol ? 2 : 1;
}

static int
same_key(const cmp_row *a, const cmp_row *b)
{
	return a->keyhash == b->keyhash && strcmp(a->key, b->key) == 0;
}

/* ---- pending sets (unordered) ------------------------------------------------ */

/*
 * Rows of one side not matched yet: hashed by identity (to cancel identical
 * rows) and by key (to pair rows equal within tolerance as they arrive),
 * and listed in arrival order.
 */
typedef struct pending {
	cmp_row **buckets;        /* by idhash, chained by hnext */
	cmp_row **kbuckets;       /* by keyhash, chained by knext */
	size_t nbuckets;
	size_t n;
	cmp_row *first, *last;
} pending;

/*
 * A unit of an ordered comparison: one row, or (when every ordering column
 * is selected) the run of rows that tie on the ordering, which the engines
 * may return in any order.
 */
typedef struct unit {
	cmp_row **rows;
	int n, cap;
	unsigned mhash;           /* units that can be equal have the same (cmp_row nfhash, ohash) */
} unit;

/* Units in arrival order: units[0 .. n) within base[0 .. cap); popping moves units forward. */
typedef struct queue {
	unit *base;
	unit *units;
	int n, cap;
} queue;

struct cmp_match {
	const cmp_shape *sh;
	const cmp_sink *sink;
	int k;
	int ordered;
	int blocks;               /* ordered, units are runs of ties */
	queue q[2];
	unit cur[2];              /* blocks: the run being read */
	pending p[2];             /* unordered */
	int windowed;             /* the window note was given */
};

static int
pending_grow(pending *p)
{
	size_t nb = p->nbuckets ? p->nbuckets * 2 : 64;
	cmp_row **b = calloc(nb, sizeof(*b)), **kb = calloc(nb, sizeof(*kb)), *r;

	if (b == NULL || kb == NULL) {
		free(b);
		free(kb);
		return -1;
	}
	for (r = p->first; r != NULL; r = r->next) {
		r->hnext = b[r->idhash & (nb - 1)];
		b[r->idhash & (nb - 1)] = r;
		r->knext = kb[r->keyhash & (nb - 1)];
		kb[r->keyhash & (nb - 1)] = r;
	}
	free(p->buckets);
	free(p->kbuckets);
	p->buckets = b;
	p->kbuckets = kb;
	p->nbuckets = nb;
	return 0;
}

static int
pending_add(pending *p, cmp_row *r)
{
	cmp_row **slot;

	r->prev = p->last;
	r->next = NULL;
	if (p->last)
		p->last->next = r;
	else
		p->first = r;
	p->last = r;
	p->n++;
	if (p->n > p->nbuckets)
		return pending_grow(p);       /* rehashes every row, r too */
	slot = &p->buckets[r->idhash & (p->nbuckets - 1)];
	r->hnext = *slot;
	*slot = r;
	slot = &p->kbuckets[r->keyhash & (p->nbuckets - 1)];
	r->knext = *slot;
	*slot = r;
	return 0;
}

/* Take x out of p (its chains and its list). */
static void
pending_unlink(pending *p, cmp_row *x)
{
	cmp_row **link;

	for (link = &p->buckets[x->idhash & (p->nbuckets - 1)]; *link != x; link = &(*link)->hnext)
		assert(*link != NULL);
	*link = x->hnext;
	for (link = &p->kbuckets[x->keyhash & (p->nbuckets - 1)]; *link != x; link = &(*link)->knext)
		assert(*link != NULL);
	*link = x->knext;
	if (x->prev)
		x->prev->next = x->next;
	else
		p->first = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		p->last = x->prev;
	p->n--;
}

/*
 * Remove and return the earliest row of p identical to r (want 1) or, with
 * the same key, equal to it within tolerance (want 2); NULL if none.
 */
static cmp_row *
pending_take(const cmp_shape *sh, pending *p, const cmp_row *r, int want)
{
	cmp_row *x, *best = NULL;

	if (p->nbuckets == 0)
		return NULL;
	if (want == 1) {
		for (x = p->buckets[r->idhash & (p->nbuckets - 1)]; x != NULL; x = x->hnext)
			if (x->idhash == r->idhash && strcmp(x->id, r->id) == 0 &&
			    (best == NULL || x->pos < best->pos))
				best = x;
	} else {
		for (x = p->kbuckets[r->keyhash & (p->nbuckets - 1)]; x != NULL; x = x->knext)
			if (same_key(x, r) && (best == NULL || x->pos < best->pos) &&
			    rows_equal(sh, x, r) == 2)
				best = x;
	}
	if (best != NULL)
		pending_unlink(p, best);
	return best;
}

/*
 * r arrives on side (0: db1): it cancels an identical row of the other side,
 * or one equal within tolerance (reported), or waits. Takes r.
 */
static int
pending_arrive(cmp_match *m, int side, cmp_row *r)
{
	pending *mine = &m->p[side], *other = &m->p[1 - side];
	cmp_row *twin = pending_take(m->sh, other, r, 1);
	int rc = 0;

	if (twin == NULL && r->nfloats > 0 && (twin = pending_take(m->sh, other, r, 2)) != NULL)
		rc = m->sink->tolerance(m->sink->ctx, m->k, side == 0 ? r : twin, side == 0 ? twin : r);
	if (twin != NULL) {
		cmp_row_free(twin);
		cmp_row_free(r);
		return rc;
	}
	if (pending_add(mine, r) < 0)
		return -1;            /* r is listed: freed with the set */
	return 0;
}

static void
pending_free(pending *p)
{
	cmp_row *r, *next;

	for (r = p->first; r != NULL; r = next) {
		next = r->next;
		cmp_row_free(r);
	}
	free(p->buckets);
	free(p->kbuckets);
	memset(p, 0, sizeof(*p));
}

/* ---- the matcher ------------------------------------------------------------ */

cmp_match *
cmp_match_new(const cmp_shape *sh, const cmp_sink *sink, int k)
{
	cmp_match *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->sh = sh;
	m->sink = sink;
	m->k = k;
	m->ordered = sh->kind == ORMC_ROWS_ORDERED || sh->kind == ORMC_ROWS_ONE;
	m->blocks = m->ordered && sh->norder > 0;
	return m;
}

static int
unit_add(unit *u, cmp_row *r)
{
	if (u->n == u->cap) {
		int cap = u->cap ? u->cap * 2 : 4;
		cmp_row **rows = realloc(u->rows, sizeof(*rows) * (size_t)cap);

		if (rows == NULL)
			return -1;
		u->rows = rows;
		u->cap = cap;
	}
	u->rows[u->n++] = r;
	return 0;
}

static void
unit_free(unit *u)
{
	int i;

	for (i = 0; i < u->n; i++)
		cmp_row_free(u->rows[i]);
	free(u->rows);
	memset(u, 0, sizeof(*u));
}

/* Append u (taken: *u is emptied). */
static int
push(queue *q, unit *u)
{
	if (q->units == NULL)
		q->units = q->base;
	if ((q->units - q->base) + q->n == q->cap) {
		if (q->n > 0 && q->n <= q->cap / 2) {
			/* half empty: move the units to the front (at most once per n pushes) */
			memmove(q->base, q->units, sizeof(*q->units) * (size_t)q->n);
		} else {
			int cap = q->cap ? q->cap * 2 : 8;
			unit *base = malloc(sizeof(*base) * (size_t)cap);

			if (base == NULL)
				return -1;
			if (q->n > 0)
				memcpy(base, q->units, sizeof(*q->units) * (size_t)q->n);
			free(q->base);
			q->base = base;
			q->cap = cap;
		}
		q->units = q->base;
	}
	q->units[q->n++] = *u;
	memset(u, 0, sizeof(*u));
	return 0;
}

/* Drop the first n units of q (freed). */
static void
pop(queue *q, int n)
{
	int i;

	assert(n <= q->n);
	for (i = 0; i < n; i++)
		unit_free(&q->units[i]);
	q->n -= n;
	q->units = q->n > 0 ? q->units + n : q->base;
}

/* Do a and b tie on the ordering (every ordering column the same value, floats within tolerance)? */
static int
same_order(const cmp_shape *sh, const cmp_row *a, const cmp_row *b)
{
	int i;

	for (i = 0; i < sh->ncols; i++)
		if (sh->isorder[i] && cmp_cell_equal(sh, i, a->cells[i], b->cells[i]) == 0)
			return 0;
	return 1;
}

/* Units a and b: 0 different, 1 the same (rows, or runs of the same ordering value), 2 rows within tolerance. */
static int
units_equal(const cmp_match *m, const unit *a, const unit *b)
{
	if (a->mhash != b->mhash)
		return 0;
	if (m->blocks)
		return same_order(m->sh, a->rows[0], b->rows[0]);
	return rows_equal(m->sh, a->rows[0], b->rows[0]);
}

/*
 * Rows a[0..na) and b[0..nb) that were not matched: paired by key when the
 * query has one, else by position when both sides have as many, else
 * present on one side only.
 */
static int
hunk(cmp_match *m, cmp_row **a, int na, cmp_row **b, int nb)
{
	char *used = calloc((size_t)nb + 1, 1);
	int i, j, rc = 0;

	if (used == NULL)
		return -1;
	for (i = 0; i < na && rc == 0; i++) {
		int pair = -1;

		if (m->sh->nkeys > 0) {
			for (j = 0; j < nb && pair < 0; j++)
				if (!used[j] && same_key(a[i], b[j]))
					pair = j;
		} else if (na == nb) {
			pair = i;
		}
		if (pair >= 0) {
			used[pair] = 1;
			rc = m->sink->changed(m->sink->ctx, m->k, a[i], b[pair]);
		} else {
			rc = m->sink->only(m->sink->ctx, m->k, 0, a[i]);
		}
	}
	for (j = 0; j < nb && rc == 0; j++)
		if (!used[j])
			rc = m->sink->only(m->sink->ctx, m->k, 1, b[j]);
	free(used);
	return rc;
}

/*
 * The rows left in pa and pb after identical rows cancelled: pair those of
 * the same key (the non-float cells when there is no key): equal within
 * tolerance first, then, with a key, as a changed row; with no key and one
 * row left a side (single), those two as a changed row; the rest is on one
 * side only.
 */
static int
settle(cmp_match *m, pending *pa, pending *pb, int single)
{
	size_t nb = 64;
	cmp_row **by_key, *a, *b, **link;
	int rc = 0;

	if (single && m->sh->nkeys == 0 && pa->n == 1 && pb->n == 1) {
		a = pa->first;
		b = pb->first;
		if (rows_equal(m->sh, a, b) == 2)
			return m->sink->tolerance(m->sink->ctx, m->k, a, b);
		return m->sink->changed(m->sink->ctx, m->k, a, b);
	}
	while (nb < pb->n)
		nb *= 2;
	if ((by_key = calloc(nb, sizeof(*by_key))) == NULL)
		return -1;
	/* chained in reverse, so that each bucket lists its rows in arrival order */
	for (b = pb->last; b != NULL; b = b->prev) {
		b->hnext = by_key[b->keyhash & (nb - 1)];
		by_key[b->keyhash & (nb - 1)] = b;
	}
	for (a = pa->first; a != NULL && rc == 0; a = a->next) {
		cmp_row **found = NULL;
		int eq = 0;

		for (link = &by_key[a->keyhash & (nb - 1)]; *link != NULL; link = &(*link)->hnext) {
			if (!same_key(a, *link))
				continue;
			if ((eq = rows_equal(m->sh, a, *link)) != 0) {
				found = link;
				break;
			}
			if (found == NULL && m->sh->nkeys > 0)
				found = link;
		}
		if (found == NULL) {
			rc = m->sink->only(m->sink->ctx, m->k, 0, a);
			continue;
		}
		b = *found;
		*found = b->hnext;
		if (eq == 2)
			rc = m->sink->tolerance(m->sink->ctx, m->k, a, b);
		else if (eq == 0)
			rc = m->sink->changed(m->sink->ctx, m->k, a, b);
		b->pos = -b->pos - 1;     /* paired: skipped below */
	}
	for (b = pb->first; b != NULL && rc == 0; b = b->next)
		if (b->pos >= 0)
			rc = m->sink->only(m->sink->ctx, m->k, 1, b);
	free(by_key);
	return rc;
}

/* Two runs of rows that tie on the same ordering value: compared as multisets. */
static int
compare_runs(cmp_match *m, unit *a, unit *b)
{
	int i, rc = 0;

	/* an ordered matcher's pending sets are free for this */
	for (i = 0; i < a->n && rc == 0; i++) {
		rc = pending_arrive(m, 0, a->rows[i]);
		a->rows[i] = NULL;
	}
	for (i = 0; i < b->n && rc == 0; i++) {
		rc = pending_arrive(m, 1, b->rows[i]);
		b->rows[i] = NULL;
	}
	/* rows not given to the sets (after an error) are still the units' */
	for (i = 0; i < a->n; i++)
		cmp_row_free(a->rows[i]);
	for (i = 0; i < b->n; i++)
		cmp_row_free(b->rows[i]);
	a->n = b->n = 0;
	if (rc == 0)
		rc = settle(m, &m->p[0], &m->p[1], 1);
	pending_free(&m->p[0]);
	pending_free(&m->p[1]);
	return rc;
}

/* The units before q[0][i] and q[1][j] differ; those two are equal (eq as units_equal()). */
static int
take(cmp_match *m, int i, int j, int eq)
{
	unit ra, rb;
	int x, y, rc = 0;

	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	for (x = 0; x < i && rc == 0; x++)
		for (y = 0; y < m->q[0].units[x].n && rc == 0; y++)
			rc = unit_add(&ra, m->q[0].units[x].rows[y]);
	for (x = 0; x < j && rc == 0; x++)
		for (y = 0; y < m->q[1].units[x].n && rc == 0; y++)
			rc = unit_add(&rb, m->q[1].units[x].rows[y]);
	if (rc == 0)
		rc = hunk(m, ra.rows, ra.n, rb.rows, rb.n);
	free(ra.rows);            /* the rows are the queues' */
	free(rb.rows);
	if (rc == 0 && m->blocks)
		rc = compare_runs(m, &m->q[0].units[i], &m->q[1].units[j]);
	else if (rc == 0 && eq == 2)
		rc = m->sink->tolerance(m->sink->ctx, m->k, m->q[0].units[i].rows[0],
		                        m->q[1].units[j].rows[0]);
	pop(&m->q[0], i + 1);
	pop(&m->q[1], j + 1);
	return rc;
}

/* After a hunk: take the nearest equal pair left (smallest i + j), until none. */
static int
rescan(cmp_match *m)
{
	for (;;) {
		int i, j, bi = -1, bj = -1, beq = 0, rc;

		for (i = 0; i < m->q[0].n; i++)
			for (j = 0; j < m->q[1].n; j++) {
				int eq;

				if (bi >= 0 && i + j >= bi + bj)
					break;
				if ((eq = units_equal(m, &m->q[0].units[i], &m->q[1].units[j])) != 0) {
					bi = i;
					bj = j;
					beq = eq;
				}
			}
		if (bi < 0)
			return 0;
		if ((rc = take(m, bi, bj, beq)) != 0)
			return rc;
	}
}

/* A unit is complete on side: queue it and look for where the sides realign. Takes *u. */
static int
add_unit(cmp_match *m, int side, unit *u)
{
	queue *mine = &m->q[side], *other = &m->q[1 - side];
	int j, eq, rc;

	if (push(mine, u) < 0) {
		unit_free(u);
		return -1;
	}
	for (j = 0; j < other->n; j++)
		if (other->units[j].mhash == mine->units[mine->n - 1].mhash &&
		    (eq = units_equal(m, &mine->units[mine->n - 1], &other->units[j])) != 0) {
			rc = side == 0 ? take(m, mine->n - 1, j, eq) : take(m, j, mine->n - 1, eq);
			return rc != 0 ? rc : rescan(m);
		}
	/* No realignment within the window: pair the oldest units by position. */
	while (mine->n > CMP_WINDOW) {
		if (!m->windowed && m->sink->window != NULL) {
			m->windowed = 1;
			rc = m->sink->window(m->sink->ctx, m->k,
			                     m->q[0].n > 0 ? m->q[0].units[0].rows[0]->pos : -1,
			                     m->q[1].n > 0 ? m->q[1].units[0].rows[0]->pos : -1);
			if (rc != 0)
				return rc;
		}
		if (other->n > 0) {
			rc = hunk(m, m->q[0].units[0].rows, m->q[0].units[0].n,
			          m->q[1].units[0].rows, m->q[1].units[0].n);
			pop(other, 1);
		} else {
			rc = hunk(m, side == 0 ? mine->units[0].rows : NULL, side == 0 ? mine->units[0].n : 0,
			          side == 1 ? mine->units[0].rows : NULL, side == 1 ? mine->units[0].n : 0);
		}
		pop(mine, 1);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
add_ordered(cmp_match *m, int side, cmp_row *r)
{
	unit *cur = &m->cur[side];
	unit u;

	if (m->blocks && cur->n > 0 && same_order(m->sh, cur->rows[0], r)) {
		if (unit_add(cur, r) < 0) {
			cmp_row_free(r);
			return -1;
		}
		return 0;
	}
	memset(&u, 0, sizeof(u));
	if (unit_add(&u, r) < 0) {
		cmp_row_free(r);
		return -1;
	}
	u.mhash = m->blocks ? r->ohash : r->nfhash;
	if (!m->blocks)
		return add_unit(m, side, &u);
	/* a new run begins: the one before is complete */
	if (cur->n > 0) {
		unit done = *cur;
		int rc;

		*cur = u;
		rc = add_unit(m, side, &done);
		return rc;
	}
	*cur = u;
	return 0;
}

int
cmp_match_add(cmp_match *m, int side, cmp_row *r)
{
	assert(side == 0 || side == 1);
	if (m->ordered)
		return add_ordered(m, side, r);
	return pending_arrive(m, side, r);
}

int
cmp_match_finish(cmp_match *m)
{
	unit ra, rb;
	int side, x, y, rc = 0;

	if (!m->ordered)
		return settle(m, &m->p[0], &m->p[1], 0);
	for (side = 0; side < 2 && rc == 0; side++)
		if (m->cur[side].n > 0)
			rc = add_unit(m, side, &m->cur[side]);
	if (rc != 0)
		return rc;
	/* what is left differs: one hunk */
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	for (x = 0; x < m->q[0].n && rc == 0; x++)
		for (y = 0; y < m->q[0].units[x].n && rc == 0; y++)
			rc = unit_add(&ra, m->q[0].units[x].rows[y]);
	for (x = 0; x < m->q[1].n && rc == 0; x++)
		for (y = 0; y < m->q[1].units[x].n && rc == 0; y++)
			rc = unit_add(&rb, m->q[1].units[x].rows[y]);
	if (rc == 0)
		rc = hunk(m, ra.rows, ra.n, rb.rows, rb.n);
	free(ra.rows);
	free(rb.rows);
	pop(&m->q[0], m->q[0].n);
	pop(&m->q[1], m->q[1].n);
	return rc;
}

void
cmp_match_free(cmp_match *m)
{
	if (m == NULL)
		return;
	pop(&m->q[0], m->q[0].n);
	pop(&m->q[1], m->q[1].n);
	free(m->q[0].base);
	free(m->q[1].base);
	unit_free(&m->cur[0]);
	unit_free(&m->cur[1]);
	pending_free(&m->p[0]);
	pending_free(&m->p[1]);
	free(m);
}
