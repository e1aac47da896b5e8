/*
 * inspect.c -- ormc inspect: a models.py from a live database.
 *
 * The catalog (inspect_catalog.c) gives tables, columns, keys and unique
 * constraints; this file names the models and fields as Django's inspectdb
 * does and writes them:
 *
 *   table            -> class: with --app-label L, "L_order" is class Order
 *                       (Django's own table name for it, so no db_table);
 *                       otherwise "order" is Order; any other name gets
 *                       Meta.db_table
 *   column           -> field of the type Django would have made it
 *                       (map_type: the reverse of the dialects' column_type
 *                       hooks, so a database made by ormc migrate reads back
 *                       as the same field kinds); null=True where nullable
 *   integer auto pk  -> nothing when named id (the implicit AutoField),
 *                       else AutoField(primary_key=True)
 *   foreign key      -> ForeignKey("Target", on_delete=models.DO_NOTHING),
 *                       the field named after the column less "_id";
 *                       OneToOneField when the column is unique
 *   M2M table        -> ManyToManyField("Target") on its first model: a
 *                       table of an id, two foreign keys and UNIQUE on the
 *                       pair, whose columns are named as ormc migrate (and
 *                       Django) name them
 *
 * Two relations from one model to the same model get related_name, so the
 * file loads (Django's fields.E304).
 */
#include "inspect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "lexer.h"
#include "sqlbuf.h"

/* A ManyToManyField written on its source model. */
typedef struct ins_m2m {
	ins_table *through;
	ins_table *source;      /* the model the field is written on */
	ins_table *target;
	const char *field;
	const char *db_table;   /* NULL when Django's default name fits */
	int related;            /* needs related_name */
} ins_m2m;

/* A field's class and arguments, from a column's type. */
typedef struct ftype {
	const char *cls;
	int max_length;         /* CharField, -1 */
	int digits, places;     /* DecimalField, -1 */
	const char *note;       /* comment after the line, or NULL */
} ftype;

static const struct {
	const char *base;
	const char *cls;
} simple_types[] = {
	{ "integer", "IntegerField" }, { "int", "IntegerField" },
	{ "int4", "IntegerField" }, { "mediumint", "IntegerField" },
	{ "serial", "IntegerField" }, { "year", "IntegerField" },
	{ "bigint", "BigIntegerField" }, { "int8", "BigIntegerField" },
	{ "bigserial", "BigIntegerField" },
	{ "smallint", "SmallIntegerField" }, { "int2", "SmallIntegerField" },
	{ "tinyint", "SmallIntegerField" }, { "smallserial", "SmallIntegerField" },
	{ "text", "TextField" }, { "longtext", "TextField" },
	{ "mediumtext", "TextField" }, { "tinytext", "TextField" },
	{ "clob", "TextField" },
	{ "double precision", "FloatField" }, { "double", "FloatField" },
	{ "float", "FloatField" }, { "real", "FloatField" },
	{ "float8", "FloatField" }, { "float4", "FloatField" },
	{ "boolean", "BooleanField" }, { "bool", "BooleanField" },
	{ "date", "DateField" },
	{ "timestamp", "DateTimeField" }, { "timestamptz", "DateTimeField" },
	{ "timestamp without time zone", "DateTimeField" },
	{ "timestamp with time zone", "DateTimeField" },
	{ "datetime", "DateTimeField" },
	{ "time", "TimeField" }, { "time without time zone", "TimeField" },
	{ "time with time zone", "TimeField" },
	{ "interval", "DurationField" },
	{ "uuid", "UUIDField" },
	{ "inet", "GenericIPAddressField" },
	{ "json", "JSONField" }, { "jsonb", "JSONField" },
	{ "bytea", "BinaryField" }, { "blob", "BinaryField" },
	{ "longblob", "BinaryField" }, { "mediumblob", "BinaryField" },
	{ "tinyblob", "BinaryField" },
};

static const char *const char_types[] = {
	"varchar", "character varying", "char", "character", "nvarchar",
	"nchar", "varchar2", "native character", "varying character", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static void
map_type(const ins_column *c, ftype *ft)
{
	const char *b = c->base;
	size_t k;

	ft->cls = NULL;
	ft->max_length = ft->digits = ft->places = -1;
	ft->note = NULL;
	if (in_list(char_types, b)) {
		if (c->nums[0] > 0) {
			ft->cls = "CharField";
			ft->max_length = c->nums[0];
		} else {
			ft->cls = "TextField";
		}
		return;
	}
	if (strcmp(b, "numeric") == 0 || strcmp(b, "decimal") == 0) {
		ft->cls = "DecimalField";
		if (c->nums[0] > 0) {
			ft->digits = c->nums[0];
			ft->places = c->nums[1] >= 0 ? c->nums[1] : 0;
		} else {
			/* as Django's inspectdb guesses them */
			ft->digits = 10;
			ft->places = 5;
			ft->note = "max_digits and decimal_places have been guessed, as this database handles decimal fields as float";
		}
		return;
	}
	if (strcmp(b, "tinyint") == 0 && c->nums[0] == 1 && !c->is_unsigned) {
		ft->cls = "BooleanField";   /* MySQL's bool */
		return;
	}
	if (c->json_check) {
		ft->cls = "JSONField";      /* text under CHECK (JSON_VALID(col)), as Django's */
		return;
	}
	for (k = 0; k < sizeof(simple_types) / sizeof(simple_types[0]); k++)
		if (strcmp(simple_types[k].base, b) == 0) {
			ft->cls = simple_types[k].cls;
			break;
		}
	if (ft->cls == NULL) {
		ft->cls = "TextField";
		ft->note = "This field type is a guess.";
		return;
	}
	if (c->autoinc && c->pk > 0) {
		if (strcmp(ft->cls, "IntegerField") == 0)
			ft->cls = "AutoField";
		else if (strcmp(ft->cls, "BigIntegerField") == 0)
			ft->cls = "BigAutoField";
		else if (strcmp(ft->cls, "SmallIntegerField") == 0)
			ft->cls = "SmallAutoField";
		return;
	}
	if (c->is_unsigned || c->nonneg_check) {
		if (strcmp(ft->cls, "IntegerField") == 0)
			ft->cls = "PositiveIntegerField";
		else if (strcmp(ft->cls, "BigIntegerField") == 0)
			ft->cls = "PositiveBigIntegerField";
		else if (strcmp(ft->cls, "SmallIntegerField") == 0)
			ft->cls = "PositiveSmallIntegerField";
	}
}

/* ---- names --------------------------------------------------------------- */

static int
name_taken(const ins_table *t, const char *name)
{
	int k;

	for (k = 0; k < t->names.n; k++)
		if (strcmp(t->names.items[k], name) == 0)
			return 1;
	return 0;
}

/*
 * Django's normalize_col_name: lower case, "_" for anything not a letter or
 * digit, no "__", not starting or ending with "_", not a keyword, not
 * starting with a digit; a relation drops its "_id". Then made unique in t.
 */
static const char *
field_name(ormc_arena *a, ins_table *t, const char *col, int is_rel)
{
	size_t n = strlen(col), i, j = 0;
	char *s = ormc_arena_alloc(a, n + 16);
	const char *name;
	int k;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)col[i];
		char o = isalnum(ch) && ch < 128 ? (char)tolower(ch) : '_';

		if (o == '_' && j > 0 && s[j - 1] == '_')
			continue;
		s[j++] = o;
	}
	s[j] = '\0';
	if (is_rel && j > 3 && strcmp(s + j - 3, "_id") == 0)
		s[j -= 3] = '\0';
	name = s;
	if (j == 0)
		name = "field";
	else if (s[0] == '_')
		name = ormc_arena_printf(a, "field%s", s);
	else if (isdigit((unsigned char)s[0]))
		name = ormc_arena_printf(a, "number_%s", s);
	if (name != NULL && name[strlen(name) - 1] == '_')
		name = ormc_arena_printf(a, "%sfield", name);
	if (name != NULL && (ormc_is_keyword(name) || strcmp(name, "pk") == 0))
		name = ormc_arena_printf(a, "%s_field", name);
	for (k = 1; name != NULL && name_taken(t, name); k++)
		name = ormc_arena_printf(a, "%s_%d", k == 1 ? name : s, k);
	if (name != NULL)
		ormc_ptrvec_push(a, &t->names, (void *)name);
	return name;
}

/* Django's table2model: "order_item" -> "OrderItem", less an app label's prefix. */
static const char *
class_name(ormc_arena *a, const char *table, const char *label)
{
	size_t n, i, j = 0, ll = label != NULL ? strlen(label) : 0;
	char *s;
	int prev_alpha = 0;

	if (ll > 0 && strncmp(table, label, ll) == 0 && table[ll] == '_' &&
	    table[ll + 1] != '\0')
		table += ll + 1;
	n = strlen(table);
	if ((s = ormc_arena_alloc(a, n + 8)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)table[i];

		if (ch < 128 && isalpha(ch)) {
			s[j++] = (char)(prev_alpha ? tolower(ch) : toupper(ch));
			prev_alpha = 1;
		} else {
			if (ch < 128 && isdigit(ch))
				s[j++] = (char)ch;
			prev_alpha = 0;
		}
	}
	s[j] = '\0';
	if (j == 0 || isdigit((unsigned char)s[0]) || ormc_is_keyword(s))
		return ormc_arena_printf(a, "Table%s", s);
	return s;
}

static char *
lower_dup(ormc_arena *a, const char *s)
{
	char *d = ormc_arena_strdup(a, s);
	char *p;

	for (p = d; p != NULL && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Django's default db_table for t's class (what ormc's models reader makes). */
static const char *
default_table(ormc_arena *a, const ins_table *t, const char *label)
{
	if (label != NULL && label[0] != '\0')
		return ormc_arena_printf(a, "%s_%s", label, t->lower);
	return t->lower;
}

/* ---- structure ----------------------------------------------------------- */

static const ins_column *
pk_column(const ins_table *t)
{
	int k;

	for (k = 0; k < t->cols.n; k++) {
		const ins_column *c = t->cols.items[k];

		if (c->pk == 1)
			return c;
	}
	return NULL;
}

static int
pk_count(const ins_table *t)
{
	int k, n = 0;

	for (k = 0; k < t->cols.n; k++)
		n += ((const ins_column *)t->cols.items[k])->pk > 0;
	return n;
}

/*
 * A foreign key written as a relation: its target is written as a model and
 * it references the target's primary key (ormc has no to_field).
 */
static int
is_relation(const ins_column *c)
{
	const ins_table *d = c->fk_target;
	const ins_column *pk;

	if (d == NULL || !d->selected || d->through || pk_count(d) != 1)
		return 0;
	pk = pk_column(d);
	return c->fk_column == NULL || strcmp(c->fk_column, pk->name) == 0;
}

/* Mark the selected tables: all, or the named ones and what they reference. */
static int
select_tables(ins_catalog *cat, const ormc_inspect_options *o, ormc_error *err)
{
	int i, j, changed = 1;

	for (i = 0; i < cat->tables.n; i++)
		((ins_table *)cat->tables.items[i])->selected = o->ntables == 0;
	for (i = 0; i < o->ntables; i++) {
		ins_table *t = ormc_inspect__table(cat, o->tables[i]);

		if (t == NULL)
			return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
			                      "table \"%s\" is not in the database", o->tables[i]);
		t->selected = 1;
	}
	while (changed) {
		changed = 0;
		for (i = 0; i < cat->tables.n; i++) {
			ins_table *t = cat->tables.items[i];

			for (j = 0; t->selected && j < t->cols.n; j++) {
				ins_column *c = t->cols.items[j];

				if (c->fk_target != NULL && !c->fk_target->selected)
					changed = c->fk_target->selected = 1;
			}
		}
	}
	return ORMC_OK;
}

static int
referenced(const ins_catalog *cat, const ins_table *t)
{
	int i, j;

	for (i = 0; i < cat->tables.n; i++) {
		const ins_table *s = cat->tables.items[i];

		for (j = 0; s->selected && j < s->cols.n; j++)
			if (((const ins_column *)s->cols.items[j])->fk_target == t)
				return 1;
	}
	return 0;
}

static int
is_identifier(const char *s)
{
	const char *p;

	if (!islower((unsigned char)s[0]) || ormc_is_keyword(s) ||
	    strstr(s, "__") != NULL || s[strlen(s) - 1] == '_')
		return 0;
	for (p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

/*
 * Is t a many-to-many table of src (column s) to dst (column d), with the
 * columns ormc and Django name? Returns the m2m, or NULL.
 */
static ins_m2m *
m2m_as(ormc_arena *a, ins_table *t, const ins_column *s, const ins_column *d,
       int need_name)
{
	ins_table *src = s->fk_target, *dst = d->fk_target;
	const char *want_s, *want_d, *field;
	size_t sl = strlen(src->name);
	ins_m2m *m;

	if (src == dst) {
		want_s = ormc_arena_printf(a, "from_%s_id", src->lower);
		want_d = ormc_arena_printf(a, "to_%s_id", dst->lower);
	} else {
		want_s = ormc_arena_printf(a, "%s_id", src->lower);
		want_d = ormc_arena_printf(a, "%s_id", dst->lower);
	}
	if (want_s == NULL || want_d == NULL || strcmp(s->name, want_s) != 0 ||
	    strcmp(d->name, want_d) != 0)
		return NULL;
	field = NULL;
	if (strncmp(t->name, src->name, sl) == 0 && t->name[sl] == '_' &&
	    is_identifier(t->name + sl + 1))
		field = t->name + sl + 1;
	if (field == NULL && need_name)
		return NULL;
	if ((m = ormc_arena_alloc(a, sizeof(*m))) == NULL)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->through = t;
	m->source = src;
	m->target = dst;
	m->field = field;
	if (field == NULL)
		m->db_table = t->name;
	return m;
}

/* Find t's m2m shape: an id, two required foreign keys, UNIQUE on the pair. */
static ins_m2m *
through_of(ins_catalog *cat, ins_table *t)
{
	const ins_column *fk[2], *id = NULL;
	int k, n = 0, pass;

	if (t->cols.n != 3 || pk_count(t) != 1 || referenced(cat, t))
		return NULL;
	for (k = 0; k < 3; k++) {
		const ins_column *c = t->cols.items[k];

		if (c->pk == 1)
			id = c;
		else if (c->fk_target != NULL && !c->nullable && is_relation(c) &&
		         c->fk_target != t)
			fk[n++] = c;
	}
	if (id == NULL || n != 2 || strcmp(id->name, "id") != 0)
		return NULL;
	for (k = 0; k < t->uniques.n; k++) {
		const ins_unique *u = t->uniques.items[k];

		if (u->cols.n == 2 &&
		    ((strcmp(u->cols.items[0], fk[0]->name) == 0 &&
		      strcmp(u->cols.items[1], fk[1]->name) == 0) ||
		     (strcmp(u->cols.items[0], fk[1]->name) == 0 &&
		      strcmp(u->cols.items[1], fk[0]->name) == 0)))
			break;
	}
	if (k == t->uniques.n)
		return NULL;
	/* the first column is the source, as ormc migrate and Django write them */
	for (pass = 1; pass >= 0; pass--) {
		ins_m2m *m;

		if ((m = m2m_as(cat->a, t, fk[0], fk[1], pass)) != NULL ||
		    (m = m2m_as(cat->a, t, fk[1], fk[0], pass)) != NULL)
			return m;
	}
	return NULL;
}

/* ---- writing ------------------------------------------------------------- */

static void
py_str(ormc_sqlbuf *b, const char *s)
{
	ormc_sqlbuf_appendc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			ormc_sqlbuf_appendc(b, '\\');
		ormc_sqlbuf_appendc(b, *s);
	}
	ormc_sqlbuf_appendc(b, '"');
}

/*
 * Does a relation from t to target need related_name? When t has two or
 * more relations to target (fields.E304), or when the default reverse names
 * ("<model>", "<model>_set") are fields of target (fields.E302, E303).
 */
static int relations_to(const ins_table *t, const ins_table *target);

static int
needs_related_name(const ins_table *t, const ins_table *target)
{
	char set[512];

	snprintf(set, sizeof(set), "%s_set", t->lower);
	return relations_to(t, target) > 1 || name_taken(target, t->lower) ||
	       name_taken(target, set);
}

/* Relations from t to target (FK columns and M2M fields). */
static int
relations_to(const ins_table *t, const ins_table *target)
{
	int k, n = 0;

	for (k = 0; k < t->cols.n; k++) {
		const ins_column *c = t->cols.items[k];

		n += is_relation(c) && c->fk_target == target;
	}
	for (k = 0; k < t->m2m.n; k++)
		n += ((const ins_m2m *)t->m2m.items[k])->target == target;
	return n;
}

static void
write_column(ormc_sqlbuf *b, const ins_table *t, const ins_column *c, int npk)
{
	int rel = is_relation(c), one = 0, args = 0;
	ftype ft;

	map_type(c, &ft);
	if (c->pk == 1 && npk == 1 && c->autoinc && strcmp(c->name, "id") == 0 &&
	    strcmp(ft.cls, "AutoField") == 0)
		return;   /* Django's implicit id */
	if (c->pk == 1 && npk > 1)
		ormc_sqlbuf_append(b, "    # The composite primary key found is not supported. The first column is selected.\n");
	ormc_sqlbuf_appendf(b, "    %s = models.", c->field);
	if (rel) {
		one = c->unique || (c->pk == 1 && npk == 1);
		ormc_sqlbuf_append(b, one ? "OneToOneField(" : "ForeignKey(");
		py_str(b, c->fk_target == t ? "self" : c->fk_target->cls);
		ormc_sqlbuf_append(b, ", on_delete=models.DO_NOTHING");
		args = 1;
	} else {
		ormc_sqlbuf_appendf(b, "%s(", ft.cls);
		if (ft.max_length > 0) {
			ormc_sqlbuf_appendf(b, "max_length=%d", ft.max_length);
			args = 1;
		}
		if (ft.digits > 0) {
			ormc_sqlbuf_appendf(b, "%smax_digits=%d, decimal_places=%d",
			                    args ? ", " : "", ft.digits, ft.places);
			args = 1;
		}
	}
	if (c->pk == 1) {
		ormc_sqlbuf_appendf(b, "%sprimary_key=True", args ? ", " : "");
		args = 1;
	} else if (c->unique && !one) {
		ormc_sqlbuf_appendf(b, "%sunique=True", args ? ", " : "");
		args = 1;
	}
	if (rel ? strncmp(c->name, c->field, strlen(c->field)) != 0 ||
	          strcmp(c->name + strlen(c->field), "_id") != 0
	        : strcmp(c->field, c->name) != 0) {
		ormc_sqlbuf_append(b, args ? ", db_column=" : "db_column=");
		py_str(b, c->name);
		args = 1;
	}
	if (rel && needs_related_name(t, c->fk_target))
		ormc_sqlbuf_appendf(b, ", related_name=\"%s_%s_set\"", t->lower, c->field);
	if (c->nullable && c->pk == 0)
		ormc_sqlbuf_appendf(b, "%snull=True", args ? ", " : "");
	ormc_sqlbuf_appendc(b, ')');
	if (ft.note != NULL && !rel)
		ormc_sqlbuf_appendf(b, "  # %s", ft.note);
	else if (c->fk_table != NULL && !rel)
		ormc_sqlbuf_appendf(b, "  # references %s(%s), written as a plain column: %s",
		                    c->fk_table, c->fk_column ? c->fk_column : "its primary key",
		                    c->fk_target == NULL ? "that table is not inspected" :
		                    "not that table's single-column primary key");
	ormc_sqlbuf_appendc(b, '\n');
}

static void
write_model(ormc_sqlbuf *b, ormc_arena *a, const ins_table *t, const char *label)
{
	int k, npk = pk_count(t), meta = 0;
	const char *def = default_table(a, t, label);

	ormc_sqlbuf_appendf(b, "\n\nclass %s(models.Model):\n", t->cls);
	if (npk == 0)
		ormc_sqlbuf_append(b, "    # The table has no primary key: Django and ormc assume a column \"id\".\n");
	for (k = 0; k < t->cols.n; k++)
		write_column(b, t, t->cols.items[k], npk);
	for (k = 0; k < t->m2m.n; k++) {
		const ins_m2m *m = t->m2m.items[k];

		ormc_sqlbuf_appendf(b, "    %s = models.ManyToManyField(", m->field);
		if (m->target == t)
			ormc_sqlbuf_append(b, "\"self\", symmetrical=False");
		else
			py_str(b, m->target->cls);
		if (m->db_table != NULL) {
			ormc_sqlbuf_append(b, ", db_table=");
			py_str(b, m->db_table);
		}
		if (needs_related_name(t, m->target))
			ormc_sqlbuf_appendf(b, ", related_name=\"%s_%s_set\"", t->lower, m->field);
		ormc_sqlbuf_append(b, ")\n");
	}
	if (t->cols.n == 0 && t->m2m.n == 0)
		ormc_sqlbuf_append(b, "    pass\n");
	if (def == NULL || strcmp(def, t->name) != 0) {
		ormc_sqlbuf_append(b, "\n    class Meta:\n        db_table = ");
		py_str(b, t->name);
		ormc_sqlbuf_appendc(b, '\n');
		meta = 1;
	}
	for (k = 0; k < t->uniques.n; k++) {
		const ins_unique *u = t->uniques.items[k];
		int j;

		if (k == 0) {
			ormc_sqlbuf_append(b, meta ? "        unique_together = (" :
			                   "\n    class Meta:\n        unique_together = (");
			meta = 1;
		}
		ormc_sqlbuf_appendc(b, '(');
		for (j = 0; j < u->cols.n; j++) {
			const ins_column *c = NULL;
			int i;

			for (i = 0; i < t->cols.n; i++)
				if (strcmp(((const ins_column *)t->cols.items[i])->name,
				           u->cols.items[j]) == 0)
					c = t->cols.items[i];
			ormc_sqlbuf_append(b, j > 0 ? ", " : "");
			py_str(b, c != NULL ? c->field : (const char *)u->cols.items[j]);
		}
		ormc_sqlbuf_append(b, u->cols.n == 1 ? ",)" : ")");
		ormc_sqlbuf_append(b, k + 1 < t->uniques.n ? ", " : ",)\n");
	}
}

static int
cmp_m2m(const void *x, const void *y)
{
	const ins_m2m *a = *(ins_m2m *const *)x, *b = *(ins_m2m *const *)y;

	return strcmp(a->through->name, b->through->name);
}

/* Names for every selected model, its fields and its many-to-many fields. */
static int
name_everything(ins_catalog *cat, const char *label)
{
	ormc_arena *a = cat->a;
	int i, j, k;

	for (i = 0; i < cat->tables.n; i++) {
		ins_table *t = cat->tables.items[i];

		if (!t->selected)
			continue;
		t->cls = class_name(a, t->name, label);
		for (k = 1; t->cls != NULL && k < 1000; k++) {
			for (j = 0; j < i; j++) {
				const ins_table *s = cat->tables.items[j];

				if (s->selected && strcmp(s->cls, t->cls) == 0)
					break;
			}
			if (j == i)
				break;
			t->cls = ormc_arena_printf(a, "%s%d", class_name(a, t->name, label), k + 1);
		}
		if (t->cls != NULL)
			t->lower = lower_dup(a, t->cls);
	}
	if (a->failed)
		return ORMC_ENOMEM;
	for (i = 0; i < cat->tables.n; i++) {
		ins_table *t = cat->tables.items[i];
		ins_m2m *m;

		if (t->selected && (m = through_of(cat, t)) != NULL) {
			t->through = 1;
			ormc_ptrvec_push(a, &m->source->m2m, m);
		}
	}
	for (i = 0; i < cat->tables.n; i++) {
		ins_table *t = cat->tables.items[i];
		int npk = pk_count(t);

		if (!t->selected || t->through)
			continue;
		if (npk == 1 && strcmp(pk_column(t)->name, "id") == 0)
			ormc_ptrvec_push(a, &t->names, "id");
		for (k = 0; k < t->cols.n; k++) {
			ins_column *c = t->cols.items[k];
			int rel = is_relation(c);

			if (npk == 1 && c->pk == 1 && strcmp(c->name, "id") == 0) {
				c->field = "id";
				continue;
			}
			c->field = field_name(a, t, c->name, rel);
			/* Django allows a field named id only as the primary key */
			if (c->field != NULL && c->pk != 1 && strcmp(c->field, "id") == 0)
				c->field = field_name(a, t, "id_field", 0);
		}
		if (t->m2m.n > 1)
			qsort(t->m2m.items, (size_t)t->m2m.n, sizeof(void *), cmp_m2m);
		for (k = 0; k < t->m2m.n; k++) {
			ins_m2m *m = t->m2m.items[k];
			const char *want = m->field;

			m->field = field_name(a, t, want != NULL ? want : m->through->name, 0);
			/* a renamed field no longer makes the table's name */
			if (m->field != NULL && (want == NULL || strcmp(want, m->field) != 0))
				m->db_table = m->through->name;
		}
	}
	return a->failed ? ORMC_ENOMEM : ORMC_OK;
}

int
ormc_inspect(char **out, ormc_db *db, const ormc_inspect_options *opts,
             ormc_error *err)
{
	static const ormc_inspect_options defaults = ORMC_INSPECT_OPTIONS_INIT;
	ins_catalog cat;
	ormc_arena arena;
	ormc_sqlbuf b;
	int i, rc, n = 0;

	ormc_error_clear(err);
	if (out == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "ormc_inspect: no place for the result");
	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	if (db == NULL || opts->version == 0 ||
	    opts->version > ORMC_INSPECT_OPTIONS_VERSION || opts->ntables < 0 ||
	    (opts->ntables > 0 && opts->tables == NULL))
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "invalid arguments to ormc_inspect");
	ormc_arena_init(&arena);
	memset(&cat, 0, sizeof(cat));
	cat.a = &arena;
	ormc_sqlbuf_init(&b);
	if ((rc = ormc_inspect__read(&cat, db, err)) < 0 ||
	    (rc = select_tables(&cat, opts, err)) < 0)
		goto done;
	if ((rc = name_everything(&cat, opts->app_label)) < 0) {
		ormc_error_set(err, rc, NULL, -1, 0, "out of memory");
		goto done;
	}
	for (i = 0; i < cat.tables.n; i++)
		n += ((ins_table *)cat.tables.items[i])->selected;
	ormc_sqlbuf_appendf(&b,
		"# Models read by `ormc inspect` from a %s database (%d table%s).\n"
		"#\n"
		"# Reverse relations have Django's default names: the related_name of the\n"
		"# original models is not stored in a database. on_delete is DO_NOTHING:\n"
		"# the database's own ON DELETE rules still apply.\n"
		"from django.db import models\n",
		cat.dialect, n, n == 1 ? "" : "s");
	for (i = 0; i < cat.tables.n; i++) {
		const ins_table *t = cat.tables.items[i];

		if (t->selected && !t->through)
			write_model(&b, &arena, t, opts->app_label);
	}
	if (b.failed || arena.failed) {
		rc = ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		goto done;
	}
	*out = ormc_sqlbuf_detach(&b);
	if (*out == NULL)
		rc = ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
done:
	ormc_sqlbuf_free(&b);
	ormc_arena_free(&arena);
	return rc < 0 ? rc : ORMC_OK;
}

void
ormc_inspect_free(char *text)
{
	free(text);
}
