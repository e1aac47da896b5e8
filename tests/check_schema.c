/*
 * check_schema.c -- Check suite for the models.py reader (core/schema.c):
 * the four example models files, table and column naming (app labels,
 * db_table, db_column, join tables, self relations), reverse ends and
 * their clashes, enums and class constants, inheritance (abstract,
 * multi-table, proxy), several texts with their app labels, tolerance of
 * everything else a models file holds, and error positions.
 */
#define _POSIX_C_SOURCE 200809L  /* mkstemp, fdopen */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#ifndef ORMC_SOURCE_DIR
#define ORMC_SOURCE_DIR "."
#endif

static ormc_schema *schema;
static ormc_error err;

static void
setup(void)
{
	schema = NULL;
	ormc_error_clear(&err);
}

static void
teardown(void)
{
	ormc_schema_free(schema);
	schema = NULL;
}

static ormc_schema *
load_example(const char *name, const char *app_label)
{
	char path[1024];
	ormc_schema_options opts = ORMC_SCHEMA_OPTIONS_INIT;
	int rc;

	opts.app_label = app_label;
	snprintf(path, sizeof(path), "%s/examples/%s/models.py",
	         ORMC_SOURCE_DIR, name);
	rc = ormc_schema_load(&schema, path, &opts, &err);
	ck_assert_msg(rc == ORMC_OK, "%s: %s", path, err.message);
	return schema;
}

static ormc_schema *
parse(const char *text, const char *app_label)
{
	ormc_schema_options opts = ORMC_SCHEMA_OPTIONS_INIT;
	int rc;

	opts.app_label = app_label;
	rc = ormc_schema_parse(&schema, text, strlen(text), &opts, &err);
	ck_assert_msg(rc == ORMC_OK, "parse failed: %s at %d", err.message,
	              err.offset);
	return schema;
}

static ormc_model *
model(const char *name)
{
	ormc_model *m = ormc_schema_model(schema, name);

	ck_assert_msg(m != NULL, "no model %s", name);
	return m;
}

static ormc_field *
field(const char *mname, const char *fname)
{
	ormc_field *f = ormc_model_field(model(mname), fname);

	ck_assert_msg(f != NULL, "no field %s.%s", mname, fname);
	return f;
}

/* ---- the example models files -------------------------------------------- */

START_TEST(test_bookstore)
{
	ormc_field *f, *r;
	ormc_model *book;

	load_example("bookstore", NULL);
	ck_assert_int_eq(schema->nmodels, 4);
	ck_assert_str_eq(schema->models[0]->name, "Author");
	ck_assert_str_eq(schema->models[3]->name, "Store");
	book = model("Book");
	ck_assert_str_eq(book->table, "book");
	ck_assert_int_eq(book->nordering, 0);
	/* implicit pk first, declared fields, then reverse ends */
	ck_assert_int_eq(book->nfields, 9);
	ck_assert_str_eq(book->fields[0]->name, "id");
	ck_assert_int_eq(book->fields[0]->pos, -1);
	ck_assert_int_eq(book->fields[0]->kind, ORMC_FIELD_AUTO);
	ck_assert_ptr_eq(book->pk, book->fields[0]);
	ck_assert_ptr_eq(ormc_model_field(book, "pk"), book->pk);
	ck_assert_str_eq(book->fields[1]->name, "name");
	ck_assert_str_eq(book->fields[8]->name, "store");

	f = field("Book", "price");
	ck_assert_int_eq(f->kind, ORMC_FIELD_DECIMAL);
	ck_assert_int_eq(f->max_digits, 10);
	ck_assert_int_eq(f->decimal_places, 2);
	ck_assert_str_eq(f->column, "price");
	ck_assert_str_eq(f->class_name, "DecimalField");
	ck_assert(ormc_field_is_concrete(f));
	ck_assert(!ormc_field_is_relation(f));
	ck_assert_int_eq(field("Book", "name")->max_length, 300);
	ck_assert_int_eq(field("Book", "rating")->kind, ORMC_FIELD_FLOAT);
	ck_assert_int_eq(field("Book", "pubdate")->kind, ORMC_FIELD_DATE);

	/* ForeignKey and its reverse end */
	f = field("Book", "publisher");
	ck_assert_int_eq(f->kind, ORMC_FIELD_FOREIGNKEY);
	ck_assert_str_eq(f->column, "publisher_id");
	ck_assert_ptr_eq(f->target, model("Publisher"));
	ck_assert(!ormc_field_is_multi(f));
	ck_assert(ormc_field_is_concrete(f));
	ck_assert_ptr_eq(ormc_model_field(book, "publisher_id"), f);
	r = field("Publisher", "book");
	ck_assert_int_eq(r->kind, ORMC_FIELD_REVERSE_FK);
	ck_assert_ptr_eq(r->remote, f);
	ck_assert_ptr_eq(f->remote, r);
	ck_assert_ptr_eq(r->target, book);
	ck_assert_ptr_eq(r->model, model("Publisher"));
	ck_assert_ptr_null(r->column);
	ck_assert(ormc_field_is_multi(r));
	ck_assert(ormc_field_is_relation(r));
	ck_assert(!ormc_field_is_concrete(r));

	/* ManyToManyField both ways */
	f = field("Book", "authors");
	ck_assert_int_eq(f->kind, ORMC_FIELD_MANYTOMANY);
	ck_assert_ptr_null(f->column);
	ck_assert_str_eq(f->m2m_table, "book_authors");
	ck_assert_str_eq(f->m2m_source_column, "book_id");
	ck_assert_str_eq(f->m2m_target_column, "author_id");
	ck_assert(ormc_field_is_multi(f));
	ck_assert(!ormc_field_is_concrete(f));
	ck_assert(!f->symmetrical);
	r = field("Author", "book");
	ck_assert_int_eq(r->kind, ORMC_FIELD_REVERSE_M2M);
	ck_assert_str_eq(r->m2m_table, "book_authors");
	ck_assert_ptr_eq(r->remote, f);
	r = field("Book", "store");
	ck_assert_int_eq(r->kind, ORMC_FIELD_REVERSE_M2M);
	ck_assert_str_eq(r->m2m_table, "store_books");
	ck_assert_str_eq(r->m2m_source_column, "store_id");
	ck_assert_str_eq(r->m2m_target_column, "book_id");

	ck_assert_ptr_null(ormc_model_field(book, "nope"));
	ck_assert_ptr_null(ormc_schema_model(schema, "book"));
	ck_assert_int_eq(schema->nenums, 0);
}
END_TEST

START_TEST(test_shop)
{
	ormc_model *order;
	int k, found = 0;

	load_example("shop", NULL);
	ck_assert_int_eq(schema->nmodels, 3);
	ck_assert_str_eq(field("Store", "products")->remote->name, "store");
	ck_assert_int_eq(field("Store", "products")->kind, ORMC_FIELD_REVERSE_FK);
	ck_assert_int_eq(field("Product", "orders")->kind, ORMC_FIELD_REVERSE_FK);
	ck_assert_str_eq(field("Product", "store")->related_name, "products");
	ck_assert_int_eq(field("Product", "in_stock")->kind, ORMC_FIELD_BOOLEAN);
	order = model("Order");
	ck_assert_str_eq(order->table, "order");
	ck_assert_int_eq(field("Order", "quantity")->kind,
	                 ORMC_FIELD_POSITIVEINTEGER);
	ck_assert_str_eq(field("Order", "quantity")->class_name,
	                 "PositiveIntegerField");
	ck_assert_int_eq(field("Order", "status")->max_length, 10);
	ck_assert_int_eq(field("Order", "created_at")->kind, ORMC_FIELD_DATETIME);
	/* PENDING, PAID, REFUNDED = "pending", "paid", "refunded" */
	ck_assert_int_eq(order->nconsts, 3);
	for (k = 0; k < order->nconsts; k++) {
		if (strcmp(order->const_names[k], "PAID") == 0) {
			ck_assert_int_eq(order->const_values[k]->kind, ORMC_AST_STR);
			ck_assert_str_eq(order->const_values[k]->str, "paid");
			found = 1;
		}
	}
	ck_assert(found);
	/* no reverse-end clash: Store has no 'product' field */
	ck_assert_ptr_null(ormc_model_field(model("Store"), "product"));
}
END_TEST

START_TEST(test_auth_app_label)
{
	ormc_field *f, *r;

	load_example("auth", "auth");
	ck_assert_str_eq(schema->app_label, "auth");
	ck_assert_str_eq(model("User")->table, "auth_user");
	ck_assert_str_eq(model("Group")->table, "auth_group");
	ck_assert_str_eq(model("UserProfile")->table, "auth_userprofile");
	f = field("User", "groups");
	ck_assert_str_eq(f->m2m_table, "auth_user_groups");
	ck_assert_str_eq(f->m2m_source_column, "user_id");
	ck_assert_str_eq(f->m2m_target_column, "group_id");
	ck_assert_str_eq(f->related_name, "user_set");
	ck_assert_str_eq(f->related_query_name, "user");
	/* lookups use related_query_name */
	r = field("Group", "user");
	ck_assert_int_eq(r->kind, ORMC_FIELD_REVERSE_M2M);
	ck_assert_ptr_null(ormc_model_field(model("Group"), "user_set"));
	/* one-to-one: single-valued both ways */
	f = field("UserProfile", "user");
	ck_assert_int_eq(f->kind, ORMC_FIELD_ONETOONE);
	ck_assert_str_eq(f->column, "user_id");
	ck_assert(f->unique);
	r = field("User", "user_profile");
	ck_assert_int_eq(r->kind, ORMC_FIELD_REVERSE_O2O);
	ck_assert(!ormc_field_is_multi(r));
	ck_assert(ormc_field_is_relation(r));
	ck_assert_int_eq(field("UserProfile", "type")->max_length, 20);
	ck_assert(field("User", "last_login")->null);
	ck_assert(!field("User", "date_joined")->null);
	ck_assert_int_eq(field("User", "email")->kind, ORMC_FIELD_CHAR);
	ck_assert_int_eq(field("User", "is_staff")->kind, ORMC_FIELD_BOOLEAN);
}
END_TEST

START_TEST(test_auth_no_label)
{
	load_example("auth", NULL);
	ck_assert_str_eq(model("User")->table, "user");
	ck_assert_str_eq(field("User", "groups")->m2m_table, "user_groups");
}
END_TEST

START_TEST(test_tasks)
{
	const ormc_enum *e;

	load_example("tasks", NULL);
	ck_assert_int_eq(schema->nmodels, 2);
	ck_assert_int_eq(field("Task", "assigned_to")->kind, ORMC_FIELD_FOREIGNKEY);
	ck_assert_str_eq(field("Task", "assigned_to")->column, "assigned_to_id");
	ck_assert_int_eq(field("User", "tasks")->kind, ORMC_FIELD_REVERSE_FK);
	ck_assert_int_eq(field("Task", "status")->kind, ORMC_FIELD_INTEGER);
	ck_assert_int_eq(schema->nenums, 2);
	e = ormc_schema_enum(schema, "TaskStatus");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->nmembers, 4);
	ck_assert_str_eq(e->member_names[1], "IN_PROGRESS");
	ck_assert_int_eq(e->member_values[1]->kind, ORMC_AST_INT);
	ck_assert_int_eq(e->member_values[1]->ival, 1);
	e = ormc_schema_enum(schema, "TaskPriority");
	ck_assert_str_eq(e->member_names[3], "CRITICAL");
	ck_assert_int_eq(e->member_values[3]->ival, 3);
	ck_assert_ptr_null(ormc_schema_enum(schema, "Task"));
	ck_assert_ptr_null(ormc_schema_model(schema, "TaskStatus"));
}
END_TEST

/* ---- naming ------------------------------------------------------------------ */

START_TEST(test_self_m2m)
{
	ormc_field *f;

	parse("from django.db import models\n"
	      "class Author(models.Model):\n"
	      "    friends = models.ManyToManyField('self')\n"
	      "    follows = models.ManyToManyField('self', symmetrical=False,\n"
	      "                                     related_name='followers')\n"
	      "    mentor = models.ForeignKey('self', null=True, on_delete=models.SET_NULL,\n"
	      "                               related_name='mentees')\n", NULL);
	f = field("Author", "friends");
	ck_assert(f->symmetrical);
	ck_assert_ptr_null(f->remote);
	ck_assert_ptr_eq(f->target, model("Author"));
	ck_assert_str_eq(f->m2m_table, "author_friends");
	ck_assert_str_eq(f->m2m_source_column, "from_author_id");
	ck_assert_str_eq(f->m2m_target_column, "to_author_id");
	f = field("Author", "follows");
	ck_assert(!f->symmetrical);
	ck_assert_str_eq(f->m2m_source_column, "from_author_id");
	ck_assert_int_eq(field("Author", "followers")->kind, ORMC_FIELD_REVERSE_M2M);
	ck_assert_ptr_eq(field("Author", "followers")->remote, f);
	ck_assert_int_eq(field("Author", "mentees")->kind, ORMC_FIELD_REVERSE_FK);
	ck_assert(field("Author", "mentor")->null);
	/* id, friends, follows, mentor, followers, mentees */
	ck_assert_int_eq(model("Author")->nfields, 6);
}
END_TEST

START_TEST(test_db_table_column)
{
	ormc_field *f;
	ormc_model *m;

	parse("class Publisher(models.Model):\n"
	      "    code = models.CharField(max_length=8, primary_key=True, db_column='pub_code')\n"
	      "    class Meta:\n"
	      "        db_table = 'publishers'\n"
	      "        ordering = ['-code', 'name']\n"
	      "class Tag(models.Model):\n"
	      "    class Meta: ordering = ('label',)\n"
	      "    label = models.SlugField()\n"
	      "class Book(models.Model):\n"
	      "    publisher = models.ForeignKey(Publisher, models.CASCADE, db_column='pub')\n"
	      "    tags = models.ManyToManyField(Tag, db_table='book_tag_map')\n"
	      "    sellers = models.ManyToManyField(\"shop.Seller\", related_name='+')\n"
	      "    class Meta:\n"
	      "        db_table = \"books\"\n"
	      "class Seller(models.Model):\n"
	      "    pass\n", "lib");
	m = model("Publisher");
	ck_assert_str_eq(m->table, "publishers");
	ck_assert_int_eq(m->nordering, 2);
	ck_assert_str_eq(m->ordering[0], "-code");
	ck_assert_str_eq(m->ordering[1], "name");
	ck_assert_str_eq(m->pk->name, "code");
	ck_assert_str_eq(m->pk->column, "pub_code");
	ck_assert(m->pk->unique);
	ck_assert_ptr_null(ormc_model_field(m, "id"));
	ck_assert_ptr_eq(ormc_model_field(m, "pk"), ormc_model_field(m, "code"));
	m = model("Tag");
	ck_assert_str_eq(m->table, "lib_tag");
	ck_assert_int_eq(m->nordering, 1);
	ck_assert_int_eq(field("Tag", "label")->max_length, 50);
	f = field("Book", "publisher");
	ck_assert_str_eq(f->column, "pub");
	ck_assert_ptr_eq(f->target, model("Publisher"));
	ck_assert_str_eq(field("Publisher", "book")->name, "book");
	f = field("Book", "tags");
	ck_assert_str_eq(f->m2m_table, "book_tag_map");
	ck_assert_str_eq(f->m2m_source_column, "book_id");
	ck_assert_str_eq(f->m2m_target_column, "tag_id");
	/* Meta.db_table is the join table's prefix, forward ref by "app.Model" */
	f = field("Book", "sellers");
	ck_assert_str_eq(f->m2m_table, "books_sellers");
	ck_assert_ptr_eq(f->target, model("Seller"));
	ck_assert_ptr_null(f->remote);  /* related_name='+' */
	ck_assert_int_eq(model("Seller")->nfields, 1);
	ck_assert_str_eq(model("Seller")->table, "lib_seller");
}
END_TEST

START_TEST(test_enums_consts)
{
	const ormc_enum *e;
	ormc_model *m;

	parse("import enum\n"
	      "class Color(enum.IntEnum):\n"
	      "    RED = 1\n"
	      "    GREEN = enum.auto()\n"
	      "    BLUE = auto()\n"
	      "class Kind(models.TextChoices):\n"
	      "    BOOK = 'bk', _('Book')\n"
	      "    EBOOK = ('eb', 'E-book')\n"
	      "    AUDIO = auto()\n"
	      "class Size(models.IntegerChoices):\n"
	      "    SMALL = 1, 'Small'\n"
	      "    LARGE = -2, 'Large'\n"
	      "    _ignore_ = ['x']\n"
	      "    def label_upper(self):\n"
	      "        return self.label.upper()\n"
	      "class Order(models.Model):\n"
	      "    class Status(models.TextChoices):\n"
	      "        PAID = 'paid', 'Paid'\n"
	      "    LIMIT = 10\n"
	      "    RATE = -1.5\n"
	      "    NAMES = ['a']\n"
	      "    status = models.CharField(max_length=4, choices=Status.choices)\n", NULL);
	e = ormc_schema_enum(schema, "Color");
	ck_assert_int_eq(e->nmembers, 2);  /* enum.auto() is not auto() */
	ck_assert_str_eq(e->member_names[1], "BLUE");
	ck_assert_int_eq(e->member_values[1]->ival, 2);
	e = ormc_schema_enum(schema, "Kind");
	ck_assert_int_eq(e->nmembers, 3);
	ck_assert_str_eq(e->member_values[0]->str, "bk");
	ck_assert_str_eq(e->member_values[1]->str, "eb");
	ck_assert_str_eq(e->member_values[2]->str, "AUDIO");
	e = ormc_schema_enum(schema, "Size");
	ck_assert_int_eq(e->nmembers, 2);
	ck_assert_int_eq(e->member_values[1]->kind, ORMC_AST_NEG);
	e = ormc_schema_enum(schema, "Order.Status");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->member_values[0]->str, "paid");
	m = model("Order");
	ck_assert_int_eq(m->nconsts, 2);
	ck_assert_str_eq(m->const_names[0], "LIMIT");
	ck_assert_int_eq(m->const_values[0]->ival, 10);
	ck_assert_str_eq(m->const_names[1], "RATE");
	ck_assert_int_eq(m->nfields, 2);
}
END_TEST

/* ---- tolerance ---------------------------------------------------------------- */

START_TEST(test_tolerance)
{
	ormc_field *f;
	const char *t =
	      "\"\"\"Models module docstring.\"\"\"\n"
	      "from __future__ import annotations\n"
	      "import uuid\n"
	      "from typing import TYPE_CHECKING\n"
	      "if TYPE_CHECKING:\n"
	      "    class Fake(models.Model):\n"
	      "        x = models.JSONField()\n"
	      "def helper(x, *args, **kw) -> int:\n"
	      "    return f\"{x!r}\" if x else lambda: {1: 2}\n"
	      "\n"
	      "class Mixin:\n"
	      "    y = models.FooField()\n"
	      "class ContactForm(forms.Form):\n"
	      "    name = forms.CharField(max_length=5)\n"
	      "\n"
	      "@register\n"
	      "class Item(Mixin, models.Model):\n"
	      "\t\"\"\"An item.\n"
	      "\n"
	      "\tWith a docstring.\"\"\"\n"
	      "\tuid = models.UUIDField(default=uuid.uuid4, editable=False)\n"
	      "\tname = models.CharField(\n"
	      "\t\t'item name',  # verbose name\n"
	      "\t\tmax_length=10,\n"
	      "\t\thelp_text=_('The name'),\n"
	      "\t\tvalidators=[lambda v: len(v) > 2],\n"
	      "\t)\n"
	      "\tcount = IntegerField(default=lambda: 1, choices=[(i, str(i)) for i in range(3)])\n"
	      "\tprice = models.DecimalField(max_digits=8, \\\n"
	      "\t                            decimal_places=3)\n"
	      "\tflag = models.NullBooleanField()\n"
	      "\tsecs = models.DurationField(); at = models.TimeField()\n"
	      "\tobjects = ItemManager()\n"
	      "\ttitle: str = 'x'\n"
	      "\n"
	      "\t@property\n"
	      "\tdef label(self):\n"
	      "\t\treturn f'{self.name}'\n"
	      "\n"
	      "\tdef save(self, *args, **kwargs):\n"
	      "\t\tsuper().save(*args, **kwargs)\n"
	      "\n"
	      "\tclass Meta:\n"
	      "\t\tverbose_name = _('item')\n"
	      "\t\tunique_together = [('name', 'count')]\n"
	      "\t\tindexes = [models.Index(fields=['name'])]\n";

	parse(t, NULL);
	ck_assert_int_eq(schema->nmodels, 1);
	ck_assert_int_eq(model("Item")->nfields, 8);
	ck_assert_int_eq(field("Item", "uid")->kind, ORMC_FIELD_UUID);
	ck_assert_int_eq(field("Item", "name")->max_length, 10);
	ck_assert_int_eq(field("Item", "count")->kind, ORMC_FIELD_INTEGER);
	f = field("Item", "price");
	ck_assert_int_eq(f->max_digits, 8);
	ck_assert_int_eq(f->decimal_places, 3);
	ck_assert(field("Item", "flag")->null);
	ck_assert_int_eq(field("Item", "secs")->kind, ORMC_FIELD_DURATION);
	ck_assert_int_eq(field("Item", "at")->kind, ORMC_FIELD_TIME);
	ck_assert_ptr_null(ormc_model_field(model("Item"), "objects"));
	ck_assert_ptr_null(ormc_model_field(model("Item"), "title"));
	ck_assert_ptr_null(ormc_model_field(model("Item"), "y"));
	ck_assert_ptr_null(ormc_schema_model(schema, "Fake"));
	ck_assert_ptr_null(ormc_schema_model(schema, "Mixin"));
	ck_assert_ptr_null(ormc_schema_model(schema, "ContactForm"));
	ck_assert_str_eq(model("Item")->fields[1]->name, "uid");
	ck_assert_int_eq(model("Item")->fields[1]->pos, (int)(strstr(t, "uid =") - t));
	ck_assert_int_eq(model("Item")->pos, (int)(strstr(t, "class Item") - t));
}
END_TEST

START_TEST(test_field_kinds)
{
	static const struct {
		const char *cls;
		ormc_field_kind kind;
	} kinds[] = {
		{ "BigAutoField(primary_key=True)", ORMC_FIELD_BIGAUTO },
		{ "SmallIntegerField()", ORMC_FIELD_SMALLINTEGER },
		{ "BigIntegerField()", ORMC_FIELD_BIGINTEGER },
		{ "PositiveSmallIntegerField()", ORMC_FIELD_POSITIVESMALLINTEGER },
		{ "PositiveBigIntegerField()", ORMC_FIELD_POSITIVEBIGINTEGER },
		{ "JSONField(default=dict)", ORMC_FIELD_JSON },
		{ "BinaryField(max_length=10)", ORMC_FIELD_BINARY },
		{ "UUIDField(default=uuid.uuid4)", ORMC_FIELD_UUID },
		{ "GenericIPAddressField(protocol='both')", ORMC_FIELD_IPADDRESS },
		{ "FilePathField(path='/tmp')", ORMC_FIELD_CHAR },
		{ "ImageField(upload_to='x')", ORMC_FIELD_CHAR },
		{ "TextField()", ORMC_FIELD_TEXT },
		{ "EmailField()", ORMC_FIELD_CHAR },
		{ "URLField()", ORMC_FIELD_CHAR },
		{ "DateTimeField(auto_now=True)", ORMC_FIELD_DATETIME },
	};
	char text[256];
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		snprintf(text, sizeof(text),
		         "class M(models.Model):\n    f = models.%s\n", kinds[k].cls);
		parse(text, NULL);
		ck_assert_int_eq(field("M", "f")->kind, kinds[k].kind);
		ck_assert_int_eq(field("M", "f")->pos, 27);
		ormc_schema_free(schema);
		schema = NULL;
	}
	parse("class M(models.Model):\n    f: int = models.IntegerField()\n"
	      "    @property\n    def g(self):\n        return models.IntegerField()\n", NULL);
	ck_assert_int_eq(field("M", "f")->kind, ORMC_FIELD_INTEGER);
	ck_assert_int_eq(model("M")->nfields, 2);
	ormc_schema_free(schema);
	schema = NULL;
	parse("class M(models.Model):\n    f = models.BigAutoField(primary_key=True)\n", NULL);
	ck_assert_int_eq(model("M")->nfields, 1);
	ck_assert_str_eq(model("M")->pk->name, "f");
}
END_TEST

/* ---- inheritance ----------------------------------------------------------------- */

static const char *const inherit_text =
	"class Stamped(models.Model):\n"                     /* abstract, with a relation */
	"    created = models.DateField()\n"
	"    owner = models.ForeignKey('Owner', models.CASCADE, related_name='%(app_label)s_%(class)s_set')\n"
	"    KIND = 'x'\n"
	"    class Meta:\n"
	"        abstract = True\n"
	"        ordering = ['-created']\n"
	"class Named(Stamped):\n"                            /* abstract over abstract */
	"    name = models.CharField(max_length=20)\n"
	"    class Meta(Stamped.Meta):\n"
	"        abstract = True\n"
	"class Helper:\n"                                    /* a plain mixin */
	"    def label(self):\n"
	"        return 'x'\n"
	"class Owner(models.Model):\n"
	"    pass\n"
	"class Place(Helper, Named):\n"
	"    city = models.CharField(max_length=20)\n"
	"    created = models.DateTimeField()\n"             /* overrides the abstract field */
	"class Restaurant(Place):\n"
	"    seats = models.IntegerField()\n"
	"class Pizzeria(Restaurant):\n"
	"    ovens = models.IntegerField()\n"
	"class Shop(Place):\n"
	"    home = models.OneToOneField(Place, models.CASCADE, parent_link=True, related_name='shop_of')\n"
	"class Bare(Named):\n"                            /* name = None drops the inherited field */
	"    name = None\n"
	"class Local(Place):\n"
	"    class Meta:\n"
	"        proxy = True\n"
	"        ordering = ['name']\n";

/* With no Meta of its own, a class reads the first base's that has one, as Python finds Meta. */
START_TEST(test_meta_first_base)
{
	parse("class Stamped(models.Model):\n"
	      "    created = models.DateField()\n"
	      "    class Meta:\n"
	      "        abstract = True\n"
	      "        ordering = ['id']\n"
	      "class Named(models.Model):\n"
	      "    name = models.CharField(max_length=20)\n"
	      "    class Meta:\n"
	      "        abstract = True\n"
	      "class Bare(models.Model):\n"
	      "    note = models.CharField(max_length=20)\n"
	      "    class Meta:\n"
	      "        abstract = True\n"
	      "        managed = False\n"
	      "class Place(Named, Stamped):\n"           /* Named's Meta: no ordering */
	      "    city = models.CharField(max_length=20)\n"
	      "class Shop(Stamped, Named):\n"            /* Stamped's */
	      "    city = models.CharField(max_length=20)\n"
	      "class Plain(models.Model):\n"
	      "    pass\n"
	      "class Kept(Named, Bare):\n"               /* Named's Meta: managed */
	      "    pass\n"
	      "class Ranked(models.Model):\n"
	      "    rank = models.IntegerField()\n"
	      "    class Meta:\n"
	      "        abstract = True\n"
	      "        ordering = ['rank']\n"
	      "class Outlet(Place, Ranked):\n"          /* Meta found through Place: Named's; Place's ordering */
	      "    pass\n"
	      "class Dated(Stamped):\n"                 /* its own Meta is not an attribute of the class */
	      "    class Meta:\n"
	      "        ordering = ['-id']\n"
	      "class Branch(Dated):\n"                  /* so Branch finds Stamped's: ordering id */
	      "    pass\n", "app");
	ck_assert_int_eq(model("Place")->nordering, 0);
	ck_assert_int_eq(model("Shop")->nordering, 1);
	ck_assert(!model("Kept")->unmanaged);
	ck_assert_int_eq(model("Outlet")->nordering, 0);
	ck_assert_int_eq(model("Dated")->nordering, 1);
	ck_assert_str_eq(model("Dated")->ordering[0], "-id");
	ck_assert_int_eq(model("Branch")->nordering, 1);
	ck_assert_str_eq(model("Branch")->ordering[0], "id");
}
END_TEST

START_TEST(test_abstract)
{
	ormc_model *place;
	int k;

	parse(inherit_text, "app");
	ck_assert_ptr_null(ormc_schema_model(schema, "Stamped"));
	ck_assert_ptr_null(ormc_schema_model(schema, "Named"));
	ck_assert_ptr_nonnull(ormc_schema_abstract(schema, "Stamped"));
	ck_assert_ptr_nonnull(ormc_schema_abstract(schema, "Named"));
	ck_assert_int_eq(schema->nabstracts, 2);
	for (k = 0; k < schema->nmodels; k++)
		ck_assert(!schema->models[k]->abstract);
	/* id, then the fields in declaration order: owner and name copied, created overridden */
	place = model("Place");
	ck_assert_int_eq(place->nfields, 7);      /* + reverse ends restaurant, shop_of */
	ck_assert_str_eq(place->fields[0]->name, "id");
	ck_assert_str_eq(place->fields[1]->name, "owner");
	ck_assert_str_eq(place->fields[2]->name, "name");
	ck_assert_str_eq(place->fields[3]->name, "city");
	ck_assert_str_eq(place->fields[4]->name, "created");
	ck_assert_int_eq(place->fields[4]->kind, ORMC_FIELD_DATETIME);
	ck_assert_ptr_eq(place->fields[1]->model, place);
	ck_assert_ptr_eq(place->fields[1]->target, model("Owner"));
	/* Meta(Stamped.Meta) inherits ordering, so Place does from Named */
	ck_assert_int_eq(place->nordering, 1);
	ck_assert_str_eq(place->ordering[0], "-created");
	ck_assert_int_eq(place->nconsts, 1);
	ck_assert_str_eq(place->const_names[0], "KIND");
	/* %(app_label)s_%(class)s_set, filled in per concrete model */
	ck_assert_ptr_eq(field("Owner", "app_place_set")->remote, place->fields[1]);
	ck_assert_int_eq(field("Owner", "app_place_set")->kind, ORMC_FIELD_REVERSE_FK);
	ck_assert_str_eq(place->table, "app_place");
	ck_assert_ptr_null(ormc_model_field(model("Bare"), "name"));
	ck_assert_ptr_nonnull(ormc_model_field(model("Bare"), "created"));
}
END_TEST

START_TEST(test_multi_table)
{
	ormc_model *place, *rest, *pizz, *shop;
	ormc_field *f, *hops[4];

	parse(inherit_text, "app");
	place = model("Place");
	rest = model("Restaurant");
	pizz = model("Pizzeria");
	shop = model("Shop");
	/* the parent link: Django's <parent>_ptr, the child's primary key */
	ck_assert_ptr_eq(rest->parent, place);
	ck_assert_str_eq(rest->parent_link->name, "place_ptr");
	ck_assert_str_eq(rest->parent_link->column, "place_ptr_id");
	ck_assert_int_eq(rest->parent_link->kind, ORMC_FIELD_ONETOONE);
	ck_assert(rest->parent_link->parent_link);
	ck_assert_ptr_eq(rest->pk, rest->parent_link);
	ck_assert_ptr_eq(rest->parent_link->target, place);
	ck_assert_str_eq(rest->table, "app_restaurant");
	/* local fields only: the link first, then the child's own */
	ck_assert_int_eq(rest->nfields, 3);
	ck_assert_str_eq(rest->fields[0]->name, "place_ptr");
	ck_assert_str_eq(rest->fields[1]->name, "seats");
	ck_assert_str_eq(rest->fields[2]->name, "pizzeria");     /* reverse end of pizzeria's link */
	/* every concrete field, the parent's first (values()) */
	ck_assert_int_eq(rest->nconcrete, 7);
	ck_assert_str_eq(rest->concrete[0]->name, "id");
	ck_assert_str_eq(rest->concrete[4]->name, "created");
	ck_assert_str_eq(rest->concrete[5]->name, "place_ptr");
	ck_assert_str_eq(rest->concrete[6]->name, "seats");
	/* the parent's fields are found on the child, and reached through the links */
	f = ormc_model_field(pizz, "city");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_eq(f->model, place);
	ck_assert_int_eq(ormc_model_parent_hops(pizz, place, hops, 4), 2);
	ck_assert_str_eq(hops[0]->name, "restaurant_ptr");
	ck_assert_str_eq(hops[1]->name, "place_ptr");
	ck_assert_int_eq(ormc_model_parent_hops(pizz, pizz, hops, 4), 0);
	ck_assert_int_eq(ormc_model_parent_hops(pizz, place, hops, 1), -1);
	ck_assert_int_eq(ormc_model_parent_hops(place, pizz, hops, 4), -1);
	ck_assert_ptr_eq(ormc_model_field(pizz, "place_ptr_id"), rest->parent_link);
	ck_assert_ptr_eq(ormc_model_field(pizz, "pk"), pizz->parent_link);
	/* the parent reaches the child by the reverse one-to-one */
	f = field("Place", "restaurant");
	ck_assert_int_eq(f->kind, ORMC_FIELD_REVERSE_O2O);
	ck_assert_ptr_eq(f->target, rest);
	/* parent_link=True names the link; its related_name the reverse end */
	ck_assert_str_eq(shop->parent_link->name, "home");
	ck_assert_str_eq(shop->pk->column, "home_id");
	ck_assert_int_eq(field("Place", "shop_of")->kind, ORMC_FIELD_REVERSE_O2O);
	/* Meta.ordering is inherited from the parent */
	ck_assert_int_eq(rest->nordering, 1);
	ck_assert_str_eq(rest->ordering[0], "-created");
}
END_TEST

START_TEST(test_proxy)
{
	ormc_model *local, *place;
	int k;

	parse(inherit_text, "app");
	local = model("Local");
	place = model("Place");
	ck_assert_ptr_eq(local->proxy_for, place);
	ck_assert_str_eq(local->table, place->table);
	ck_assert_ptr_eq(local->pk, place->pk);
	ck_assert_ptr_eq(local->fields, place->fields);
	ck_assert_int_eq(local->nconcrete, place->nconcrete);
	ck_assert_int_eq(local->nordering, 1);
	ck_assert_str_eq(local->ordering[0], "name");
	/* a proxy has no table of its own */
	ck_assert_int_eq(schema->nproxies, 1);
	for (k = 0; k < schema->nmodels; k++)
		ck_assert_ptr_ne(schema->models[k], local);
	ck_assert_int_eq(schema->nmodels, 6);
}
END_TEST

/* ---- several texts --------------------------------------------------------------- */

START_TEST(test_parse_many)
{
	static const char users[] =
		"class User(models.Model):\n    name = models.CharField(max_length=9)\n";
	static const char blog[] =
		"class Post(models.Model):\n"
		"    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)\n"
		"    editor = models.ForeignKey(get_user_model(), models.CASCADE, related_name='edited')\n"
		"    tag = models.ForeignKey('tags.Tag', models.CASCADE, related_name='posts')\n"
		"class Draft(Post):\n    pass\n";
	static const char tags[] =
		"class Tag(models.Model):\n    class Meta:\n        app_label = 'tags'\n";
	ormc_schema_source src[3] = {
		{ "auth", users, sizeof(users) - 1, "auth.py" },
		{ "blog", blog, sizeof(blog) - 1, "blog.py" },
		{ "misc", tags, sizeof(tags) - 1, NULL },
	};
	ormc_schema_options opts = ORMC_SCHEMA_OPTIONS_INIT;
	int rc;

	rc = ormc_schema_parse_many(&schema, src, 3, NULL, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_str_eq(model("User")->table, "auth_user");
	ck_assert_str_eq(model("User")->app_label, "auth");
	ck_assert_str_eq(model("Post")->table, "blog_post");
	ck_assert_str_eq(model("Tag")->table, "tags_tag");       /* Meta.app_label wins */
	ck_assert_ptr_eq(field("Post", "author")->target, model("User"));
	ck_assert_ptr_eq(field("Post", "editor")->target, model("User"));
	ck_assert_ptr_eq(field("Post", "tag")->target, model("Tag"));
	ck_assert_str_eq(model("Draft")->table, "blog_draft");
	ck_assert_str_eq(field("User", "edited")->name, "edited");
	ormc_schema_free(schema);
	schema = NULL;

	/* the user model is an option; an error points into its own text */
	opts.auth_user_model = "tags.Tag";
	rc = ormc_schema_parse_many(&schema, src, 3, &opts, &err);
	ck_assert_msg(rc == ORMC_OK, "%s", err.message);
	ck_assert_ptr_eq(field("Post", "author")->target, model("Tag"));
	ormc_schema_free(schema);
	schema = NULL;
	rc = ormc_schema_parse_many(&schema, src + 1, 2, NULL, &err);
	ck_assert_int_eq(rc, ORMC_EINVALID);
	ck_assert_ptr_null(schema);
	ck_assert_ptr_eq(err.source, blog);
	ck_assert_int_eq(err.offset, (int)(strstr(blog, "settings.") - blog));
	ck_assert_msg(strstr(err.message, "AUTH_USER_MODEL refers to model 'auth.User'") != NULL,
	              "%s", err.message);
	/* several texts are several apps: the label must be the model's */
	src[2].app_label = "other";
	src[2].text = "class Tag(models.Model):\n    pass\n";
	src[2].len = strlen(src[2].text);
	rc = ormc_schema_parse_many(&schema, src, 3, NULL, &err);
	ck_assert_int_eq(rc, ORMC_EINVALID);
	ck_assert_ptr_eq(err.source, blog);
	ck_assert_msg(strstr(err.message, "model 'tags.Tag'") != NULL, "%s", err.message);
	/* one class name in two apps */
	src[2].text = users;
	src[2].len = sizeof(users) - 1;
	rc = ormc_schema_parse_many(&schema, src, 3, NULL, &err);
	ck_assert_int_eq(rc, ORMC_EINVALID);
	ck_assert_ptr_eq(err.source, users);
	ck_assert_msg(strstr(err.message, "defined twice") != NULL, "%s", err.message);
}
END_TEST

/* ---- errors -------------------------------------------------------------------- */

struct bad_case {
	const char *text;
	int code;
	const char *at;       /* the error is at the first occurrence of this */
	int length;
	const char *message;  /* substring */
};

static const struct bad_case bad_cases[] = {
	{ "class A(models.Model):\n    x = models.FooField()\n",
	  ORMC_EUNSUPPORTED, "FooField", 8, "unknown field type 'FooField'" },
	{ "class A(models.Model):\n    b = models.ForeignKey('Missing', on_delete=models.CASCADE)\n",
	  ORMC_EINVALID, "'Missing'", 9,
	  "Field defines a relation with model 'Missing', which is either not installed, or is abstract." },
	{ "class A(models.Model):\n    b = models.ForeignKey(Missing)\n",
	  ORMC_EINVALID, "Missing", 7, "model 'Missing'" },
	{ "class Publisher(models.Model):\n    book = models.IntegerField()\n"
	  "class Book(models.Model):\n    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)\n",
	  ORMC_EINVALID, "publisher =", 9,
	  "Reverse query name for 'Book.publisher' clashes with field name 'Publisher.book'." },
	{ "class P(models.Model):\n    pass\n"
	  "class Book(models.Model):\n    publisher = models.ForeignKey(P, on_delete=models.CASCADE)\n"
	  "    editor = models.ForeignKey(P, on_delete=models.CASCADE)\n",
	  ORMC_EINVALID, "editor", 6,
	  "Reverse query name for 'Book.editor' clashes with reverse query name for 'Book.publisher'." },
	{ "class A(models.Model):\n    pass\nclass B(models.Model):\n    a = models.ManyToManyField(A, through='AB')\n",
	  ORMC_EINVALID, "'AB'", 4, "through model 'AB', which has not been installed" },
	{ "class A(models.Model):\n    n = models.CharField(max_length='x')\n",
	  ORMC_EINVALID, "'x'", 3, "'max_length' must be a positive integer" },
	{ "class A(models.Model):\n    n = models.CharField(null=1)\n",
	  ORMC_EINVALID, "1)", 1, "'null' must be True or False" },
	{ "class A(models.Model):\n    n = models.CharField(max_length=(1)\n",
	  ORMC_EPARSE, "(max_length", 1, "'(' was never closed" },
	{ "class A(models.Model):\n    n = models.CharField(help_text='oops)\n",
	  ORMC_EPARSE, "'oops", 6, "unterminated string literal" },
	{ "class A(models.Model):\n    a = models.IntegerField(primary_key=True)\n"
	  "    b = models.IntegerField(primary_key=True)\n",
	  ORMC_EINVALID, "b =", 1, "more than one field with 'primary_key=True'" },
	{ "class A(models.Model):\n    id = models.IntegerField()\n",
	  ORMC_EINVALID, "id =", 2, "'id' can only be used as a field name" },
	{ "class A(models.Model):\n    b = models.ForeignKey(on_delete=models.CASCADE)\n",
	  ORMC_EINVALID, "ForeignKey", 10, "missing 1 required positional argument: 'to'" },
	{ "class A(models.Model):\n    class Meta:\n        abstract = True\n"
	  "class B(models.Model):\n    a = models.ForeignKey(A, models.CASCADE)\n",
	  ORMC_EINVALID, "A, models", 1,
	  "Field defines a relation with model 'A', which is either not installed, or is abstract." },
	{ "class A(TimeStampedModel):\n    pass\n",
	  ORMC_EUNSUPPORTED, "TimeStampedModel", 16,
	  "class 'A' inherits from 'TimeStampedModel', which is not a model of the models files" },
	{ "class A(Mixin, models.Model):\n    pass\n",
	  ORMC_EUNSUPPORTED, "Mixin", 5,
	  "model 'A' has a base class 'Mixin' that is neither a model nor a class of the models files" },
	{ "class A(Base):\n    x = models.IntegerField()\n",
	  ORMC_EUNSUPPORTED, "Base", 4,
	  "class 'A' declares fields but its base class 'Base' is neither a model" },
	{ "class Mixin:\n    pass\nclass A(Mixin):\n    x = models.IntegerField()\n",
	  ORMC_EUNSUPPORTED, "x =", 1,
	  "class 'A' declares the field 'x' but is not a model" },
	{ "class P(models.Model):\n    pass\nclass Q(models.Model):\n    pass\nclass R(P, Q):\n    pass\n",
	  ORMC_EUNSUPPORTED, "Q):", 1, "inherits from two concrete models ('P' and 'Q')" },
	{ "class P(models.Model):\n    name = models.CharField(max_length=5)\n"
	  "class R(P):\n    name = models.CharField(max_length=6)\n",
	  ORMC_EINVALID, "name = models.CharField(max_length=6)", 4,
	  "The field 'name' clashes with the field 'name' from model 'P'." },
	{ "class P(models.Model):\n    pass\nclass X(P):\n    n = models.IntegerField()\n    class Meta:\n        proxy = True\n",
	  ORMC_EINVALID, "X(P)", 1, "Proxy model 'X' contains model fields." },
	{ "class A(models.Model):\n    x = models.IntegerField() if X else models.FloatField()\n",
	  ORMC_EUNSUPPORTED, "IntegerField", 12, "the IntegerField of model 'A' is declared in a way ormc cannot read" },
	{ "class A(models.Model):\n    if DEBUG:\n        x = models.IntegerField()\n",
	  ORMC_EUNSUPPORTED, "IntegerField", 12, "declared in a way ormc cannot read" },
	{ "class A(models.Model):\n    x = y = models.IntegerField()\n",
	  ORMC_EUNSUPPORTED, "IntegerField", 12, "declared in a way ormc cannot read" },
	{ "class P(models.Model):\n    pass\nif FEATURE:\n    class Extra(P):\n        pass\n",
	  ORMC_EUNSUPPORTED, "Extra", 5, "model 'Extra' is declared inside a block" },
	{ "class A(models.Model):\n    x = models.IPAddressField()\n",
	  ORMC_EUNSUPPORTED, "IPAddressField", 14, "IPAddressField has been removed" },
	{ "class A(models.Model):\n    x = models.GeneratedField(expression=F('y'), output_field=models.IntegerField(), db_persist=True)\n",
	  ORMC_EUNSUPPORTED, "GeneratedField", 14, "GeneratedField (Django 5.0" },
	{ "class A(models.Model):\n    class Meta:\n        ordering = [F('x').desc()]\n",
	  ORMC_EUNSUPPORTED, "F('x')", 13, "Meta.ordering entries" },
	{ "class A(models.Model):\n    pass\nclass A(models.Model):\n    pass\n",
	  ORMC_EINVALID, "A(models.Model):\n    pass\n", 1, "defined twice" },
};

/* Meta.unique_together: nested tuples, or one tuple; names to fields. */
START_TEST(test_unique_together)
{
	const char *text =
		"from django.db import models\n"
		"class Customer(models.Model):\n"
		"    name = models.CharField(max_length=10)\n"
		"class Tag(models.Model):\n"
		"    label = models.CharField(max_length=10)\n"
		"    lang = models.CharField(max_length=5)\n"
		"    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)\n"
		"    class Meta:\n"
		"        unique_together = [(\"label\", \"lang\"), (\"owner\", \"label\")]\n"
		"class Pair(models.Model):\n"
		"    a = models.IntegerField()\n"
		"    b = models.IntegerField()\n"
		"    class Meta:\n"
		"        unique_together = (\"a\", \"b\")\n";
	const char *bad =
		"from django.db import models\n"
		"class Pair(models.Model):\n"
		"    a = models.IntegerField()\n"
		"    class Meta:\n"
		"        unique_together = ((\"a\", \"zz\"),)\n";
	const ormc_model *tag, *pair;
	int rc;

	parse(text, NULL);
	tag = ormc_schema_model(schema, "Tag");
	pair = ormc_schema_model(schema, "Pair");
	ck_assert_int_eq(tag->nunique_together, 2);
	ck_assert_int_eq(tag->unique_together[0].n, 2);
	ck_assert_str_eq(tag->unique_together[0].fields[1]->column, "lang");
	ck_assert_str_eq(tag->unique_together[1].fields[0]->column, "owner_id");
	ck_assert_int_eq(pair->nunique_together, 1);
	ck_assert_str_eq(pair->unique_together[0].fields[1]->name, "b");
	ck_assert_int_eq(ormc_schema_model(schema, "Customer")->nunique_together, 0);
	ormc_schema_free(schema);
	schema = NULL;

	rc = ormc_schema_parse(&schema, bad, strlen(bad), NULL, &err);
	ck_assert_int_eq(rc, ORMC_EINVALID);
	ck_assert_str_eq(err.message,
	                 "'unique_together' refers to the nonexistent field 'zz'.");
	ck_assert_int_eq(err.offset, (int)(strstr(bad, "\"zz\"") - bad));
}
END_TEST

START_TEST(test_natural_key)
{
	const char *text =
		"from django.db import models\n"
		"class Base(models.Model):\n"
		"    login = models.CharField(max_length=10)\n"
		"    USERNAME_FIELD = 'login'\n"
		"    class Meta:\n"
		"        abstract = True\n"
		"    def natural_key(self):\n"
		"        return (self.get_username(),)\n"
		"class Person(Base):\n"
		"    pass\n"
		"class Kind(models.Model):\n"
		"    app = models.CharField(max_length=10)\n"
		"    name = models.CharField(max_length=10)\n"
		"    def natural_key(self):\n"
		"        return (self.app, self.name)\n"
		"class Perm(models.Model):\n"
		"    code = models.CharField(max_length=10)\n"
		"    kind = models.ForeignKey(Kind, on_delete=models.CASCADE)\n"
		"    def natural_key(self):\n"
		"        return (self.code,) + self.kind.natural_key()\n"
		"    natural_key.dependencies = ['x.kind']\n"
		"class Odd(models.Model):\n"
		"    n = models.IntegerField()\n"
		"    def natural_key(self):\n"
		"        if self.n:\n"
		"            return (self.n,)\n"
		"        return compute(self)\n"
		"class Plain(models.Model):\n"
		"    n = models.IntegerField(unique=True)\n";
	const ormc_model *m;

	parse(text, NULL);
	m = ormc_schema_model(schema, "Person");
	ck_assert_int_eq(m->nnatural, 1);
	ck_assert_str_eq(m->natural[0]->name, "login");   /* inherited, by USERNAME_FIELD */
	m = ormc_schema_model(schema, "Kind");
	ck_assert_int_eq(m->nnatural, 2);
	ck_assert_str_eq(m->natural[1]->name, "name");
	ck_assert_int_eq(m->natural_nested[1], 0);
	m = ormc_schema_model(schema, "Perm");
	ck_assert_int_eq(m->nnatural, 2);
	ck_assert_str_eq(m->natural[0]->name, "code");
	ck_assert_str_eq(m->natural[1]->name, "kind");
	ck_assert_int_eq(m->natural_nested[1], 1);
	m = ormc_schema_model(schema, "Odd");
	ck_assert_int_eq(m->nnatural, 0);
	ck_assert_int_eq(m->natural_unread, 1);
	m = ormc_schema_model(schema, "Plain");
	ck_assert_int_eq(m->nnatural, 0);
	ck_assert_int_eq(m->natural_unread, 0);
}
END_TEST

START_TEST(test_errors)
{
	const struct bad_case *c = &bad_cases[_i];
	const char *at = strstr(c->text, c->at);
	int rc = ormc_schema_parse(&schema, c->text, strlen(c->text), NULL, &err);

	if (_i == (int)(sizeof(bad_cases) / sizeof(bad_cases[0])) - 1)
		at = strstr(at + 1, c->at);  /* the second class A */
	ck_assert_ptr_nonnull(at);
	ck_assert_msg(rc == c->code, "case %d: rc %d, want %d (%s)", _i, rc,
	              c->code, err.message);
	ck_assert_ptr_null(schema);
	ck_assert_msg(strstr(err.message, c->message) != NULL,
	              "case %d: message <%s> lacks <%s>", _i, err.message,
	              c->message);
	ck_assert_msg(err.offset == (int)(at - c->text) && err.length == c->length,
	              "case %d: at %d+%d, want %d+%d (%s)", _i, err.offset,
	              err.length, (int)(at - c->text), c->length, err.message);
	ck_assert_ptr_eq(err.source, c->text);
}
END_TEST

START_TEST(test_load_errors)
{
	char path[] = "/tmp/ormc_check_schema_XXXXXX";
	const char *bad = "from django.db import models\n\n"
	                  "class A(models.Model):\n    x = models.FooField()\n";
	FILE *fp;
	int fd, rc;

	rc = ormc_schema_load(&schema, "/nonexistent/models.py", NULL, &err);
	ck_assert_int_eq(rc, ORMC_EIO);
	ck_assert_ptr_null(schema);
	ck_assert_msg(strstr(err.message, "No such file") != NULL, "%s", err.message);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(bad, fp);
	fclose(fp);
	rc = ormc_schema_load(&schema, path, NULL, &err);
	remove(path);
	ck_assert_int_eq(rc, ORMC_EUNSUPPORTED);
	ck_assert_ptr_null(err.source);
	ck_assert_int_eq(err.offset, (int)(strstr(bad, "FooField") - bad));
	ck_assert_msg(strstr(err.message, "line 4, column 16") != NULL, "%s",
	              err.message);
	ormc_schema_free(NULL);
}
END_TEST

static Suite *
schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc;

	tc = tcase_create("examples");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bookstore);
	tcase_add_test(tc, test_shop);
	tcase_add_test(tc, test_auth_app_label);
	tcase_add_test(tc, test_auth_no_label);
	tcase_add_test(tc, test_tasks);
	suite_add_tcase(s, tc);

	tc = tcase_create("naming");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_self_m2m);
	tcase_add_test(tc, test_db_table_column);
	tcase_add_test(tc, test_field_kinds);
	tcase_add_test(tc, test_unique_together);
	suite_add_tcase(s, tc);

	tc = tcase_create("inheritance");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_abstract);
	tcase_add_test(tc, test_meta_first_base);
	tcase_add_test(tc, test_multi_table);
	tcase_add_test(tc, test_proxy);
	tcase_add_test(tc, test_parse_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("enums_consts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_enums_consts);
	suite_add_tcase(s, tc);

	tc = tcase_create("tolerance");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tolerance);
	tcase_add_test(tc, test_natural_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_errors, 0,
	                    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_load_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(schema_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
