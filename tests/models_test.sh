#!/usr/bin/env bash
# models_test.sh ORMC SOURCE_DIR -- models files as real projects write them,
# end to end through the command line: several models files with their own
# app labels in one run (--models LABEL=FILE), settings.AUTH_USER_MODEL and
# "app.Model" references, abstract bases with %(app_label)s/%(class)s
# related names, multi-table inheritance across apps, JSON and binary
# fields; `ormc migrate`, `ormc load` and `ormc run` on SQLite, PostgreSQL
# and MariaDB; tables exactly as Django's migrate made them
# (tests/django_tables), which `ormc migrate` accepts; and the errors for
# what the reader cannot read.
#
# The servers are the test fixture's (tests/servers.sh, ORMC_TEST_SERVERS_DIR)
# or the user's (ORMC_TEST_POSTGRES_URL, ORMC_TEST_MYSQL_URL). A backend that
# is not available fails the test; ORMC_TEST_BACKENDS=sqlite runs only
# SQLite and reports the test as skipped (77), never as passed.
set -u
ormc=$1
src=$2

selected() {
	local list=",${ORMC_TEST_BACKENDS:-all},"
	list=${list// /}
	[ "$list" = ",all," ] || [[ $list == *",$1,"* ]]
}
server_url() {   # kind env-var
	local v=${!2:-}
	if [ -z "$v" ] && [ -n "${ORMC_TEST_SERVERS_DIR:-}" ] && [ -f "$ORMC_TEST_SERVERS_DIR/servers.env" ]; then
		v=$(sed -n "s/^$1=//p" "$ORMC_TEST_SERVERS_DIR/servers.env")
	fi
	echo "$v"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ormc-models.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
skipped=0

run() {
	last="$*"
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
}
check() {   # NAME CONDITION...
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok - $name"
	else
		failed=$((failed + 1))
		echo "not ok - $name"
		echo "    command: $last"
		echo "    status:  $status"
		sed -n '1,12s/^/    out: /p' "$tmp/out"
		sed -n '1,12s/^/    err: /p' "$tmp/err"
	fi
}
status_is() { [ "$status" -eq "$1" ]; }
json_is() { [ "$status" -eq 0 ] && [ "$(tr -d ' \t\r\n' <"$tmp/out")" = "$1" ]; }
err_has() { grep -F -- "$1" "$tmp/err" >/dev/null; }

# ---- a third app: references to other apps, inheritance ----------------------

cat >"$tmp/blog.py" <<'PY'
from django.conf import settings
from django.db import models


class Authored(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="%(app_label)s_%(class)s_set")
    created = models.DateField()

    class Meta:
        abstract = True
        ordering = ["created"]


class Post(Authored):
    product = models.ForeignKey("shop.Product", on_delete=models.SET_NULL, null=True)
    title = models.CharField(max_length=100)
    meta = models.JSONField(default=dict)
    cover = models.BinaryField(null=True)


class Comment(Authored):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    body = models.TextField()


class Editor(User):
    desk = models.CharField(max_length=20)
PY
# Editor inherits from auth's User: the name a real file imports.
sed -i 's/^from django.db import models$/from django.db import models\nfrom auth.models import User/' "$tmp/blog.py"

cat >"$tmp/blog.json" <<'JSON'
[
{"model": "blog.post", "pk": 1, "fields": {"author": 1, "created": "2024-01-02", "product": 1, "title": "First", "meta": {"tags": ["a", "b"], "n": 1}, "cover": "iVBORw0KGgo="}},
{"model": "blog.post", "pk": 2, "fields": {"author": 2, "created": "2024-01-01", "product": null, "title": "Second", "meta": {}, "cover": null}},
{"model": "blog.comment", "pk": 1, "fields": {"author": 2, "created": "2024-01-03", "post": 1, "body": "nice"}},
{"model": "blog.comment", "pk": 2, "fields": {"author": 3, "created": "2024-01-04", "post": 1, "body": "agreed"}},
{"model": "blog.editor", "pk": 1, "fields": {"desk": "news"}}
]
JSON

models=(--models "auth=$src/examples/auth/models.py" --models "shop=$src/examples/shop/models.py" --models "blog=$tmp/blog.py")

backend() {   # NAME URL
	local name=$1 url=$2
	run "$ormc" migrate "${models[@]}" --db "$url"
	check "$name: migrate creates the tables of three apps" status_is 0
	for f in "$src/examples/auth/fixture.json" "$src/examples/shop/fixture.json" "$tmp/blog.json"; do
		run "$ormc" load "${models[@]}" --db "$url" "$f"
		check "$name: load $(basename "$(dirname "$f")")/$(basename "$f")" status_is 0
	done
	run "$ormc" run "${models[@]}" --db "$url" --format json \
		'User.objects.annotate(n=Count("blog_post_set")).order_by("id").values_list("username", "n")'
	check "$name: settings.AUTH_USER_MODEL resolves to auth.User, %(app_label)s_%(class)s_set its reverse name" \
		json_is '[["ann",1],["bob",1],["cid",0],["dee",0]]'
	run "$ormc" run "${models[@]}" --db "$url" --format json \
		'Post.objects.values_list("title", "product__store__name", "author__username")'
	check "$name: \"shop.Product\" joins the shop app's table; inherited Meta.ordering" \
		json_is '[["Second",null,"bob"],["First","North","ann"]]'
	run "$ormc" run "${models[@]}" --db "$url" --format json \
		'Comment.objects.values("post__title").annotate(n=Count("id"), last=Max("created")).order_by("post__title")'
	check "$name: fields inherited from an abstract base aggregate" \
		json_is '[{"post__title":"First","n":2,"last":"2024-01-04"}]'
	run "$ormc" run "${models[@]}" --db "$url" --format json \
		'Post.objects.order_by("id").values_list("meta", "cover")'
	check "$name: JSON as canonical text, binary as base64" \
		json_is '[["{\"n\":1,\"tags\":[\"a\",\"b\"]}","iVBORw0KGgo="],["{}",null]]'
	run "$ormc" run "${models[@]}" --db "$url" --format json \
		'Editor.objects.values("username", "desk", "user_ptr_id")'
	check "$name: multi-table inheritance across apps (user_ptr)" \
		json_is '[{"username":"ann","desk":"news","user_ptr_id":1}]'
	run "$ormc" run "${models[@]}" --db "$url" --format json \
		'User.objects.filter(editor__desk="news").count()'
	check "$name: the parent reaches its child by the reverse one-to-one" json_is '1'
}

# The table exactly as Django's migrate made it on the engine (made by the
# caller from tests/django_tables/ENGINE.sql): `ormc migrate` accepts it as
# it is (inet, jsonb, MariaDB's LONGTEXT JSON, ...), and it loads and reads.
django_tables() {   # NAME URL
	local name=$1 url=$2 dj=(--models "dj=$src/tests/django_tables/models.py")
	run "$ormc" migrate "${dj[@]}" --db "$url"
	check "$name: migrate accepts the table Django made, changing nothing" \
		bash -c '[ '"$status"' -eq 0 ] && grep -qF "No changes: every table exists and matches the models." "$0"' "$tmp/out"
	run "$ormc" load "${dj[@]}" --db "$url" "$src/tests/django_tables/fixture.json"
	check "$name: load into the table Django made" status_is 0
	run "$ormc" run "${dj[@]}" --db "$url" --format json \
		'Gadget.objects.filter(ip__startswith="192.").values_list("ip", "data", "blob", "big")'
	check "$name: an IP address matched by a pattern; JSON, binary, big unsigned read back" \
		json_is '[["192.168.0.1","{\"a\":\"x\",\"b\":[1,2]}","iVBORw0KGgo=",9000000000000000000]]'
	run "$ormc" run "${dj[@]}" --db "$url" --format json \
		'Gadget.objects.filter(ip="2001:db8::1").values_list("uid", flat=True)'
	check "$name: an IP address compared exactly; a UUID read back" \
		json_is '["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]'
	run "$ormc" inspect --db "$url" --app-label dj
	cp "$tmp/out" "$tmp/dj_inspected.py"
	check "$name: inspect reads Django's JSONField and BinaryField columns back as such" \
		bash -c 'grep -qF "data = models.JSONField(null=True)" "$0" && grep -qF "blob = models.BinaryField(null=True)" "$0"' "$tmp/dj_inspected.py"
	run "$ormc" run --models "dj=$tmp/dj_inspected.py" --db "$url" --format json \
		'Gadget.objects.order_by("id").values_list("ip", "data", "blob", "big")'
	check "$name: the inspected models read the same values" \
		json_is '[["192.168.0.1","{\"a\":\"x\",\"b\":[1,2]}","iVBORw0KGgo=",9000000000000000000],["2001:db8::1",null,null,0]]'
}

# ---- SQLite ----------------------------------------------------------------------

backend sqlite "sqlite:$tmp/blog.db"
sqlite3 "$tmp/dj.db" <"$src/tests/django_tables/sqlite.sql"
django_tables sqlite "sqlite:$tmp/dj.db"
# A BinaryField's bytes are a BLOB on SQLite, loaded or copied: as TEXT,
# Django's SQLite connection cannot decode them ("Could not decode to UTF-8").
run sqlite3 "$tmp/dj.db" "SELECT typeof(blob), hex(blob) FROM dj_gadget ORDER BY id"
check "sqlite: load stores a BinaryField's bytes as a BLOB" \
	bash -c '[ "$(tr "\n" " " <"$0")" = "blob|89504E470D0A1A0A null| " ]' "$tmp/out"
run "$ormc" migrate --models "dj=$src/tests/django_tables/models.py" --db "sqlite:$tmp/dj2.db"
run "$ormc" copy --models "dj=$src/tests/django_tables/models.py" --from "sqlite:$tmp/dj.db" --to "sqlite:$tmp/dj2.db"
run sqlite3 "$tmp/dj2.db" "SELECT typeof(blob), hex(blob) FROM dj_gadget ORDER BY id"
check "sqlite: copy stores a BinaryField's bytes as a BLOB" \
	bash -c '[ "$(tr "\n" " " <"$0")" = "blob|89504E470D0A1A0A null| " ]' "$tmp/out"
# A decimal SQLite cannot keep (more than 15 significant digits): refused
# by load, naming the object, rather than stored as another number.
printf 'from django.db import models\n\n\nclass Money(models.Model):\n    v = models.DecimalField(max_digits=30, decimal_places=10)\n' >"$tmp/money.py"
printf '[{"model": "m.money", "pk": 1, "fields": {"v": "123456789012345678.0123456789"}}]' >"$tmp/money.json"
run "$ormc" migrate --models "m=$tmp/money.py" --db "sqlite:$tmp/money.db"
run "$ormc" load --models "m=$tmp/money.py" --db "sqlite:$tmp/money.db" "$tmp/money.json"
check "sqlite: load refuses a decimal of 28 significant digits, which SQLite would round" \
	bash -c '[ '"$status"' -eq 2 ] && grep -qF "fixture object 1 (m.money): field '"'"'v'"'"'" "$0" && grep -qF "at most 15 significant digits" "$0"' "$tmp/err"
run "$ormc" sql "${models[@]}" --dialect postgresql 'Editor.objects.values("username", "desk")'
check "the child's table joins its parent's: blog_editor INNER JOIN auth_user" \
	grep -qF 'FROM "blog_editor" AS "T1" INNER JOIN "auth_user" AS "T2" ON ("T2"."id" = "T1"."user_ptr_id")' "$tmp/out"
run "$ormc" ddl "${models[@]}" --dialect postgresql
check "ddl: the parent link is the child's primary key" \
	grep -qF 'CREATE TABLE "blog_editor" ("user_ptr_id" integer NOT NULL PRIMARY KEY' "$tmp/out"
check "ddl: JSONField is jsonb, BinaryField bytea" \
	grep -qE '"meta" jsonb NOT NULL, "cover" bytea NULL' "$tmp/out"

# ---- errors ------------------------------------------------------------------------

sed '/^class Editor/,$d' "$tmp/blog.py" >"$tmp/blog1.py"
run "$ormc" sql --models "shop=$src/examples/shop/models.py" --models "blog=$tmp/blog1.py" --dialect sqlite 'Post.objects.count()'
check "no auth app: AUTH_USER_MODEL refers to a model that is not installed (exit 2)" \
	bash -c '[ '"$status"' -eq 2 ] && grep -qF "AUTH_USER_MODEL refers to model '"'"'auth.User'"'"' that has not been installed" "$0" && grep -qF "blog1.py" "$0"' "$tmp/err"
run "$ormc" sql --models "shop=$src/examples/shop/models.py" --models "blog=$tmp/blog.py" --dialect sqlite 'Post.objects.count()'
check "a model inheriting from a class of no models file is an error naming the class and line" \
	bash -c '[ '"$status"' -eq 2 ] && grep -qF "class '"'"'Editor'"'"' declares fields but its base class '"'"'User'"'"' is neither a model" "$0" && grep -qF "line 28" "$0"' "$tmp/err"
sed 's/"shop.Product"/"store.Product"/' "$tmp/blog.py" >"$tmp/blog2.py"
run "$ormc" sql "${models[@]:0:4}" --models "blog=$tmp/blog2.py" --dialect sqlite 'Post.objects.count()'
check "\"store.Product\": the app label must be the model's" \
	bash -c '[ '"$status"' -eq 2 ] && grep -qF "relation with model '"'"'store.Product'"'"'" "$0"' "$tmp/err"
# ---- Django's own contrib apps, as installed (python3-django) ----------------------

dj=$(for py in python3 /usr/bin/python3; do
	"$py" -c 'import django, os; print(os.path.dirname(django.__file__))' 2>/dev/null && break
done)
if [ -z "$dj" ] || [ ! -f "$dj/contrib/auth/models.py" ]; then
	echo "not ok - Django's contrib apps: python3-django is not installed"
	failed=$((failed + 1))
else
	c=$dj/contrib
	contrib=(--models "contenttypes=$c/contenttypes/models.py"
	         --models "auth=$c/auth/base_user.py" --models "auth=$c/auth/models.py"
	         --models "admin=$c/admin/models.py" --models "sites=$c/sites/models.py"
	         --models "flatpages=$c/flatpages/models.py")
	run "$ormc" ddl "${contrib[@]}" --dialect postgresql
	check "contrib.auth: User from AbstractUser(AbstractBaseUser, PermissionsMixin), Django's columns in Django's order" \
		grep -qF 'CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "password" varchar(128) COLLATE "C" NOT NULL, "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL, "username" varchar(150)' "$tmp/out"
	check "contrib.auth: the mixin's many-to-many tables auth_user_groups, auth_user_user_permissions" \
		bash -c 'grep -qF "CREATE TABLE \"auth_user_groups\"" "$0" && grep -qF "CREATE TABLE \"auth_user_user_permissions\"" "$0"' "$tmp/out"
	check "contrib.admin: LogEntry.user is a foreign key to auth_user (settings.AUTH_USER_MODEL)" \
		grep -qF '"user_id" integer NOT NULL REFERENCES "auth_user" ("id")' "$tmp/out"
	run "$ormc" migrate "${contrib[@]}" --db "sqlite:$tmp/contrib.db"
	check "contrib apps: migrate" status_is 0
	run "$ormc" run "${contrib[@]}" --db "sqlite:$tmp/contrib.db" --format json \
		'User.objects.filter(groups__permissions__codename="x").annotate(n=Count("logentry")).values("username", "n")'
	check "contrib apps: a query across auth's inherited many-to-manys and admin's reverse foreign key runs" json_is '[]'
	run "$ormc" sql --models "sessions=$c/sessions/models.py" --models "sessions=$c/sessions/base_session.py" \
		--dialect sqlite 'Session.objects.count()'
	check "contrib.sessions: a base declared in a models file given after the one that uses it" \
		grep -qF 'FROM "django_session"' "$tmp/out"
	run "$ormc" sql --models "sessions=$c/sessions/models.py" --dialect sqlite 'Session.objects.count()'
	check "contrib.sessions without base_session.py: Session has a model's Meta, so its unknown base is an error, not a class dropped" \
		bash -c '[ '"$status"' -eq 2 ] && grep -qF "class '"'"'Session'"'"' has a model'"'"'s Meta (db_table) but its base class '"'"'AbstractBaseSession'"'"'" "$0"' "$tmp/err"
	# Django's dumpdata --natural-foreign --natural-primary of contrib apps
	# (tests/django_tables/contrib_natural.json): a permission's key is its
	# codename and its content type's (app_label, model), from natural_key()
	run "$ormc" load "${contrib[@]}" --db "sqlite:$tmp/contrib.db" "$src/tests/django_tables/contrib_natural.json"
	check "contrib apps: a natural-key fixture loads (Installed 40 object(s), as Django's loaddata says)" \
		bash -c '[ '"$status"' -eq 0 ] && grep -qxF "Installed 40 object(s) from 1 fixture(s)" "$0"' "$tmp/out"
	run "$ormc" load "${contrib[@]}" --db "sqlite:$tmp/contrib.db" "$src/tests/django_tables/contrib_natural.json"
	check "contrib apps: loaded again, the natural keys find the rows" status_is 0
	run "$ormc" run "${contrib[@]}" --db "sqlite:$tmp/contrib.db" --format json \
		'Group.objects.values_list("name", "permissions__codename", "permissions__content_type__model").order_by("permissions__codename")'
	check "contrib apps: a group's permissions by (codename, app_label, model)" \
		json_is '[["editors","add_user","user"],["editors","change_group","group"]]'
	run "$ormc" run "${contrib[@]}" --db "sqlite:$tmp/contrib.db" --format json \
		'LogEntry.objects.values_list("user__username", "content_type__model", "user__user_permissions__codename")'
	check "contrib apps: a user by get_username(), once, after two loads" json_is '[["ann","user","delete_user"]]'
	run "$ormc" run "${contrib[@]}" --db "sqlite:$tmp/contrib.db" --format json 'Permission.objects.count()'
	check "contrib apps: no permission twice" json_is '28'
	# a custom user model (AUTH_USER_MODEL = "accounts.User"): auth.User is swapped out
	printf 'from django.contrib.auth.models import AbstractUser\nfrom django.db import models\n\n\nclass User(AbstractUser):\n    bio = models.TextField()\n' > "$tmp/accounts.py"
	run "$ormc" ddl "${contrib[@]}" --models "accounts=$tmp/accounts.py" --dialect postgresql
	check "a custom user model without --auth-user-model: two User models, and a hint" \
		bash -c '[ '"$status"' -eq 2 ] && grep -qF "give --auth-user-model accounts.User" "$0"' "$tmp/err"
	run "$ormc" ddl "${contrib[@]}" --models "accounts=$tmp/accounts.py" --auth-user-model accounts.User --dialect postgresql
	check "--auth-user-model accounts.User: no auth_user, the user's many-to-manys and admin's foreign key on accounts_user" \
		bash -c '[ '"$status"' -eq 0 ] && ! grep -qF "\"auth_user\"" "$0" && grep -qF "CREATE TABLE \"accounts_user_groups\"" "$0" && grep -qF "\"user_id\" integer NOT NULL REFERENCES \"accounts_user\" (\"id\")" "$0"' "$tmp/out"
	run "$ormc" dump "${contrib[@]}" --db "sqlite:$tmp/contrib.db" ContentType Group
	check "contrib apps: dump labels each model with its own app (contenttypes.contenttype, auth.group)" \
		bash -c '[ '"$status"' -eq 0 ] && grep -qF "{\"model\": \"contenttypes.contenttype\", \"pk\": 1," "$0" && grep -qF "{\"model\": \"auth.group\", \"pk\": 1," "$0"' "$tmp/out"
fi

printf 'class Base(models.Model):\n    class Meta:\n        abstract = True\n' >"$tmp/split1.py"
printf 'class Thing(Base):\n    n = models.IntegerField()\n' >"$tmp/split2.py"
run "$ormc" ddl --models "a=$tmp/split1.py" --models "a=$tmp/split2.py" --dialect sqlite
check "one app split over two files (one label twice)" \
	bash -c '[ '"$status"' -eq 0 ] && grep -qF "CREATE TABLE \"a_thing\"" "$0"' "$tmp/out"
run "$ormc" sql --app-label x "${models[@]}" --dialect sqlite 'Post.objects.count()'
check "--app-label with several --models is a usage error" status_is 2
printf 'from django.db import models\nfrom somewhere import Base\n\nclass Thing(Base, models.Model):\n    n = models.IntegerField()\n' >"$tmp/bad.py"
run "$ormc" sql --models "$tmp/bad.py" --dialect sqlite 'Thing.objects.count()'
check "a model with a base the reader cannot read is an error naming the class and line" \
	bash -c '[ '"$status"' -eq 2 ] && grep -qF "model '"'"'Thing'"'"' has a base class '"'"'Base'"'"'" "$0" && grep -qF "line 4" "$0"' "$tmp/err"
run "$ormc" run "${models[@]}" --db "sqlite:$tmp/blog.db" 'Authored.objects.count()'
check "a query on an abstract model is Django's error" \
	bash -c '[ '"$status"' -eq 2 ] && grep -qF "has no attribute '"'"'objects'"'"'" "$0"' "$tmp/err"
run "$ormc" run "${models[@]}" --db "sqlite:$tmp/blog.db" 'Post.objects.aggregate(Max("meta"))'
check "aggregating a JSONField other than Count is a clear error" \
	bash -c '[ '"$status"' -eq 2 ] && grep -qF "Max of a JSONField cannot be computed" "$0"' "$tmp/err"

# ---- PostgreSQL and MariaDB ------------------------------------------------------------

if selected postgresql; then
	pg=$(server_url postgresql ORMC_TEST_POSTGRES_URL)
	if [ -z "$pg" ]; then
		echo "not ok - PostgreSQL: no server (see servers_start)"
		failed=$((failed + 1))
	else
		psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS ormc_models WITH (FORCE)" -c "CREATE DATABASE ormc_models" >/dev/null
		pg_db=${pg%%\?*}
		backend postgresql "${pg_db%/*}/ormc_models"
		psql -q -X -v ON_ERROR_STOP=1 "${pg_db%/*}/ormc_models" -f "$src/tests/django_tables/postgresql.sql" >/dev/null
		django_tables postgresql "${pg_db%/*}/ormc_models"
		psql -q -X "$pg" -c "DROP DATABASE IF EXISTS ormc_models WITH (FORCE)" >/dev/null
	fi
else
	skipped=$((skipped + 1))
fi
if selected mysql; then
	my=$(server_url mysql ORMC_TEST_MYSQL_URL)
	re='^[a-z]+://([^:@/]*)(:([^@/]*))?@([^:/]*)(:([0-9]+))?/?'
	if [ -z "$my" ] || [[ ! $my =~ $re ]]; then
		echo "not ok - MariaDB: no server (see servers_start)"
		failed=$((failed + 1))
	else
		my_client() {
			MYSQL_PWD=${BASH_REMATCH[3]} mariadb --no-defaults -u"${BASH_REMATCH[1]}" \
				-h"${BASH_REMATCH[4]}" -P"${BASH_REMATCH[6]:-3306}" "$@"
		}
		my_client -e "DROP DATABASE IF EXISTS ormc_models; CREATE DATABASE ormc_models CHARACTER SET utf8mb4"
		my_db=${my%%\?*}
		backend mariadb "${my_db%/*}/ormc_models"
		my_client ormc_models <"$src/tests/django_tables/mysql.sql"
		django_tables mariadb "${my_db%/*}/ormc_models"
		my_client -e "DROP DATABASE IF EXISTS ormc_models"
	fi
else
	skipped=$((skipped + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || exit 77
exit 0
