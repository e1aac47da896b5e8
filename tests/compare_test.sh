#!/usr/bin/env bash
# compare_test.sh ORMC SOURCE_DIR -- `ormc compare` matches rows by the
# query's key and reports each difference once:
#
#   - an extra group in the middle of an unordered values().annotate() and an
#     extra row of an unordered values() are one "row only in db2" each;
#   - an ordered query with a row inserted in the middle: that row only,
#     and a changed row as a change of its column; ties on the ordering in
#     another order are no difference;
#   - floats that differ in the 16th digit are "equal within tolerance"
#     (exit 0, counted in the summary), --rel-tol 0 makes them a difference,
#     --rel-tol and --float-digits make a bigger difference pass;
#   - --format json, parsed and checked field by field;
#   - no progress on stderr when it is not a terminal, progress on a terminal;
#   - usage errors exit 2;
#   - SQLite, PostgreSQL and MariaDB loaded alike compare equal; one row
#     changed on PostgreSQL is reported as exactly that row; a MariaDB column
#     with a case-insensitive collation that a query groups by (or filters
#     with iexact) is a warning, one it only selects or compares exactly is not.
#
# SQLite files are made in a temporary directory; the servers are the test
# fixture's (tests/servers.sh, ORMC_TEST_SERVERS_DIR) or the user's
# (ORMC_TEST_POSTGRES_URL, ORMC_TEST_MYSQL_URL). A missing server fails the
# test; deselecting postgresql or mysql with ORMC_TEST_BACKENDS skips it (77).
set -u
ORMC=$1

selected() {
	local list=",${ORMC_TEST_BACKENDS:-all},"
	list=${list// /}
	[ "$list" = ",all," ] || [[ $list == *",$1,"* ]]
}
if ! selected sqlite || ! selected postgresql || ! selected mysql; then
	echo "compare_test: needs sqlite, postgresql and mysql (ORMC_TEST_BACKENDS)"
	exit 77
fi
for tool in python3 psql mariadb script; do
	if ! command -v "$tool" >/dev/null; then
		echo "compare_test: $tool is needed" >&2
		exit 1
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ormc-compare.XXXXXX") || exit 1
DBNAME=ormc_comparetest
cleanup() {
	if [ -n "${pg_admin:-}" ]; then
		psql -q -X "$pg_admin" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null 2>&1
	fi
	if [ -n "${my_ok:-}" ]; then
		my_client -e "DROP DATABASE IF EXISTS $DBNAME" >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

passed=0
failed=0
run() {
	last="$*"
	"$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	status=$?
}
pass() {
	passed=$((passed + 1))
	echo "ok - $1"
}
fail() {
	failed=$((failed + 1))
	echo "not ok - $1"
	echo "    command: $last"
	echo "    status:  $status"
	echo "    stdout:"
	sed -n '1,40s/^/      /p' "$TMP/out"
	echo "    stderr:"
	sed -n '1,20s/^/      /p' "$TMP/err"
}
# check NAME CONDITION...: the condition is a command run after run().
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
status_is() { [ "$status" -eq "$1" ]; }
out_has() { grep -qF -- "$1" "$TMP/out"; }
out_lacks() { ! grep -qF -- "$1" "$TMP/out"; }
# out_count PATTERN N: exactly N lines of stdout contain PATTERN
out_count() { [ "$(grep -cF -- "$1" "$TMP/out")" -eq "$2" ]; }
err_empty() { [ ! -s "$TMP/err" ]; }
# json_check PYTHON-EXPR: the expression is true of d, stdout parsed as JSON
json_check() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$TMP/out" "$1" 2>/dev/null
}

MODELS=$TMP/models.py
cat >"$MODELS" <<'EOF'
from django.db import models


class City(models.Model):
    name = models.CharField(max_length=50)
    country = models.CharField(max_length=50)
    population = models.IntegerField()
    area = models.FloatField()
    budget = models.DecimalField(max_digits=12, decimal_places=2)
EOF

# fixture FILE ROW...: a fixture of cities "pk name country population area budget"
fixture() {
	local file=$1
	shift
	python3 - "$@" >"$file" <<'EOF'
import json, sys
rows = []
for spec in sys.argv[1:]:
    pk, name, country, pop, area, budget = spec.split()
    rows.append({"model": "app.city", "pk": int(pk), "fields": {
        "name": name, "country": country, "population": int(pop),
        "area": float(area), "budget": budget}})
json.dump(rows, sys.stdout)
EOF
}
BASE=("1 Lyon FR 500 47.87 10.50" "2 Paris FR 2100 105.4 99.00" "3 Bonn DE 300 141.1 5.00"
      "4 Koeln DE 1000 405.0 7.25" "5 Rome IT 2800 1285.0 8.00")
fixture "$TMP/a.json" "${BASE[@]}"
# b: one more city, Madrid (a new country, and a name in the middle of the alphabet)
fixture "$TMP/b.json" "${BASE[@]}" "7 Madrid ES 3200 604.3 3.10"
# c: Paris's population changed
fixture "$TMP/c.json" "1 Lyon FR 500 47.87 10.50" "2 Paris FR 2101 105.4 99.00" "${BASE[@]:2}"
# d: Koeln before Bonn (ids swapped): ties on country come in another order
fixture "$TMP/d.json" "1 Lyon FR 500 47.87 10.50" "2 Paris FR 2100 105.4 99.00" \
	"3 Koeln DE 1000 405.0 7.25" "4 Bonn DE 300 141.1 5.00" "5 Rome IT 2800 1285.0 8.00"
# e: Lyon's area one unit in the last place bigger (differs in the 16th digit)
# f: Lyon's area 47.8700001 (a relative difference of 2e-9)
fixture "$TMP/e.json" "1 Lyon FR 500 47.870000000000005 10.50" "${BASE[@]:1}"
fixture "$TMP/f.json" "1 Lyon FR 500 47.8700001 10.50" "${BASE[@]:1}"
python3 -c 'import sys; assert repr(47.870000000000005) != repr(47.87)' || exit 1

set -e
for x in a b c d e f; do
	"$ORMC" migrate --models "$MODELS" --db "sqlite:$TMP/$x.db" >/dev/null
	"$ORMC" load --models "$MODELS" --db "sqlite:$TMP/$x.db" "$TMP/$x.json" >/dev/null
done
set +e
A=sqlite:$TMP/a.db B=sqlite:$TMP/b.db C=sqlite:$TMP/c.db D=sqlite:$TMP/d.db
E=sqlite:$TMP/e.db F=sqlite:$TMP/f.db

# ---- rows matched by key ------------------------------------------------------

GROUPED='City.objects.values("country").annotate(n=Count("id"), pop=Sum("population"))'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$B" "$GROUPED"
check "an extra group is a difference (exit 1)" status_is 1
check "the extra group is reported once, as a row only in db2" \
	out_has 'row only in db2: {"country": "ES", "n": 1, "pop": 3200}'
check "no other group is reported" out_count 'row' 2
check "the other groups are not reported as changed" out_lacks 'column'
check "rows are counted" out_has 'rows: db1 3, db2 4'

run "$ORMC" compare --models "$MODELS" --db "$B" --db "$A" 'City.objects.values("name", "country")'
check "unordered values(): the extra row once, only in db1" \
	out_has 'row only in db1: {"name": "Madrid", "country": "ES"}'
check "unordered values(): nothing else" out_count 'only in' 1

run "$ORMC" compare --models "$MODELS" --db "$A" --db "$C" "$GROUPED"
check "a changed group is a change of its column, named by its key" \
	out_has 'row {"country": "FR"}, column "pop": db1 2600, db2 2601'
check "a changed group: one line" out_count 'row ' 1

# ---- ordered queries ------------------------------------------------------------

ORDERED='City.objects.order_by("name").values_list("name", "population")'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$B" "$ORDERED"
check "ordered, a row inserted in the middle: exit 1" status_is 1
check "ordered: the inserted row is reported at its position" \
	out_has 'row 4 only in db2: {"name": "Madrid", "population": 3200}'
check "ordered: the rows after it are not reported" out_count 'row ' 1

run "$ORMC" compare --models "$MODELS" --db "$A" --db "$C" "$ORDERED"
check "ordered: a changed row is its column, at its position" \
	out_has 'row 4, column "population": db1 2100, db2 2101'
check "ordered: only that row" out_count 'row ' 1

run "$ORMC" compare --models "$MODELS" --db "$A" --db "$D" \
	'City.objects.order_by("country").values_list("country", "name", "population")'
check "ordered: rows that tie on the ordering, in another order, are equal" status_is 0
check "ordered ties: no difference" out_has '1 query, 0 with differences'

run "$ORMC" compare --models "$MODELS" --db "$A" --db "$C" --db "$B" 'City.objects.order_by("id")'
check "three databases: db2's change and db3's extra row" status_is 1
check "three databases: the change on db2" out_has 'row 2, column "population": db1 2100, db2 2101'
check "three databases: the extra row on db3" out_has 'row 6 only in db3 (not in db1): {"id": 7, "name": "Madrid"'

# ---- floats -----------------------------------------------------------------------

FLOATS='City.objects.order_by("id").values("name", "area")'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$E" "$FLOATS"
check "floats differing in the 16th digit: exit 0" status_is 0
check "... reported as equal within tolerance" \
	out_has 'row 1, column "area": db1 47.87, db2 47.870000000000005: equal within tolerance'
check "... counted separately in the summary" \
	out_has '1 query, 0 with differences, 1 equal within tolerance'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$E" --rel-tol 0 "$FLOATS"
check "--rel-tol 0: the 16th digit is a difference" status_is 1
check "--rel-tol 0: the row" out_has 'row 1, column "area": db1 47.87, db2 47.870000000000005'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$F" "$FLOATS"
check "a difference at the 9th digit is a difference by default" status_is 1
check "... printed" out_has 'row 1, column "area": db1 47.87, db2 47.8700001'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$F" --rel-tol 1e-8 "$FLOATS"
check "--rel-tol 1e-8 makes it pass (exit 0)" status_is 0
check "--rel-tol 1e-8: equal within tolerance" \
	out_has 'row 1, column "area": db1 47.87, db2 47.8700001: equal within tolerance'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$F" --float-digits 8 "$FLOATS"
check "--float-digits 8 makes it pass (exit 0)" status_is 0
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$E" 'City.objects.aggregate(s=Sum("area"), m=Max("budget"))'
check "an aggregate of floats within tolerance: exit 0" status_is 0

# ---- JSON -------------------------------------------------------------------------

printf '%s\n' "$GROUPED" "$FLOATS" 'City.objects.count()' >"$TMP/queries.txt"
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$B" --db "$E" --format json --file "$TMP/queries.txt"
check "json: exit 1 (a difference)" status_is 1
check "json: parses" json_check 'True'
check "json: databases" json_check '[x["name"] for x in d["databases"]] == ["db1", "db2", "db3"] and d["databases"][0]["dialect"] == "sqlite"'
check "json: tolerance" json_check 'd["float_digits"] == 15 and d["rel_tol"] == 1e-15'
check "json: three queries" json_check 'len(d["queries"]) == 3 and [q["query"] for q in d["queries"]] == [1, 2, 3]'
check "json: query 1 is different, matched by its key" \
	json_check 'd["queries"][0]["text"].startswith("City.objects.values(\"country\")") and d["queries"][0]["status"] == "different" and d["queries"][0]["rows_matched_by"] == "key" and d["queries"][0]["key"] == ["country"]'
check "json: query 1 rows per database" json_check 'd["queries"][0]["rows"] == {"db1": 3, "db2": 4, "db3": 3}'
check "json: query 1 has one difference: ES only in db2" \
	json_check 'd["queries"][0]["differences_total"] == 1 and d["queries"][0]["differences"] == [{"kind": "only_in", "db": "db2", "other": "db1", "row": d["queries"][0]["differences"][0]["row"], "values": {"country": "ES", "n": 1, "pop": 3200}}]'
check "json: query 2 (db2 has Madrid, db3 Lyon's area within tolerance) is different, by position" \
	json_check 'd["queries"][1]["status"] == "different" and d["queries"][1]["rows_matched_by"] == "position" and d["queries"][1]["key"] is None'
check "json: query 2's difference is Madrid at row 6 of db2" \
	json_check 'd["queries"][1]["differences"] == [{"kind": "only_in", "db": "db2", "other": "db1", "row": 6, "values": {"name": "Madrid", "area": 604.3}}]'
check "json: query 2's value within tolerance, column by column" \
	json_check 'd["queries"][1]["within_tolerance_total"] == 1 and d["queries"][1]["within_tolerance"] == [{"db": "db3", "rows": {"db1": 1, "db3": 1}, "key": None, "columns": [{"column": "area", "db1": 47.87, "db3": 47.870000000000005}]}]'
check "json: query 3 (count) is one row, changed on db2" \
	json_check 'd["queries"][2]["status"] == "different" and d["queries"][2]["rows_matched_by"] == "one" and d["queries"][2]["differences"] == [{"kind": "changed", "db": "db2", "rows": {"db1": 1, "db2": 1}, "key": None, "columns": [{"column": "count", "db1": 5, "db2": 6}]}]'
check "json: summary" json_check 'd["summary"] == {"queries": 3, "different": 3, "equal_within_tolerance": 0, "failed": 0}'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$E" --format json "$FLOATS"
check "json: equal within tolerance is its own status, exit 0" \
	json_check 'd["queries"][0]["status"] == "equal_within_tolerance" and d["summary"] == {"queries": 1, "different": 0, "equal_within_tolerance": 1, "failed": 0}'
check "json: exit 0 when equal within tolerance" status_is 0

# ---- progress ----------------------------------------------------------------------

run "$ORMC" compare --models "$MODELS" --db "$A" --db "$B" --file "$TMP/queries.txt"
check "no progress when stderr is not a terminal" err_empty
# On a terminal (script(1) gives one), "[i/n] running on dbK (dialect)..." on stderr.
run script -qec "'$ORMC' compare --models '$MODELS' --db '$A' --db '$B' --file '$TMP/queries.txt' >/dev/null" /dev/null
check "progress per query on a terminal" out_has '[3/3] running on db2 (sqlite)...'

# ---- usage -------------------------------------------------------------------------

run "$ORMC" compare --models "$MODELS" --db "$A" --db "$B" --format csv "$GROUPED"
check "compare --format csv is refused (exit 2)" status_is 2
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$B" --float-digits 0 "$GROUPED"
check "--float-digits 0 is refused (exit 2)" status_is 2
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$B" --float-digits 10 --rel-tol 1e-6 "$GROUPED"
check "--float-digits and --rel-tol together are refused (exit 2)" status_is 2
run "$ORMC" run --models "$MODELS" --db "$A" --rel-tol 1e-6 "$GROUPED"
check "--rel-tol is for compare only (exit 2)" status_is 2

# ---- PostgreSQL and MariaDB -----------------------------------------------------------

server_url() {   # kind env-var
	local v=${!2:-}
	if [ -z "$v" ] && [ -n "${ORMC_TEST_SERVERS_DIR:-}" ] && [ -f "$ORMC_TEST_SERVERS_DIR/servers.env" ]; then
		v=$(sed -n "s/^$1=//p" "$ORMC_TEST_SERVERS_DIR/servers.env")
	fi
	echo "$v"
}
pg_admin=$(server_url postgresql ORMC_TEST_POSTGRES_URL)
my=$(server_url mysql ORMC_TEST_MYSQL_URL)
re='^[a-z]+://([^:@/]*)(:([^@/]*))?@([^:/]*)(:([0-9]+))?/?'
if [ -z "$pg_admin" ] || [ -z "$my" ] || [[ ! $my =~ $re ]]; then
	echo "not ok - no PostgreSQL or MariaDB server (see servers_start)"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
my_user=${BASH_REMATCH[1]} my_pass=${BASH_REMATCH[3]} my_host=${BASH_REMATCH[4]} my_port=${BASH_REMATCH[6]:-3306}
my_client() {
	MYSQL_PWD=$my_pass mariadb --no-defaults -u"$my_user" -h"$my_host" -P"$my_port" "$@"
}
PG=${pg_admin%%\?*}
PG=${PG%/*}/$DBNAME
MY=${my%%\?*}
MY=${MY%/*}/$DBNAME
setup_ok=1
psql -q -X -v ON_ERROR_STOP=1 "$pg_admin" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" -c "CREATE DATABASE $DBNAME" || setup_ok=0
my_client -e "DROP DATABASE IF EXISTS $DBNAME; CREATE DATABASE $DBNAME CHARACTER SET utf8mb4" && my_ok=1 || setup_ok=0
for url in "$PG" "$MY"; do
	"$ORMC" migrate --models "$MODELS" --db "$url" >/dev/null &&
		"$ORMC" load --models "$MODELS" --db "$url" "$TMP/a.json" >/dev/null || setup_ok=0
done
if [ $setup_ok -ne 1 ]; then
	echo "not ok - create and load the PostgreSQL and MariaDB databases"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi

printf '%s\n' "$GROUPED" "$ORDERED" 'City.objects.aggregate(a=Avg("area"), s=Sum("budget"))' \
	'City.objects.values("name", "area", "budget")' >"$TMP/servers.txt"
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$PG" --db "$MY" --file "$TMP/servers.txt"
check "SQLite, PostgreSQL and MariaDB loaded alike: exit 0" status_is 0
check "... no difference" out_has '4 queries, 0 with differences'
check "... no collation warning for tables made by ormc migrate" out_lacks 'warning'

psql -q -X "$PG" -c "UPDATE city SET budget = 99.01 WHERE id = 2" || fail "change a row on PostgreSQL"
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$PG" --db "$MY" --file "$TMP/servers.txt"
check "one row changed on PostgreSQL: exit 1" status_is 1
check "... the unordered values() reports that row once" \
	out_has 'row only in db2: {"name": "Paris", "area": 105.4, "budget": "99.01"}'
check "... and the row of db1 it replaced (no key: not paired as a change)" \
	out_has 'row only in db1: {"name": "Paris", "area": 105.4, "budget": "99.00"}'
check "... and nothing else for that query" out_count 'only in' 2
check "... the aggregate's sum" out_has 'row 1, column "s": db1 "129.75", db2 "129.76"'
check "... two queries differ, nothing about MariaDB" out_has '4 queries, 2 with differences'
check "... nothing about MariaDB" out_lacks 'db3 '

my_client "$DBNAME" -e "ALTER TABLE city MODIFY country varchar(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL"
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$MY" "$GROUPED"
check "a case-insensitive grouping column on MariaDB: still exit 0" status_is 0
check "... warned about, with its collation" \
	out_has 'warning: db2: column city.country has the case-insensitive collation utf8mb4_general_ci'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$MY" 'City.objects.order_by("name").values("name", "country")'
check "a query that does not group, order or compare by it: no warning" out_lacks 'warning'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$MY" 'City.objects.filter(country="FR").count()'
check "an exact filter (binary on MySQL): no warning" out_lacks 'warning'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$MY" 'City.objects.filter(country__iexact="fr").count()'
check "a case-insensitive lookup (LIKE under the collation): warned about" \
	out_has 'warning: db2: column city.country has the case-insensitive collation utf8mb4_general_ci'
run "$ORMC" compare --models "$MODELS" --db "$A" --db "$MY" --format json "$GROUPED"
check "json: the collation warning" \
	json_check 'd["queries"][0]["notes"] == [{"kind": "collation", "db": "db2", "table": "city", "column": "country", "collation": "utf8mb4_general_ci"}]'

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
