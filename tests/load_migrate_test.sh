#!/usr/bin/env bash
# load_migrate_test.sh ORMC SOURCE_DIR WORK -- `ormc migrate` and `ormc load`
# on every backend: SQLite, PostgreSQL, MariaDB, and each of them through
# ODBC. With the models and fixtures of tests/loadmig:
#
#   migrate  creates the tables, then finds them and changes nothing; --sql
#            with a database prints only what would run; a table unlike the
#            models is reported (column, expected, found) and nothing is
#            created; a new model gets its table alone; the DDL has what
#            Django creates (timestamp with time zone, datetime(6), UNIQUE of
#            unique_together, indexes on foreign keys).
#   load     says "Installed N object(s) from 1 fixture(s)"; a dangling
#            foreign key or many-to-many key is refused with the same message
#            everywhere and nothing is written; a record whose key exists
#            updates the row and replaces its links; natural foreign and
#            primary keys are resolved, a missing one named; datetimes read
#            back alike everywhere.
#
# The servers are the test fixture's (ORMC_TEST_SERVERS_DIR/servers.env) or
# the user's (ORMC_TEST_POSTGRES_URL, ORMC_TEST_MYSQL_URL); the databases are
# created here (named ormc_loadmig, or $ORMC_LOADMIG_DB). A backend that
# cannot be reached fails the test.
set -u
ormc=$1 src=$2 work=$3
dir=$src/tests/loadmig
models=$dir/models.py
db=${ORMC_LOADMIG_DB:-ormc_loadmig}

selected() {
	local list=",${ORMC_TEST_BACKENDS:-all},"
	list=${list// /}
	[ "$list" = ",all," ] || [[ $list == *",$1,"* ]]
}
for b in sqlite postgresql mysql odbc; do
	if ! selected $b; then
		echo "load_migrate: needs every backend (ORMC_TEST_BACKENDS leaves out $b)"
		exit 77
	fi
done

. "$src/tests/servers_env.sh"
servers_env load_migrate || exit 1

rm -rf "$work"
mkdir -p "$work"
. "$src/tests/checks.sh"
json() {   # url query -> $out
	run "$ormc" run --format json --models "$models" --db "$1" "$2"
}

# The DDL, without a database.
run "$ormc" migrate --sql --models "$models" --dialect postgresql
expect "ddl postgresql" 0
has "ddl postgresql: DateTimeField is timestamp with time zone" '"placed_at" timestamp with time zone NOT NULL' "$out"
has "ddl postgresql: unique_together" 'UNIQUE ("label", "lang")' "$out"
has "ddl postgresql: unique=True" '"username" varchar(50) COLLATE "C" NOT NULL UNIQUE' "$out"
has "ddl postgresql: index on a foreign key" 'CREATE INDEX "order_customer_id_idx" ON "order" ("customer_id")' "$out"
run "$ormc" migrate --sql --models "$models" --dialect mysql
expect "ddl mysql" 0
has "ddl mysql: DateTimeField is datetime(6)" '`placed_at` datetime(6) NOT NULL' "$out"
has "ddl mysql: unique_together" 'UNIQUE (`label`, `lang`)' "$out"
run "$ormc" migrate --print --models "$models" --dialect sqlite
expect "migrate --print is still the same" 0
has "ddl sqlite: unique_together" 'UNIQUE ("label", "lang")' "$out"
has "ddl sqlite: index on a foreign key" 'CREATE INDEX "order_customer_id_idx"' "$out"

run "$ormc" load --sql --models "$models" --db "sqlite:$work/x.db" "$dir/base.json"
expect "--sql is for migrate only" 2 ""
has "... and says so" "--sql and --print are for migrate, not load" "$err"

# The databases.
psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
	-c "CREATE DATABASE $db" >/dev/null || { echo "load_migrate: cannot create $db on PostgreSQL" >&2; exit 1; }
my_client -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4" \
	|| { echo "load_migrate: cannot create $db on MariaDB" >&2; exit 1; }
names=(sqlite postgresql mysql)
urls=("sqlite:$work/native.db" "$pg_base/$db" "$my_base/$db")
odbc_urls=(
	"odbc:Driver={ormc-sqlite3};Database=$work/odbc.db;"
	"odbc:Driver={ormc-postgresql};Server=$pg_host;Port=$pg_port;Database=${db}_odbc;Uid=$pg_user;Pwd=$pg_pass;BoolsAsChar=0;"
	"odbc:Driver={ormc-mariadb};Server=$my_host;Port=$my_port;Database=${db}_odbc;User=$my_user;Password=$my_pass;"
)
psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS ${db}_odbc WITH (FORCE)" \
	-c "CREATE DATABASE ${db}_odbc" >/dev/null || exit 1
my_client -e "DROP DATABASE IF EXISTS ${db}_odbc; CREATE DATABASE ${db}_odbc CHARACTER SET utf8mb4" || exit 1
names+=(sqlite-odbc postgresql-odbc mysql-odbc)
urls+=("${odbc_urls[@]}")

orders='Order.objects.order_by("id").values("id", "customer__username", "placed_at", "note")'
tags='Order.objects.annotate(tags_n=Count("tags"), first_tag=Min("tags__label")).order_by("id").values("id", "tags_n", "first_tag")'
customers='Customer.objects.order_by("username").values_list("username", "name")'
counts='Order.objects.aggregate(orders=Count("id"), customers=Count("customer", distinct=True))'

for i in "${!urls[@]}"; do
	n=${names[$i]} u=${urls[$i]}

	run "$ormc" migrate --sql --models "$models" --db "$u"
	expect "$n: migrate --sql on an empty database prints the DDL" 0
	has "$n: migrate --sql: CREATE TABLE" 'CREATE TABLE' "$out"
	run "$ormc" migrate --models "$models" --db "$u"
	expect "$n: migrate creates the tables" 0 "$(printf 'Created table customer\nCreated table tag\nCreated table order\nCreated table order_tags')"
	run "$ormc" migrate --models "$models" --db "$u"
	expect "$n: a second migrate changes nothing" 0 "No changes: every table exists and matches the models."
	run "$ormc" migrate --sql --models "$models" --db "$u"
	expect "$n: migrate --sql then has nothing to do" 0 "-- No changes: every table exists and matches the models."

	run "$ormc" migrate --models "$dir/mismatch_models.py" --db "$u"
	expect "$n: a table unlike the models is an error" 1 ""
	has "$n: a missing column is named" 'ormc: table "customer": column "email" is missing (expected a text column)' "$err"
	has "$n: a nullability difference is named" 'ormc: table "customer", column "name": expected NULL allowed, found NOT NULL' "$err"
	has "$n: nothing changed" 'the database does not match the models (2 differences)' "$err"
	run "$ormc" migrate --models "$dir/mismatch_type_models.py" --db "$u"
	expect "$n: a type difference is an error" 1 ""
	has "$n: a type difference is named" 'ormc: table "order", column "placed_at": expected an integer column, found "' "$err"
	run "$ormc" migrate --sql --models "$dir/more_models.py" --db "$u"
	expect "$n: migrate --sql prints only the missing table" 0
	if [ "$(grep -c '^CREATE TABLE' "$work/out")" = 1 ]; then
		has "$n: ... which is coupon" 'CREATE TABLE' "$(grep coupon "$work/out")"
	else
		fail "$n: migrate --sql printed [$out]"
	fi

	run "$ormc" migrate --models "$dir/more_models.py" --db "$u"
	expect "$n: migrate creates only the new model's table" 0 "Created table coupon"

	run "$ormc" load --models "$models" --db "$u" "$dir/base.json"
	expect "$n: load" 0 "Installed 7 object(s) from 1 fixture(s)"
	[ -z "$err" ] && pass "$n: no progress line when stderr is not a terminal" \
		|| fail "$n: stderr [$err]"
	json "$u" "$counts"
	expect "$n: the rows are there" 0 "$(printf '{\n  "orders": 2,\n  "customers": 2\n}')"

	for bad in dangling_fk dangling_m2m; do
		run "$ormc" load --models "$models" --db "$u" "$dir/$bad.json"
		expect "$n: $bad is refused" 1 ""
	done
	run "$ormc" load --models "$models" --db "$u" "$dir/dangling_fk.json"
	has "$n: the dangling foreign key is named" "ormc: $dir/dangling_fk.json: error: Order pk=17: field 'customer' refers to Customer pk=999, which does not exist" "$err"
	run "$ormc" load --models "$models" --db "$u" "$dir/dangling_m2m.json"
	has "$n: the dangling many-to-many key is named" "error: Order pk=18: field 'tags' refers to Tag pk=77, which does not exist" "$err"
	json "$u" "$customers"
	expect "$n: nothing of a refused fixture is written" 0 "$(printf '[\n  ["alice", "Alice"],\n  ["bob", "Bob"]\n]')"

	# The issue's example: the shop, and one order of a product that is not there.
	shop=(--models "$src/examples/shop/models.py" --app-label shop --db "$u")
	run "$ormc" migrate "${shop[@]}"
	expect "$n: migrate the shop" 0
	run "$ormc" load "${shop[@]}" "$src/examples/shop/fixture.json"
	expect "$n: load the shop" 0 "Installed 14 object(s) from 1 fixture(s)"
	run "$ormc" load "${shop[@]}" "$dir/shop_dangling.json"
	expect "$n: an order of a missing product is refused" 1 ""
	has "$n: ... and named" "error: Order pk=8: field 'product' refers to Product pk=999, which does not exist (SQLSTATE 23503)" "$err"
	run "$ormc" run --format csv "${shop[@]}" 'Store.objects.aggregate(stores=Count("id"), orders=Count("products__orders"))'
	expect "$n: ... and nothing of it is written" 0 "$(printf 'stores,orders\n3,7')"

	run "$ormc" load --models "$models" --db "$u" "$dir/update.json"
	expect "$n: a record with an existing key" 0 "Installed 1 object(s) from 1 fixture(s)"
	run "$ormc" load --models "$models" --db "$u" "$dir/natural.json"
	expect "$n: natural keys" 0 "Installed 3 object(s) from 1 fixture(s)"
	run "$ormc" load --models "$models" --db "$u" "$dir/missing_natural.json"
	expect "$n: a natural key that matches nothing (bad input, as Django's DeserializationError)" 2 ""
	has "$n: ... is named" "fixture object 1 (shop.order): field 'customer': no Customer has the natural key [\"nobody\"]" "$err"
	run "$ormc" load --models "$models" --db "$u" "$dir/no_natural_key.json"
	expect "$n: a model without a natural key of that size" 2 ""
	has "$n: ... is named" "model Tag has no natural key of 1 value" "$err"

	json "$u" "$orders"
	expect "$n: updated and natural rows, datetimes as naive UTC" 0 "$(cat <<'EOF'
[
  {"id": 1, "customer__username": "bob", "placed_at": "2026-03-01T21:30:00", "note": "changed"},
  {"id": 2, "customer__username": "bob", "placed_at": "2026-03-02T08:00:00", "note": null},
  {"id": 3, "customer__username": "carol", "placed_at": "2026-03-03T12:00:00", "note": "natural"}
]
EOF
)"
	json "$u" "$tags"
	expect "$n: many-to-many links replaced and resolved" 0 "$(cat <<'EOF'
[
  {"id": 1, "tags_n": 1, "first_tag": "rot"},
  {"id": 2, "tags_n": 1, "first_tag": "rot"},
  {"id": 3, "tags_n": 2, "first_tag": "red"}
]
EOF
)"
	json "$u" "$customers"
	expect "$n: a natural primary key updates its row" 0 "$(printf '[\n  ["alice", "Alice Liddell"],\n  ["bob", "Bob"],\n  ["carol", "Carol"]\n]')"
	json "$u" 'Order.objects.filter(placed_at__gte=datetime(2026, 3, 2)).aggregate(n=Count("id"), last=Max("placed_at"))'
	expect "$n: datetimes compare as naive UTC" 0 "$(printf '{\n  "n": 2,\n  "last": "2026-03-03T12:00:00"\n}')"
done

# On a terminal, the progress line (script(1) gives the load a terminal).
"$ormc" migrate --models "$models" --db "sqlite:$work/tty.db" >/dev/null
tty_out=$(script -qec "'$ormc' load --models '$models' --db 'sqlite:$work/tty.db' '$dir/base.json'" /dev/null | tr '\r' '\n')
has "progress on a terminal" "loading: 7/7 objects (100%)" "$tty_out"
has "... then the Installed line" "Installed 7 object(s) from 1 fixture(s)" "$tty_out"

psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${db}_odbc WITH (FORCE)" >/dev/null
my_client -e "DROP DATABASE IF EXISTS $db; DROP DATABASE IF EXISTS ${db}_odbc"
if [ "$fails" -gt 0 ]; then
	echo "load_migrate: $fails failure(s)"
	exit 1
fi
echo "load_migrate: all passed"
