/*
 * schema_parse.c -- the models reader's first pass: one models text's
 * classes, fields, Meta options, class constants, enums and inheritance;
 * see core/schema_read.h for the reader's state and core/schema.c for the
 * second pass and the API.
 *
 * Statements are logical lines from the lexer, grouped into blocks by
 * indentation. Only the call arguments the reader needs are parsed, so
 * choices=[... for v in E], lambdas and anything else a real models file
 * holds are skipped as token ranges. A class is a model when one of its
 * bases is Model or a model read before it; a class that looks like a model
 * but cannot be read (a base that is neither a model nor a class of the
 * texts, fields on a class that is not a model) is an error naming it,
 * never dropped.
 */
#include "schema_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Field classes Django has removed: its system check's error. */
static const struct removed_field {
	const char *name;
	const char *message;
} removed_fields[] = {
	{ "IPAddressField", "IPAddressField has been removed except for support in historical migrations." },
	{ "CommaSeparatedIntegerField", "CommaSeparatedIntegerField is removed except for support in historical migrations." },
	/* Django 5.0: a column the database computes, which copy and load must not write */
	{ "GeneratedField", "GeneratedField (Django 5.0, a column the database computes) is not supported yet" },
	{ NULL, NULL }
};

/* Base classes that make a class an enum (schema->enums). */
static const char *const enum_bases[] = {
	"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "Choices",
	"IntegerChoices", "TextChoices", NULL
};

/* ---- helpers ---------------------------------------------------------- */


static const ormc_token *
tok(const reader *r, int i)
{
	return &r->toks.tok[i];
}



static int
is_literal(const ormc_ast *e)
{
	switch (e->kind) {
	case ORMC_AST_STR: case ORMC_AST_INT: case ORMC_AST_FLOAT:
	case ORMC_AST_TRUE: case ORMC_AST_FALSE: case ORMC_AST_NONE:
		return 1;
	case ORMC_AST_NEG:
		return e->left->kind == ORMC_AST_INT ||
		       e->left->kind == ORMC_AST_FLOAT;
	default:
		return 0;
	}
}

/* Parse tokens [a, b) as an expression, quietly: NULL if not parseable. */
ormc_ast *
ormc_sr_try_parse(reader *r, int a, int b)
{
	ormc_error scratch;
	ormc_ast *e = NULL;

	if (a >= b)
		return NULL;
	ormc_error_clear(&scratch);
	if (ormc_parse_tokens(r->a, r->text, &r->toks, a, b, &e, &scratch) < 0)
		return NULL;
	return e;
}

/* Index of the closer matching the opener at i (same depth). */
int
ormc_sr_match_close(const reader *r, int i, int end)
{
	int depth = tok(r, i)->depth, k;

	for (k = i + 1; k < end; k++)
		if (tok(r, k)->kind == ORMC_TOK_OP && tok(r, k)->depth == depth &&
		    strchr(")]}", tok(r, k)->str[0]) != NULL)
			return k;
	return -1;
}

/* First depth-0 op in [a, b), or -1. */
static int
find_op(const reader *r, int a, int b, const char *op)
{
	int k, depth = a < b ? tok(r, a)->depth : 0;

	for (k = a; k < b; k++)
		if (tok(r, k)->depth == depth && ormc_tok_is_op(tok(r, k), op))
			return k;
	return -1;
}

/*
 * Last component of a dotted name at [a, b) ("models.Model" -> "Model"),
 * or NULL if the range is not a dotted name.
 */
static const ormc_token *
dotted_last(const reader *r, int a, int b)
{
	int k;

	if (a >= b || (b - a) % 2 == 0)
		return NULL;
	for (k = a; k < b; k++) {
		const ormc_token *t = tok(r, k);

		if ((k - a) % 2 == 0 ? t->kind != ORMC_TOK_NAME
		                     : !ormc_tok_is_op(t, "."))
			return NULL;
	}
	return tok(r, b - 1);
}

/*
 * Statements [i+1, *end) indented deeper than statement i form its body.
 * Returns the body's indentation (that of its first statement), or -1 if
 * the block has no indented body.
 */
int
ormc_sr_block_body(const reader *r, int i, int *end)
{
	int j = i + 1;

	while (j < r->nst && r->st[j].indent > r->st[i].indent)
		j++;
	*end = j;
	return j > i + 1 ? r->st[i + 1].indent : -1;
}

/* ---- error helpers ---------------------------------------------------- */

static int
verr(reader *r, const char *text, int code, int pos, int len, const char *fmt,
     va_list ap)
{
	char msg[400];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return ormc_error_set(r->err, code, text ? text : r->text, pos, len,
	                      "%s", msg);
}

int
ormc_sr_err(reader *r, const char *text, int code, int pos, int len,
            const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr(r, text, code, pos, len, fmt, ap);
	va_end(ap);
	return rc;
}

static int
err_at(reader *r, int code, int pos, int len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* ormc_error_set with the text being read as source. */
static int
err_at(reader *r, int code, int pos, int len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr(r, NULL, code, pos, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- fields ----------------------------------------------------------- */

/* One call argument: tokens [start, end), keyword name or NULL. */
typedef struct arg {
	const char *kw;
	int kw_pos;
	int start;
	int end;
} arg;

static int
arg_value(reader *r, const arg *g, ormc_ast **out)
{
	return ormc_parse_tokens(r->a, r->text, &r->toks, g->start, g->end, out,
	                         r->err);
}

static int
arg_int(reader *r, const arg *g, int *out)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);

	if (rc < 0)
		return rc;
	if (e->kind != ORMC_AST_INT || e->ival > 1000000000)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos,
		                      "'%s' must be a positive integer", g->kw);
	*out = (int)e->ival;
	return 0;
}

static int
arg_bool(reader *r, const arg *g, int *out)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);

	if (rc < 0)
		return rc;
	if (e->kind != ORMC_AST_TRUE && e->kind != ORMC_AST_FALSE)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos,
		                      "'%s' must be True or False", g->kw);
	*out = e->kind == ORMC_AST_TRUE;
	return 0;
}

static int
arg_str(reader *r, const arg *g, const char **out)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);

	if (rc < 0)
		return rc;
	if (e->kind != ORMC_AST_STR)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos, "'%s' must be a string",
		                      g->kw);
	*out = e->str;
	return 0;
}

/*
 * The model a relation points at: Name, "Name", "app.Name", "self",
 * settings.AUTH_USER_MODEL or get_user_model().
 */
static int
relation_target(reader *r, const arg *g, model_state *ms, pending_rel *pr)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e);
	const char *name, *dot;

	if (rc < 0)
		return rc;
	pr->target_pos = e->pos;
	pr->target_len = e->end - e->pos;
	if ((e->kind == ORMC_AST_ATTR &&
	     strcmp(e->str, "AUTH_USER_MODEL") == 0) ||
	    (e->kind == ORMC_AST_CALL && e->nargs == 0 &&
	     e->left->kind == ORMC_AST_NAME &&
	     strcmp(e->left->str, "get_user_model") == 0)) {
		pr->auth_user = 1;
		name = r->auth_user_model;
	} else if (e->kind == ORMC_AST_NAME || e->kind == ORMC_AST_STR) {
		name = e->str;
	} else if (e->kind == ORMC_AST_ATTR) {
		/* other_app.models.Model, imported as a module */
		name = e->str;
	} else {
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos,
		                      "relation target must be a model class or a model name string");
	}
	if (e->kind == ORMC_AST_STR && strcmp(name, "self") == 0) {
		name = ms->model->name;
		pr->self_written = 1;
	} else if ((e->kind == ORMC_AST_STR || pr->auth_user) &&
	           (dot = strrchr(name, '.')) != NULL) {
		pr->target_app = ormc_arena_strndup(r->a, name,
		                                    (size_t)(dot - name));
		if (pr->target_app == NULL)
			return ormc_sr_nomem(r);
		name = dot + 1;
	}
	pr->target = name;
	return 0;
}

/*
 * ManyToManyField(through=Model): the intermediate model, written as a
 * relation's target is (Name, "Name", "app.Name"). Its table is then the
 * relation's table, and its foreign keys the relation's columns
 * (schema.c, through_columns()).
 */
static int
through_model(reader *r, const arg *g, model_state *ms, pending_rel *pr)
{
	pending_rel t;
	int rc;

	memset(&t, 0, sizeof(t));
	if ((rc = relation_target(r, g, ms, &t)) < 0)
		return rc;
	if (t.self_written || t.auth_user)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, t.target_pos,
		                      t.target_len,
		                      "through= must name the intermediate model");
	pr->through = t.target;
	pr->through_app = t.target_app;
	pr->through_pos = t.target_pos;
	pr->through_len = t.target_len;
	return 0;
}

/* through_fields=("group", "user"): the intermediate model's two foreign keys. */
static int
through_fields(reader *r, const arg *g, pending_rel *pr)
{
	ormc_ast *e;
	int rc = arg_value(r, g, &e), k;

	if (rc < 0)
		return rc;
	if ((e->kind != ORMC_AST_TUPLE && e->kind != ORMC_AST_LIST) ||
	    e->nargs != 2 || e->args[0]->kind != ORMC_AST_STR ||
	    e->args[1]->kind != ORMC_AST_STR)
		return ormc_error_set(r->err, ORMC_EINVALID, r->text, e->pos,
		                      e->end - e->pos,
		                      "through_fields must be a tuple of two field names");
	for (k = 0; k < 2; k++)
		pr->through_fields[k] = e->args[k]->str;
	return 0;
}

/*
 * Split the arguments of the call whose '(' is token lp and ')' token rp
 * at top-level commas. Arguments are kept as token ranges and only the
 * ones a caller asks for are parsed, so arbitrary Python in the others
 * (choices comprehensions, lambdas, on_delete) never matters.
 */
static int
split_args(reader *r, int lp, int rp, arg **out, int *nout)
{
	int depth = tok(r, lp)->depth + 1, k, a = lp + 1, n = 0, cap = 8;
	arg *v = ormc_arena_alloc(r->a, sizeof(arg) * (size_t)cap);

	if (v == NULL)
		return ormc_sr_nomem(r);
	for (k = lp + 1; k <= rp; k++) {
		const ormc_token *t = tok(r, k);

		if (k < rp && !(t->depth == depth && ormc_tok_is_op(t, ",")))
			continue;
		if (k > a) {
			if (n == cap) {
				arg *nv = ormc_arena_alloc(r->a, sizeof(arg) *
				                                 (size_t)cap * 2);

				if (nv == NULL)
					return ormc_sr_nomem(r);
				memcpy(nv, v, sizeof(arg) * (size_t)n);
				v = nv;
				cap *= 2;
			}
			v[n].kw = NULL;
			v[n].kw_pos = -1;
			v[n].start = a;
			v[n].end = k;
			if (k - a >= 2 && tok(r, a)->kind == ORMC_TOK_NAME &&
			    ormc_tok_is_op(tok(r, a + 1), "=")) {
				v[n].kw = tok(r, a)->str;
				v[n].kw_pos = tok(r, a)->pos;
				v[n].start = a + 2;
			}
			n++;
		}
		a = k + 1;
	}
	*out = v;
	*nout = n;
	return 0;
}

ormc_field *
ormc_sr_new_field(reader *r, model_state *ms, const char *name, int pos)
{
	ormc_field *f = ormc_arena_alloc(r->a, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->name = name;
	f->model = ms->model;
	f->pos = pos;
	f->order = pos < 0 ? -1 : r->order++;
	f->max_length = -1;
	f->max_digits = -1;
	f->decimal_places = -1;
	return f;
}

/* Add f to the model; a second field of the same name replaces the first. */
static int
add_field(reader *r, model_state *ms, ormc_field *f)
{
	int k;

	for (k = 0; k < ms->fields.n; k++) {
		ormc_field *g = ms->fields.items[k];

		if (strcmp(g->name, f->name) == 0) {
			int j;

			/* The replaced relation gets no reverse end. */
			for (j = 0; j < r->rels.n; j++)
				if (((pending_rel *)r->rels.items[j])->field == g) {
					memmove(r->rels.items + j, r->rels.items + j + 1,
					        sizeof(void *) * (size_t)(r->rels.n - j - 1));
					r->rels.n--;
					break;
				}
			ms->fields.items[k] = f;
			return 0;
		}
	}
	return ormc_ptrvec_push(r->a, &ms->fields, f) < 0 ? ormc_sr_nomem(r) : 0;
}

/*
 * name = [models.]XField(args): tokens name_tok, callee [cs, lp), '(' at lp,
 * ')' at rp. cls is the field class (already known to exist).
 */
static int
read_field(reader *r, model_state *ms, const ormc_token *name_tok,
           const struct field_class *cls, const ormc_token *cls_tok,
           int lp, int rp)
{
	ormc_field *f;
	pending_rel *pr = NULL;
	arg *args = NULL;
	int nargs = 0, k, rc, npos = 0;
	int is_rel = cls->kind >= ORMC_FIELD_FOREIGNKEY;
	const char *db_column = NULL;

	if ((rc = split_args(r, lp, rp, &args, &nargs)) < 0)
		return rc;
	f = ormc_sr_new_field(r, ms, name_tok->str, name_tok->pos);
	if (f == NULL)
		return ormc_sr_nomem(r);
	f->class_name = cls_tok->str;
	f->kind = cls->kind;
	f->max_length = cls->max_length;
	if (strcmp((cls->base ? cls->base : cls)->name, "NullBooleanField") == 0)
		f->null = 1;
	if (cls->base != NULL) {   /* a subclass's __init__ defaults */
		if (cls->max_digits >= 0)
			f->max_digits = cls->max_digits;
		if (cls->decimal_places >= 0)
			f->decimal_places = cls->decimal_places;
		if (cls->null >= 0)
			f->null = cls->null;
		if (cls->unique >= 0)
			f->unique = cls->unique;
	}
	if (cls->kind == ORMC_FIELD_ONETOONE)
		f->unique = 1;
	if (is_rel) {
		pr = ormc_arena_alloc(r->a, sizeof(*pr));
		if (pr == NULL)
			return ormc_sr_nomem(r);
		pr->field = f;
		pr->text = r->text;
		pr->symmetrical_given = -1;
		pr->target_pos = cls_tok->pos;
	}
	for (k = 0; k < nargs && rc == 0; k++) {
		const arg *g = &args[k];
		const char *kw = g->kw;

		if (kw == NULL) {
			if (npos++ == 0 && is_rel &&
			    !ormc_tok_is_op(tok(r, g->start), "*") &&
			    !ormc_tok_is_op(tok(r, g->start), "**"))
				rc = relation_target(r, g, ms, pr);
			continue;
		}
		if (strcmp(kw, "to") == 0 && is_rel)
			rc = relation_target(r, g, ms, pr);
		else if (strcmp(kw, "max_length") == 0)
			rc = arg_int(r, g, &f->max_length);
		else if (strcmp(kw, "max_digits") == 0)
			rc = arg_int(r, g, &f->max_digits);
		else if (strcmp(kw, "decimal_places") == 0)
			rc = arg_int(r, g, &f->decimal_places);
		else if (strcmp(kw, "null") == 0)
			rc = arg_bool(r, g, &f->null);
		else if (strcmp(kw, "primary_key") == 0)
			rc = arg_bool(r, g, &f->primary_key);
		else if (strcmp(kw, "unique") == 0)
			rc = arg_bool(r, g, &f->unique);
		else if (strcmp(kw, "db_column") == 0)
			rc = arg_str(r, g, &db_column);
		else if (cls->kind == ORMC_FIELD_ONETOONE &&
		         strcmp(kw, "parent_link") == 0)
			rc = arg_bool(r, g, &f->parent_link);
		else if (is_rel && strcmp(kw, "related_name") == 0)
			rc = arg_str(r, g, &f->related_name);
		else if (is_rel && strcmp(kw, "related_query_name") == 0)
			rc = arg_str(r, g, &f->related_query_name);
		else if (is_rel && strcmp(kw, "symmetrical") == 0) {
			int v = 0;

			rc = arg_bool(r, g, &v);
			pr->symmetrical_given = v;
		} else if (cls->kind == ORMC_FIELD_MANYTOMANY &&
		           strcmp(kw, "db_table") == 0)
			rc = arg_str(r, g, &pr->db_table);
		else if (cls->kind == ORMC_FIELD_MANYTOMANY &&
		         strcmp(kw, "through") == 0)
			rc = through_model(r, g, ms, pr);
		else if (cls->kind == ORMC_FIELD_MANYTOMANY &&
		         strcmp(kw, "through_fields") == 0)
			rc = through_fields(r, g, pr);
		else if (is_rel && (strcmp(kw, "through") == 0 ||
		                    strcmp(kw, "through_fields") == 0))
			rc = err_at(r, ORMC_EINVALID, g->kw_pos,
			            (int)strlen(kw),
			            "%s has no argument '%s' (field '%s.%s')",
			            cls->name, kw, ms->model->name, f->name);
		else if (is_rel && strcmp(kw, "to_field") == 0)
			rc = err_at(r, ORMC_EUNSUPPORTED, g->kw_pos,
			            (int)strlen(kw),
			            "%s with to_field= is not supported (field '%s.%s')",
			            cls->name, ms->model->name, f->name);
	}
	if (rc < 0)
		return rc;
	if (is_rel && pr->target == NULL)
		return err_at(r, ORMC_EINVALID, cls_tok->pos, (int)cls_tok->len,
		              "%s.__init__() missing 1 required positional argument: 'to'",
		              cls->name);
	if (cls->kind == ORMC_FIELD_FOREIGNKEY || cls->kind == ORMC_FIELD_ONETOONE)
		f->column = db_column ? db_column :
		            ormc_arena_printf(r->a, "%s_id", f->name);
	else if (cls->kind != ORMC_FIELD_MANYTOMANY)
		f->column = db_column ? db_column : f->name;
	if (pr != NULL && ormc_ptrvec_push(r->a, &r->rels, pr) < 0)
		return ormc_sr_nomem(r);
	return add_field(r, ms, f);
}

/* ---- class bodies ----------------------------------------------------- */

/* Where a statement's inline body after "class X:" starts, or -1. */
static int
header_colon(const reader *r, const stmt *s)
{
	return find_op(r, s->start, s->end, ":");
}

/*
 * Meta.unique_together: a tuple or list of tuples of field names, or one
 * tuple of names (Django's normalize_together). Names are resolved when the
 * model's fields are known (core/schema.c, resolve_unique_together).
 */
static int
read_unique_together(reader *r, model_state *ms, ormc_ast *e)
{
	int k, j;

	if (e->kind != ORMC_AST_LIST && e->kind != ORMC_AST_TUPLE)
		return err_at(r, ORMC_EINVALID, e->pos, e->end - e->pos,
		              "'unique_together' must be a list or tuple.");
	ms->unique_sets.n = 0;
	if (e->nargs > 0 && e->args[0]->kind == ORMC_AST_STR)
		return ormc_ptrvec_push(r->a, &ms->unique_sets, e) < 0 ? ormc_sr_nomem(r) : 0;
	for (k = 0; k < e->nargs; k++) {
		const ormc_ast *set = e->args[k];

		if (set->kind != ORMC_AST_LIST && set->kind != ORMC_AST_TUPLE)
			return err_at(r, ORMC_EINVALID, set->pos, set->end - set->pos,
			              "All 'unique_together' elements must be lists or tuples.");
		for (j = 0; j < set->nargs; j++)
			if (set->args[j]->kind != ORMC_AST_STR)
				return err_at(r, ORMC_EINVALID, set->args[j]->pos,
				              set->args[j]->end - set->args[j]->pos,
				              "'unique_together' entries must be field names");
		if (ormc_ptrvec_push(r->a, &ms->unique_sets, (void *)set) < 0)
			return ormc_sr_nomem(r);
	}
	return 0;
}

static int
read_meta_stmt(reader *r, model_state *ms, int a, int b)
{
	const ormc_token *name = tok(r, a);
	ormc_ast *e;
	int rc, k;

	if (b - a < 3 || name->kind != ORMC_TOK_NAME ||
	    !ormc_tok_is_op(tok(r, a + 1), "="))
		return 0;
	if (strcmp(name->str, "swappable") == 0) {
		rc = ormc_parse_tokens(r->a, r->text, &r->toks, a + 2, b, &e, r->err);
		if (rc < 0)
			return rc;
		ms->swappable = e->kind == ORMC_AST_STR &&
		                strcmp(e->str, "AUTH_USER_MODEL") == 0;
		return 0;
	}
	if (strcmp(name->str, "db_table") == 0 ||
	    strcmp(name->str, "app_label") == 0) {
		rc = ormc_parse_tokens(r->a, r->text, &r->toks, a + 2, b, &e, r->err);
		if (rc < 0)
			return rc;
		if (e->kind != ORMC_AST_STR)
			return err_at(r, ORMC_EINVALID, e->pos, e->end - e->pos,
			              "Meta.%s must be a string", name->str);
		if (name->str[0] == 'd')
			ms->db_table = e->str;
		else
			ms->app_label = e->str;
	} else if (strcmp(name->str, "ordering") == 0) {
		rc = ormc_parse_tokens(r->a, r->text, &r->toks, a + 2, b, &e, r->err);
		if (rc < 0)
			return rc;
		ms->ordering_set = 1;
		ms->ordering.n = 0;
		if (e->kind == ORMC_AST_STR) {
			if (ormc_ptrvec_push(r->a, &ms->ordering, (void *)e->str) < 0)
				return ormc_sr_nomem(r);
			return 0;
		}
		if (e->kind != ORMC_AST_LIST && e->kind != ORMC_AST_TUPLE)
			return err_at(r, ORMC_EINVALID, e->pos, e->end - e->pos,
			              "'ordering' must be a tuple or list (even if you want to order by only one field).");
		for (k = 0; k < e->nargs; k++) {
			const ormc_ast *o = e->args[k];

			if (o->kind != ORMC_AST_STR)
				return err_at(r, ORMC_EUNSUPPORTED, o->pos,
				              o->end - o->pos,
				              "Meta.ordering entries other than field name strings are not supported");
			if (ormc_ptrvec_push(r->a, &ms->ordering, (void *)o->str) < 0)
				return ormc_sr_nomem(r);
		}
	} else if (strcmp(name->str, "unique_together") == 0) {
		rc = ormc_parse_tokens(r->a, r->text, &r->toks, a + 2, b, &e, r->err);
		if (rc < 0)
			return rc;
		return read_unique_together(r, ms, e);
	} else if (strcmp(name->str, "abstract") == 0 ||
	           strcmp(name->str, "proxy") == 0 ||
	           strcmp(name->str, "managed") == 0) {
		int v = 0;
		arg g;

		g.kw = name->str;
		g.kw_pos = name->pos;
		g.start = a + 2;
		g.end = b;
		if ((rc = arg_bool(r, &g, &v)) < 0)
			return rc;
		if (name->str[0] == 'a')
			ms->model->abstract = v;
		else if (name->str[0] == 'm') {
			ms->model->unmanaged = !v;
			ms->managed_set = 1;
		}
		else
			ms->proxy = v;
	}
	return 0;
}

/* Record `A = lit` / `A, B = lit, lit` as class constants. */
static int
read_consts(reader *r, model_state *ms, int a, int b, int eq)
{
	ormc_ast *e = ormc_sr_try_parse(r, eq + 1, b);
	int k, n = (eq - a + 1) / 2;

	if (e == NULL)
		return 0;
	if (n == 1) {
		if (!is_literal(e))
			return 0;
		if (ormc_ptrvec_push(r->a, &ms->const_names,
		                     (void *)tok(r, a)->str) < 0 ||
		    ormc_ptrvec_push(r->a, &ms->const_values, e) < 0)
			return ormc_sr_nomem(r);
		return 0;
	}
	if (e->kind != ORMC_AST_TUPLE || e->nargs != n)
		return 0;
	for (k = 0; k < n; k++) {
		if (!is_literal(e->args[k]))
			continue;
		if (ormc_ptrvec_push(r->a, &ms->const_names,
		                     (void *)tok(r, a + 2 * k)->str) < 0 ||
		    ormc_ptrvec_push(r->a, &ms->const_values, e->args[k]) < 0)
			return ormc_sr_nomem(r);
	}
	return 0;
}

/*
 * A statement [a, b) of a model's body that is not read as a field but
 * calls a field class: an error, so that no field is dropped unseen.
 */
static int
unread_field(reader *r, model_state *ms, int a, int b)
{
	int k;

	for (k = a; k + 1 < b; k++) {
		const ormc_token *t = tok(r, k);
		int known = ormc_sr_ends_with(t->str, "Field");

		if (t->kind != ORMC_TOK_NAME || !ormc_tok_is_op(tok(r, k + 1), "("))
			continue;
		if (!known)
			known = ormc_sr_field_class(r, t->str, 1) != NULL;
		if (known)
			return err_at(r, ORMC_EUNSUPPORTED, t->pos, (int)t->len,
			              "the %s of model '%s' is declared in a way ormc cannot read: write `name = models.%s(...)` directly in the class body",
			              t->str, ms->model->name, t->str);
	}
	return 0;
}

/* One statement [a, b) directly in a model class body. */
static int
read_model_stmt(reader *r, model_state *ms, int a, int b)
{
	int eq, k, lp, rp, annotated = 0;
	const ormc_token *last;
	const struct field_class *cls;

	if (tok(r, a)->kind != ORMC_TOK_NAME)
		return unread_field(r, ms, a, b);
	if (ormc_is_keyword(tok(r, a)->str))
		return ormc_tok_is_name(tok(r, a), "def") ? 0 : unread_field(r, ms, a, b);
	eq = find_op(r, a, b, "=");
	if (eq < 0)
		return unread_field(r, ms, a, b);
	if (eq > a + 2 && ormc_tok_is_op(tok(r, a + 1), ":")) {
		/* name: Annotation = value, one target */
		annotated = 1;
	} else {
		/* Targets: NAME (',' NAME)* */
		for (k = a; k < eq; k++)
			if ((k - a) % 2 == 0 ? tok(r, k)->kind != ORMC_TOK_NAME
			                     : !ormc_tok_is_op(tok(r, k), ","))
				return unread_field(r, ms, a, b);
		if ((eq - a) % 2 == 0)
			return unread_field(r, ms, a, b);
		if (eq - a > 1)
			return read_consts(r, ms, a, b, eq);
	}
	/* name = dotted.Callee( ... ) */
	lp = find_op(r, eq + 1, b, "(");
	last = lp > eq + 1 ? dotted_last(r, eq + 1, lp) : NULL;
	if (last == NULL) {
		if ((k = unread_field(r, ms, eq + 1, b)) < 0)
			return k;
		return annotated ? 0 : read_consts(r, ms, a, b, eq);
	}
	rp = ormc_sr_match_close(r, lp, b);
	if (rp != b - 1)
		return unread_field(r, ms, a, b);
	/* models.X is Django's; a bare or other-module name may be the texts' own */
	cls = ormc_sr_field_class(r, last->str, lp - (eq + 1) == 3 &&
	                       ormc_tok_is_name(tok(r, eq + 1), "models"));
	if (cls != NULL && cls->unread != NULL)
		return err_at(r, ORMC_EUNSUPPORTED, last->pos, last->len,
		              "field '%s.%s' is a %s, whose %s() changes the values Django stores, reads or compares: ormc reads the models as text and would not give Django's values",
		              ms->model->name, tok(r, a)->str, last->str, cls->unread);
	if (cls != NULL)
		return read_field(r, ms, tok(r, a), cls, last, lp, rp);
	for (k = 0; removed_fields[k].name != NULL; k++)
		if (strcmp(removed_fields[k].name, last->str) == 0)
			return err_at(r, ORMC_EUNSUPPORTED, last->pos, last->len,
			              "%s (field '%s.%s')", removed_fields[k].message,
			              ms->model->name, tok(r, a)->str);
	/*
	 * A field class of another package (TreeForeignKey, ParentalKey,
	 * PhoneNumberField) is an error, never a column silently left out;
	 * GenericForeignKey has no column (its two fields are declared).
	 */
	if (ormc_sr_ends_with(last->str, "Field") ||
	    (ormc_sr_ends_with(last->str, "Key") &&
	     strcmp(last->str, "GenericForeignKey") != 0)) {
		err_at(r, ORMC_EUNSUPPORTED, last->pos, last->len,
		       "unknown field type '%s' (field '%s.%s')", last->str,
		       ms->model->name, tok(r, a)->str);
		ormc_error_hint(r->err, "If %s stores what a Django field stores, declare it in a models file (--models): class %s(models.<that field>): pass",
		                last->str, last->str);
		return ORMC_EUNSUPPORTED;
	}
	return 0;  /* a manager or anything else */
}

/* Enum member values: literal, (value, label) -> value, auto(). */
static int
read_enum_body(reader *r, ormc_enum *en, const char *base, int bstart,
               int bend, int bindent, int inline_a, int inline_b)
{
	ormc_ptrvec names = { NULL, 0, 0 }, values = { NULL, 0, 0 };
	int j, text_enum = strcmp(base, "TextChoices") == 0 ||
	                   strcmp(base, "StrEnum") == 0;
	int64_t next_auto = 1;

	for (j = bstart - 1; j < bend; j++) {
		int a, b;
		ormc_ast *e, *v;
		const ormc_token *name;

		if (j == bstart - 1) {
			if (inline_a < 0)
				continue;
			a = inline_a;
			b = inline_b;
		} else {
			if (r->st[j].indent != bindent)
				continue;
			a = r->st[j].start;
			b = r->st[j].end;
		}
		name = tok(r, a);
		if (b - a < 3 || name->kind != ORMC_TOK_NAME ||
		    name->str[0] == '_' || !ormc_tok_is_op(tok(r, a + 1), "="))
			continue;
		e = ormc_sr_try_parse(r, a + 2, b);
		if (e == NULL)
			continue;
		v = e;
		if ((e->kind == ORMC_AST_TUPLE || e->kind == ORMC_AST_LIST) &&
		    e->nargs > 0)
			v = e->args[0];
		if (v->kind == ORMC_AST_CALL && v->nargs == 0 &&
		    v->left->kind == ORMC_AST_NAME && strcmp(v->left->str, "auto") == 0) {
			ormc_ast *g = ormc_arena_alloc(r->a, sizeof(*g));

			if (g == NULL)
				return ormc_sr_nomem(r);
			*g = *v;
			g->left = NULL;
			if (text_enum) {
				g->kind = ORMC_AST_STR;
				g->str = strcmp(base, "StrEnum") == 0 ?
				         ormc_sr_lower(r->a, name->str) : name->str;
				g->len = strlen(name->str);
			} else {
				g->kind = ORMC_AST_INT;
				g->ival = next_auto;
			}
			v = g;
		}
		if (!is_literal(v))
			continue;
		if (v->kind == ORMC_AST_INT)
			next_auto = v->ival + 1;
		if (ormc_ptrvec_push(r->a, &names, (void *)name->str) < 0 ||
		    ormc_ptrvec_push(r->a, &values, v) < 0)
			return ormc_sr_nomem(r);
	}
	en->member_names = (const char **)names.items;
	en->member_values = (ormc_ast **)values.items;
	en->nmembers = names.n;
	return 0;
}

/* ---- classes and inheritance ------------------------------------------ */

static int
is_plain(const reader *r, const char *name)
{
	int k;

	for (k = 0; k < r->plain.n; k++)
		if (strcmp(r->plain.items[k], name) == 0)
			return 1;
	return strcmp(name, "object") == 0;
}

/* The bases of class statement s (keyword arguments such as metaclass= skipped). */
static int
read_bases(reader *r, const stmt *s, int colon, class_bases *cb)
{
	int lp = s->start + 2, rp, a, k;

	memset(cb, 0, sizeof(*cb));
	if (lp >= colon || !ormc_tok_is_op(tok(r, lp), "("))
		return 0;
	rp = ormc_sr_match_close(r, lp, colon);
	if (rp < 0)
		return 0;
	for (a = lp + 1, k = lp + 1; k <= rp; k++) {
		const ormc_token *last;
		int e, i, start = a;

		if (k < rp && !(tok(r, k)->depth == tok(r, lp)->depth + 1 &&
		                ormc_tok_is_op(tok(r, k), ",")))
			continue;
		a = k + 1;
		if (k == start || (k - start >= 2 &&
		                   tok(r, start)->kind == ORMC_TOK_NAME &&
		                   ormc_tok_is_op(tok(r, start + 1), "=")))
			continue;
		if (cb->n == MAX_BASES)
			return err_at(r, ORMC_EUNSUPPORTED, tok(r, start)->pos, 1,
			              "class '%s' has more than %d base classes",
			              tok(r, s->start + 1)->str, MAX_BASES);
		i = cb->n++;
		last = dotted_last(r, start, k);
		cb->name[i] = last != NULL ? last : tok(r, start);
		if (last == NULL)
			continue;
		for (e = 0; enum_bases[e] != NULL; e++)
			if (strcmp(last->str, enum_bases[e]) == 0) {
				cb->kind[i] = BASE_ENUM;
				if (cb->enum_base == NULL)
					cb->enum_base = enum_bases[e];
			}
		if (cb->kind[i] == BASE_ENUM)
			continue;
		if (strcmp(last->str, "Model") == 0) {
			cb->kind[i] = BASE_DJANGO;
			cb->models++;
		} else if ((cb->model[i] = ormc_sr_find(r, last->str)) != NULL) {
			cb->kind[i] = BASE_MODEL;
			cb->models++;
		} else if (is_plain(r, last->str)) {
			cb->kind[i] = BASE_PLAIN;
		}
	}
	return 0;
}

/*
 * The first model field declaration directly in the body of class
 * statement i (`name = [models.]SomeField(...)`, not `forms.CharField`), or
 * -1: a class that is not a model but declares fields cannot be read.
 */
static int
first_field_decl(const reader *r, int i, int colon)
{
	int bend, bindent = ormc_sr_block_body(r, i, &bend), j;

	for (j = i; j < bend; j++) {
		int a = j == i ? colon + 1 : r->st[j].start, b = r->st[j].end;
		int lp;
		const ormc_token *last;

		if (j > i && r->st[j].indent != bindent)
			continue;
		if (b - a < 4 || tok(r, a)->kind != ORMC_TOK_NAME ||
		    !ormc_tok_is_op(tok(r, a + 1), "="))
			continue;
		lp = find_op(r, a + 2, b, "(");
		last = lp > a + 2 ? dotted_last(r, a + 2, lp) : NULL;
		/* forms.CharField, serializers.CharField: not model fields */
		if (last == NULL || (lp - (a + 2) > 1 &&
		                     !ormc_tok_is_name(tok(r, lp - 3), "models")))
			continue;
		if (ormc_sr_field_class(r, last->str, 1) != NULL)
			return a;
	}
	return -1;
}

/*
 * Does the class at r->st[i] have a `class Meta` that only a model's has
 * (db_table, abstract, ordering, unique_together, app_label, proxy,
 * managed)? The
 * token of that option, or -1. A ModelForm's Meta (model, fields) is not.
 */
static int
model_meta(const reader *r, int i)
{
	static const char *const options[] = {
		"db_table", "abstract", "ordering", "unique_together", "app_label",
		"proxy", "verbose_name", "managed", NULL
	};
	int bend, bindent = ormc_sr_block_body(r, i, &bend), j, k, o;

	for (j = i + 1; j < bend; j++) {
		int mend, mindent;

		if (r->st[j].indent != bindent || !ormc_tok_is_name(tok(r, r->st[j].start), "class") ||
		    r->st[j].end - r->st[j].start < 2 || !ormc_tok_is_name(tok(r, r->st[j].start + 1), "Meta"))
			continue;
		mindent = ormc_sr_block_body(r, j, &mend);
		for (k = j + 1; k < mend; k++)
			for (o = 0; options[o] != NULL; o++)
				if (r->st[k].indent == mindent &&
				    ormc_tok_is_name(tok(r, r->st[k].start), options[o]))
					return r->st[k].start;
	}
	return -1;
}

static int read_class(reader *r, int i, model_state *outer, int *next);

static int
read_enum(reader *r, int i, const char *base, const char *prefix, int colon,
          int *next)
{
	const stmt *s = &r->st[i];
	ormc_enum *en = ormc_arena_alloc(r->a, sizeof(*en));
	int bend, bindent = ormc_sr_block_body(r, i, &bend);
	int ia = colon + 1 < s->end ? colon + 1 : -1;

	*next = bend;
	if (en == NULL)
		return ormc_sr_nomem(r);
	en->name = prefix ? ormc_arena_printf(r->a, "%s.%s", prefix,
	                                      tok(r, s->start + 1)->str)
	                  : tok(r, s->start + 1)->str;
	if (en->name == NULL)
		return ormc_sr_nomem(r);
	if (read_enum_body(r, en, base, i + 1, bend, bindent, ia, s->end) < 0)
		return -1;
	return ormc_ptrvec_push(r->a, &r->enums, en) < 0 ? ormc_sr_nomem(r) : 0;
}

/* A model class: fields, constants, Meta, nested enums, inheritance. */
/*
 * Is m, a model with Meta.swappable = "AUTH_USER_MODEL" (contrib.auth's
 * User), swapped out: does AUTH_USER_MODEL name another model?
 */
static int
is_swapped(const reader *r, const ormc_model *m)
{
	const char *want = r->auth_user_model, *dot = strrchr(want, '.');
	size_t n = dot != NULL ? (size_t)(dot - want) : 0;

	if (dot == NULL || strcmp(dot + 1, m->name) != 0)
		return 1;
	return m->app_label != NULL &&
	       (strlen(m->app_label) != n || strncmp(m->app_label, want, n) != 0);
}

/*
 * A swapped model is not installed, as in Django: no table, no name, and
 * none of its relations (its groups and user_permissions) is resolved.
 */
static int
drop_swapped(reader *r, const ormc_model *m)
{
	int j = 0, k;

	for (k = 0; k < r->rels.n; k++) {
		pending_rel *pr = r->rels.items[k];

		if (pr->field->model != m)
			r->rels.items[j++] = pr;
	}
	r->rels.n = j;
	return 0;
}

/*
 * def natural_key(self): the expression of its `return`, when the body is
 * that statement alone (after a docstring). What it means is decided in the
 * second pass; any other body is unread.
 */
static void
read_natural_key(reader *r, model_state *ms, int j, int bend, int indent)
{
	int k = j + 1;

	ms->natural_key_set = 1;
	ms->natural_key = NULL;
	if (k < bend && r->st[k].indent > indent && tok(r, r->st[k].start)->kind == ORMC_TOK_STRING &&
	    r->st[k].end == r->st[k].start + 1)
		k++;   /* the docstring */
	if (k < bend && r->st[k].indent > indent &&
	    ormc_tok_is_name(tok(r, r->st[k].start), "return") &&
	    (k + 1 >= bend || r->st[k + 1].indent <= indent))
		ms->natural_key = ormc_sr_try_parse(r, r->st[k].start + 1, r->st[k].end);
}

static int
read_model(reader *r, int i, int colon, const class_bases *cb, int *next)
{
	const stmt *s = &r->st[i];
	const ormc_token *name = tok(r, s->start + 1);
	model_state *ms = ormc_arena_alloc(r->a, sizeof(*ms));
	ormc_model *m = ormc_arena_alloc(r->a, sizeof(*m));
	int bend, bindent = ormc_sr_block_body(r, i, &bend), j, rc = 0, k;
	const char *label;
	const ormc_token *block = NULL;   /* first token of the last statement at bindent */

	*next = bend;
	if (ms == NULL || m == NULL)
		return ormc_sr_nomem(r);
	ms->model = m;
	ms->text = r->text;
	m->name = name->str;
	m->pos = tok(r, s->start)->pos;
	ms->app_label = r->label;
	if (colon + 1 < s->end && !ormc_tok_is_name(tok(r, colon + 1), "class"))
		rc = read_model_stmt(r, ms, colon + 1, s->end);
	for (j = i + 1; j < bend && rc == 0; j++) {
		const stmt *b = &r->st[j];
		const ormc_token *t = tok(r, b->start);

		if (b->indent != bindent) {
			/* inside an if/for/with/try of the body, not a def's */
			if (block != NULL && !ormc_tok_is_name(block, "def") &&
			    !ormc_tok_is_name(block, "class") && !ormc_tok_is_op(block, "@"))
				rc = unread_field(r, ms, b->start, b->end);
			continue;
		}
		block = t;
		if (ormc_tok_is_name(t, "def") && b->start + 1 < b->end &&
		    ormc_tok_is_name(tok(r, b->start + 1), "natural_key")) {
			read_natural_key(r, ms, j, bend, bindent);
			continue;
		}
		if (ormc_tok_is_name(t, "class")) {
			int nj;

			rc = read_class(r, j, ms, &nj);
			j = nj - 1;
			continue;
		}
		rc = read_model_stmt(r, ms, b->start, b->end);
	}
	if (rc < 0 || (rc = ormc_sr_inherit(r, ms, cb, name)) < 0)
		return rc;
	m->app_label = ms->app_label;
	if (ms->swappable && !m->abstract && is_swapped(r, m))
		return drop_swapped(r, m);
	for (k = 0; k < r->models.n; k++) {
		const model_state *o = r->models.items[k];

		if (strcmp(o->model->name, name->str) != 0)
			continue;
		rc = err_at(r, ORMC_EINVALID, name->pos, name->len,
		            "model '%s' is defined twice", name->str);
		if (o->swappable && ms->app_label != NULL)
			ormc_error_hint(r->err, "If %s.%s is the project's settings.AUTH_USER_MODEL, give --auth-user-model %s.%s: Django's auth.User is then swapped out",
			                ms->app_label, name->str, ms->app_label, name->str);
		return rc;
	}
	if (!m->abstract && !ms->proxy && (rc = ormc_sr_primary_key(r, ms)) < 0)
		return rc;
	ormc_sr_sort_fields(ms);
	label = ms->app_label;
	if (ms->proxy)
		m->table = ms->concrete->model->table;
	else if (ms->db_table != NULL)
		m->table = ms->db_table;
	else if (label != NULL && label[0] != '\0')
		m->table = ormc_arena_printf(r->a, "%s_%s", label,
		                             ormc_sr_lower(r->a, m->name));
	else
		m->table = ormc_sr_lower(r->a, m->name);
	if (m->table == NULL)
		return ormc_sr_nomem(r);
	return ormc_ptrvec_push(r->a, &r->models, ms) < 0 ? ormc_sr_nomem(r) : 0;
}

/* class Meta: inside a model; class Meta(Base.Meta) inherits, as Python does. */
static int
read_meta(reader *r, int i, model_state *ms, int colon, int *next)
{
	const stmt *s = &r->st[i];
	int bend, bindent = ormc_sr_block_body(r, i, &bend), j, rc = 0;

	*next = bend;
	if (!ormc_tok_is_op(tok(r, s->start + 2), "("))
		ms->has_meta = 1;
	if (colon + 1 < s->end)
		rc = read_meta_stmt(r, ms, colon + 1, s->end);
	for (j = i + 1; j < bend && rc == 0; j++)
		if (r->st[j].indent == bindent)
			rc = read_meta_stmt(r, ms, r->st[j].start, r->st[j].end);
	return rc;
}

/*
 * A class statement at r->st[i]: model, enum, Meta (when outer is a
 * model) or a class that is not a model (remembered, so that models may
 * name it as a mixin). *next is the statement after its block.
 */
static int
read_class(reader *r, int i, model_state *outer, int *next)
{
	const stmt *s = &r->st[i];
	const ormc_token *name;
	class_bases cb;
	int colon = header_colon(r, s), bend, k, rc, decl;

	ormc_sr_block_body(r, i, &bend);
	*next = bend;
	if (s->end - s->start < 3 || tok(r, s->start + 1)->kind != ORMC_TOK_NAME ||
	    colon < 0)
		return 0;
	name = tok(r, s->start + 1);
	if (outer != NULL && ormc_tok_is_name(name, "Meta"))
		return read_meta(r, i, outer, colon, next);
	if ((rc = read_bases(r, s, colon, &cb)) < 0)
		return rc;
	if (cb.enum_base != NULL && cb.models == 0)
		return read_enum(r, i, cb.enum_base,
		                 outer ? outer->model->name : NULL, colon, next);
	if (cb.models > 0) {
		for (k = 0; k < cb.n; k++)
			if (cb.kind[k] == BASE_UNKNOWN || cb.kind[k] == BASE_ENUM)
				return err_at(r, ORMC_EUNSUPPORTED, cb.name[k]->pos,
				              (int)cb.name[k]->len,
				              "model '%s' has a base class '%s' that is neither a model nor a class of the models files: what it inherits cannot be read",
				              name->str, cb.name[k]->str);
		if (outer != NULL)
			return err_at(r, ORMC_EUNSUPPORTED, name->pos, (int)name->len,
			              "model '%s' is declared inside class '%s': models are read at the top level only",
			              name->str, outer->model->name);
		return read_model(r, i, colon, &cb, next);
	}
	for (k = 0; k < cb.n; k++)
		if (cb.kind[k] == BASE_UNKNOWN &&
		    ormc_sr_ends_with(cb.name[k]->str, "Model"))
			return err_at(r, ORMC_EUNSUPPORTED, cb.name[k]->pos,
			              (int)cb.name[k]->len,
			              "class '%s' inherits from '%s', which is not a model of the models files: add the models file that declares it (--models LABEL=FILE)",
			              name->str, cb.name[k]->str);
	decl = first_field_decl(r, i, colon);
	for (k = 0; k < cb.n && decl >= 0; k++)
		if (cb.kind[k] == BASE_UNKNOWN)
			return err_at(r, ORMC_EUNSUPPORTED, cb.name[k]->pos,
			              (int)cb.name[k]->len,
			              "class '%s' declares fields but its base class '%s' is neither a model nor a class of the models files: add the models file that declares it (--models LABEL=FILE)",
			              name->str, cb.name[k]->str);
	for (k = 0; k < cb.n && decl < 0; k++)
		if (cb.kind[k] == BASE_UNKNOWN && model_meta(r, i) >= 0)
			return err_at(r, ORMC_EUNSUPPORTED, cb.name[k]->pos,
			              (int)cb.name[k]->len,
			              "class '%s' has a model's Meta (%s) but its base class '%s' is neither a model nor a class of the models files: add the models file that declares it (--models LABEL=FILE)",
			              name->str, tok(r, model_meta(r, i))->str, cb.name[k]->str);
	if (decl >= 0)
		return err_at(r, ORMC_EUNSUPPORTED, tok(r, decl)->pos,
		              (int)tok(r, decl)->len,
		              "class '%s' declares the field '%s' but is not a model: none of its bases is Model or a model of the models files",
		              name->str, tok(r, decl)->str);
	for (k = 0; k < cb.n && outer == NULL; k++) {
		const struct field_class *base = ormc_sr_field_class(r, cb.name[k]->str, 0);

		if (base != NULL)
			return ormc_sr_read_field_class(r, i, colon, name, base);
	}
	if (outer == NULL &&
	    ormc_ptrvec_push(r->a, &r->plain, (void *)name->str) < 0)
		return ormc_sr_nomem(r);
	return 0;
}

/* ---- one text ---------------------------------------------------------- */

static int
split_statements(reader *r)
{
	int k, n = 0, a = 0;

	r->st = ormc_arena_alloc(r->a, sizeof(stmt) * (size_t)(r->toks.n + 1));
	if (r->st == NULL)
		return ormc_sr_nomem(r);
	for (k = 0; k < r->toks.n; k++) {
		ormc_tok_kind kind = r->toks.tok[k].kind;

		if (kind != ORMC_TOK_NEWLINE && kind != ORMC_TOK_EOF)
			continue;
		if (k > a) {
			r->st[n].start = a;
			r->st[n].end = k;
			r->st[n].indent = r->toks.tok[a].indent;
			n++;
		}
		a = k + 1;
	}
	r->nst = n;
	return 0;
}

/*
 * The classes the fields of the class at statement i are made of
 * (`parent = TreeForeignKey(...)` gives "TreeForeignKey") into *bases too:
 * a text that declares such a class is read before the texts using it.
 */
static int
scan_field_classes(reader *r, int i, ormc_ptrvec *bases)
{
	int bend, bindent = ormc_sr_block_body(r, i, &bend), j;

	for (j = i + 1; j < bend; j++) {
		int a = r->st[j].start, b = r->st[j].end, eq, lp;
		const ormc_token *last;

		if (r->st[j].indent != bindent || tok(r, a)->kind != ORMC_TOK_NAME ||
		    (eq = find_op(r, a, b, "=")) != a + 1 ||
		    (lp = find_op(r, eq + 1, b, "(")) < 0 ||
		    (last = dotted_last(r, eq + 1, lp)) == NULL)
			continue;
		if (ormc_ptrvec_push(r->a, bases, (void *)last->str) < 0)
			return ormc_sr_nomem(r);
	}
	return 0;
}

int
ormc_sr_scan_classes(reader *r, ormc_ptrvec *defined, ormc_ptrvec *bases)
{
	int i, k, rc, base;

	memset(&r->toks, 0, sizeof(r->toks));
	if ((rc = ormc_lex(r->a, r->text, r->len, 0, &r->toks, r->err)) < 0 ||
	    (rc = split_statements(r)) < 0)
		return rc;
	base = r->nst > 0 ? r->st[0].indent : 0;
	for (i = 0; i < r->nst; i++) {
		const stmt *s = &r->st[i];
		class_bases cb;
		int colon;

		if (s->indent != base || !ormc_tok_is_name(tok(r, s->start), "class") ||
		    s->end - s->start < 3 || tok(r, s->start + 1)->kind != ORMC_TOK_NAME ||
		    (colon = header_colon(r, s)) < 0)
			continue;
		if (ormc_ptrvec_push(r->a, defined, (void *)tok(r, s->start + 1)->str) < 0)
			return ormc_sr_nomem(r);
		if ((rc = read_bases(r, s, colon, &cb)) < 0)
			return rc;
		for (k = 0; k < cb.n; k++)
			if (ormc_ptrvec_push(r->a, bases, (void *)cb.name[k]->str) < 0)
				return ormc_sr_nomem(r);
		if ((rc = scan_field_classes(r, i, bases)) < 0)
			return rc;
	}
	return 0;
}

int
ormc_sr_read_text(reader *r)
{
	int i, rc, base;

	memset(&r->toks, 0, sizeof(r->toks));
	if ((rc = ormc_lex(r->a, r->text, r->len, 0, &r->toks,
	                   r->err)) < 0)
		return rc;
	if ((rc = split_statements(r)) < 0)
		return rc;
	base = r->nst > 0 ? r->st[0].indent : 0;
	for (i = 0; i < r->nst;) {
		int next = i + 1;
		const stmt *s = &r->st[i];

		if (s->indent == base &&
		    ormc_tok_is_name(tok(r, s->start), "class")) {
			if ((rc = read_class(r, i, NULL, &next)) < 0)
				return rc;
		} else if (s->indent > base &&
		           ormc_tok_is_name(tok(r, s->start), "class") &&
		           s->end - s->start >= 3) {
			/* inside an if/try/with at the top (a def's body runs never) */
			class_bases cb;
			int colon = header_colon(r, s), k = i, hc;

			while (k > 0 && r->st[k].indent > base)
				k--;
			/* if TYPE_CHECKING: never runs either */
			hc = header_colon(r, &r->st[k]);
			if (ormc_tok_is_name(tok(r, r->st[k].start), "if") &&
			    hc > r->st[k].start + 1 &&
			    tok(r, hc - 1)->kind == ORMC_TOK_NAME &&
			    strcmp(tok(r, hc - 1)->str, "TYPE_CHECKING") == 0)
				colon = -1;
			if (colon >= 0 && !ormc_tok_is_name(tok(r, r->st[k].start), "def") &&
			    (rc = read_bases(r, s, colon, &cb)) == 0 && cb.models > 0)
				return err_at(r, ORMC_EUNSUPPORTED, tok(r, s->start + 1)->pos,
				              (int)tok(r, s->start + 1)->len,
				              "model '%s' is declared inside a block: models are read at the top level of a models file only",
				              tok(r, s->start + 1)->str);
			if (rc < 0)
				return rc;
		}
		i = next;
	}
	return 0;
}
