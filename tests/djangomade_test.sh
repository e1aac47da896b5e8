#!/usr/bin/env bash
# djangomade_test.sh ORMC SOURCE_DIR -- ormc on tables Django made, as a
# team moving a Django project from MariaDB to PostgreSQL runs it
# (tests/djangomade: UUID keys, BigAutoField and SmallAutoField, tables
# named by SQL keywords, a db_column with a space, a foreign key cycle, a
# many-to-many through a model of its own, decimals of 10 places, a model
# with Meta.managed = False on a view, field classes of the project's own):
#   - Django 3.2 makes the tables on MariaDB and PostgreSQL and writes the
#     rows on MariaDB (tests/djangomade/django_side.py);
#   - `ormc copy` MariaDB -> PostgreSQL (not into the view); Django's
#     dumpdata of the two is the same;
#   - `ormc dump` of each is byte for byte Django's dumpdata (decimals
#     such as "0E-10" and "-1E-10" included);
#   - `ormc migrate` finds nothing to change (the through model's table is
#     the relation's, not a table of its own; the view is not its business);
#   - a copy into SQLite of a decimal of 28 digits is refused (SQLite
#     would keep 15);
#   - `ormc compare` of aggregates over the through relation finds no
#     difference between the two, and `ormc run` counts what Django counts.
#
# A missing server, or python3-django, is a failure, never a skip.
set -u
export PGOPTIONS="-c client_min_messages=warning"
ormc=$1
src=$2

. "$src/tests/servers_env.sh"
servers_env djangomade_test || exit 1
pgdb=$pg_base/ormc_dm_dst
mydb=$my_base/ormc_dm_src

tmp=$(mktemp -d)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
cleanup() {
	psql -q -X "$pg" -c "DROP DATABASE IF EXISTS ormc_dm_dst WITH (FORCE)" >/dev/null 2>&1
	my_client -e "DROP DATABASE IF EXISTS ormc_dm_src" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
django() { /usr/bin/python3 "$src/tests/djangomade/django_side.py" "$src" "$tmp" "$pg" "$my" "$@"; }

m=(--models "$src/tests/djangomade/models.py" --app-label djangomade)

if ! django make >/dev/null; then
	fail "Django makes the tables and the rows"
	echo "1..$n"
	exit 1
fi
ok "Django makes the tables and the rows"

if "$ormc" copy "${m[@]}" --from "$mydb" --to "$pgdb" > "$tmp/copy.out"; then
	ok "copy MariaDB -> PostgreSQL: $(cat "$tmp/copy.out")"
else
	fail "copy MariaDB -> PostgreSQL"
fi

django dumpdata mysql > "$tmp/dj_my.json" && django dumpdata postgresql > "$tmp/dj_pg.json"
if [ -s "$tmp/dj_my.json" ] && cmp -s "$tmp/dj_my.json" "$tmp/dj_pg.json"; then
	ok "Django's dumpdata of the copy is the source's"
else
	fail "Django's dumpdata of the copy is the source's"
	cmp "$tmp/dj_my.json" "$tmp/dj_pg.json"
fi
if grep -qF '{"model": "djangomade.groupsize", "pk": 1, "fields": {"n": 4}}' "$tmp/dj_pg.json" &&
	! "$ormc" ddl "${m[@]}" --dialect postgresql | grep -q group_size; then
	ok "the view's rows are in the dump, and no table is made for it"
else
	fail "the view's rows are in the dump, and no table is made for it"
fi
if grep -q '"balance": "0E-10"' "$tmp/dj_my.json" && grep -q '"total": "-1E-10"' "$tmp/dj_my.json"; then
	ok "Django writes decimals of 10 places as 0E-10 and -1E-10"
else
	fail "Django writes decimals of 10 places as 0E-10 and -1E-10"
fi

for e in my pg; do
	url=$mydb
	[ $e = pg ] && url=$pgdb
	if "$ormc" dump "${m[@]}" --db "$url" > "$tmp/ormc_$e.json" && cmp -s "$tmp/dj_$e.json" "$tmp/ormc_$e.json"; then
		ok "$e: ormc dump is byte for byte Django's dumpdata"
	else
		fail "$e: ormc dump is byte for byte Django's dumpdata"
		cmp "$tmp/dj_$e.json" "$tmp/ormc_$e.json"
	fi
	if "$ormc" migrate "${m[@]}" --db "$url" > "$tmp/mig_$e.out" 2>&1 && grep -q "^No changes" "$tmp/mig_$e.out"; then
		ok "$e: migrate finds the tables Django made as the models say"
	else
		fail "$e: migrate finds the tables Django made as the models say"
		cat "$tmp/mig_$e.out"
	fi
done

# SQLite keeps 15 significant digits of a decimal: a copy that would change
# 123456789012345678.0123456789 is refused, nothing written
sq=sqlite:$tmp/target.db
if "$ormc" migrate "${m[@]}" --db "$sq" > /dev/null &&
	! "$ormc" copy "${m[@]}" --from "$mydb" --to "$sq" 2> "$tmp/sq.err" &&
	grep -qF 'column "balance": 123456789012345678.0123456789 has more significant digits than SQLite keeps' "$tmp/sq.err" &&
	[ "$(sqlite3 "$tmp/target.db" 'SELECT COUNT(*) FROM djangomade_account')" = 0 ]; then
	ok "copy into SQLite refuses a decimal it would change"
else
	fail "copy into SQLite refuses a decimal it would change"
	cat "$tmp/sq.err"
fi

# the label of --models LABEL=FILE, not the file's directory
mkdir -p "$tmp/elsewhere"
cp "$src/tests/djangomade/models.py" "$tmp/elsewhere/models.py"
if "$ormc" dump --models "djangomade=$tmp/elsewhere/models.py" --db "$pgdb" | cmp -s - "$tmp/dj_pg.json"; then
	ok "dump --models LABEL=FILE labels the models LABEL"
else
	fail "dump --models LABEL=FILE labels the models LABEL"
fi

cat > "$tmp/queries" <<'Q'
Group.objects.annotate(n=Count("members"), guests=Count("membership", filter=Q(membership__role="guest"))).order_by("id").values_list("name", "n", "guests")
User.objects.annotate(groups=Count("member_of")).order_by("id").values_list("login", "groups", "account__balance")
Group.objects.filter(members__account__active=True).aggregate(n=Count("id"), logins=Count("members__login", distinct=True))
Order.objects.values("tags__name").annotate(n=Count("id"), s=Sum("total")).order_by("tags__name")
Account.objects.aggregate(Sum("balance"), Min("balance"), Max("balance"), Sum("fee"), Count("code"))
GroupSize.objects.order_by("group__name").values_list("group__name", "n")
Q
if "$ormc" compare "${m[@]}" --db "$mydb" --db "$pgdb" --file "$tmp/queries" > "$tmp/compare.out"; then
	ok "compare MariaDB and PostgreSQL: no difference"
else
	fail "compare MariaDB and PostgreSQL: no difference"
	cat "$tmp/compare.out"
fi
# root: users 0 and 3 (admin), 1 and 5 (guest); child: 1, 4, 3 (guest); leaf: 2, 5
got=$("$ormc" run "${m[@]}" --db "$pgdb" --format csv \
	'Group.objects.annotate(n=Count("members")).order_by("id").values_list("name", "n")' | tr '\r\n' ' ')
if [ "$got" = "name,n root,4 child,3 leaf,2 " ]; then
	ok "Count over the through relation counts the memberships"
else
	fail "Count over the through relation counts the memberships: $got"
fi

# an intermediate model without the foreign keys the relation needs
cat > "$tmp/bad.py" <<'PY'
from django.db import models
class Person(models.Model):
    name = models.CharField(max_length=10)
class Team(models.Model):
    people = models.ManyToManyField(Person, through="Seat")
class Seat(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    first = models.ForeignKey(Person, on_delete=models.CASCADE)
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
PY
"$ormc" sql --models "$tmp/bad.py" --dialect postgresql 'Team.objects.count()' > /dev/null 2> "$tmp/bad.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "more than one foreign key to 'Person'" "$tmp/bad.err"; then
	ok "two foreign keys to the target without through_fields: an error"
else
	fail "two foreign keys to the target without through_fields: an error (exit $rc)"
	cat "$tmp/bad.err"
fi
sed -i 's/through="Seat")/through="Seat", through_fields=("team", "second"))/' "$tmp/bad.py"
if "$ormc" sql --models "$tmp/bad.py" --dialect postgresql 'Team.objects.annotate(n=Count("people")).values("n")' \
	2> "$tmp/bad.err" | grep -q '"second_id"'; then
	ok "through_fields picks the target's foreign key"
else
	fail "through_fields picks the target's foreign key"
	cat "$tmp/bad.err"
fi
sed -i 's/through_fields=("team", "second")/through_fields=("team", "third")/' "$tmp/bad.py"
"$ormc" sql --models "$tmp/bad.py" --dialect postgresql 'Team.objects.count()' > /dev/null 2> "$tmp/bad.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "foreign key to 'Person' named by through_fields" "$tmp/bad.err"; then
	ok "through_fields naming no foreign key: an error"
else
	fail "through_fields naming no foreign key: an error (exit $rc)"
	cat "$tmp/bad.err"
fi

# a field class whose get_prep_value() changes what Django writes and compares
cat > "$tmp/lower.py" <<'PY'
from django.db import models
class LowerField(models.CharField):
    def get_prep_value(self, value):
        return value.lower()
class Code(models.Model):
    code = LowerField(max_length=10)
PY
"$ormc" sql --models "$tmp/lower.py" --dialect postgresql 'Code.objects.count()' > /dev/null 2> "$tmp/bad.err"
rc=$?
if [ $rc -eq 2 ] && grep -qF "is a LowerField, whose get_prep_value() changes the values" "$tmp/bad.err"; then
	ok "a field class that changes values: an error naming the method"
else
	fail "a field class that changes values: an error naming the method (exit $rc)"
	cat "$tmp/bad.err"
fi

# Meta.managed = False of an abstract base, inherited as Python finds Meta
cat > "$tmp/ro.py" <<'PY'
from django.db import models
class ReadOnly(models.Model):
    class Meta:
        abstract = True
        managed = False
class V(ReadOnly):
    n = models.IntegerField()
    class Meta(ReadOnly.Meta):
        db_table = "v_view"
class W(ReadOnly):
    n = models.IntegerField()
class T(ReadOnly):
    n = models.IntegerField()
    class Meta:
        db_table = "t"
PY
if [ "$("$ormc" ddl --models "$tmp/ro.py" --dialect sqlite | grep -o 'CREATE TABLE "[a-z_]*"' | tr '\n' ' ')" = 'CREATE TABLE "t" ' ]; then
	ok "an abstract base's managed = False: no table for its subclasses, but one with its own Meta"
else
	fail "an abstract base's managed = False: no table for its subclasses, but one with its own Meta"
fi

# a foreign key class of another package: an error, never a column left out;
# declared in a models file (given before or after), it is read as its base
cat > "$tmp/tree.py" <<'PY'
from django.db import models
from mptt.models import TreeForeignKey
class Node(models.Model):
    parent = TreeForeignKey("self", null=True, on_delete=models.CASCADE)
PY
printf 'from django.db import models\nclass TreeForeignKey(models.ForeignKey):\n    pass\n' > "$tmp/shim.py"
"$ormc" ddl --models "$tmp/tree.py" --dialect sqlite > "$tmp/tree.out" 2> "$tmp/bad.err"
rc=$?
if [ $rc -eq 2 ] && grep -qF "unknown field type 'TreeForeignKey'" "$tmp/bad.err" &&
	"$ormc" ddl --models "t=$tmp/shim.py" --models "t=$tmp/tree.py" --dialect sqlite | grep -qF '"parent_id" integer NULL REFERENCES "t_node"' &&
	"$ormc" ddl --models "t=$tmp/tree.py" --models "t=$tmp/shim.py" --dialect sqlite | grep -qF '"parent_id" integer NULL REFERENCES "t_node"'; then
	ok "TreeForeignKey: an error, and read as a ForeignKey once declared"
else
	fail "TreeForeignKey: an error, and read as a ForeignKey once declared (exit $rc)"
	cat "$tmp/tree.out" "$tmp/bad.err"
fi

echo "1..$n"
[ $failed -eq 0 ]
