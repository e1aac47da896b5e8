#!/usr/bin/env bash
# compare_servers.sh ORMC SOURCE_DIR -- `ormc compare` between PostgreSQL and
# MariaDB: the shop example loaded into both gives no difference; after one
# row is changed on MariaDB the difference is printed and the status is 1.
#
# The servers are the test fixture's (tests/servers.sh, ORMC_TEST_SERVERS_DIR)
# or the user's (ORMC_TEST_POSTGRES_URL, ORMC_TEST_MYSQL_URL); the databases
# are created here with the psql and mariadb clients.
set -u
ormc=$1
src=$2

selected() {
	local list=",${ORMC_TEST_BACKENDS:-all},"
	list=${list// /}
	[ "$list" = ",all," ] || [[ $list == *",$1,"* ]]
}
if ! selected postgresql || ! selected mysql; then
	echo "compare_servers: needs postgresql and mysql (ORMC_TEST_BACKENDS)"
	exit 77
fi

server_url() {   # kind env-var
	local v=${!2:-}
	if [ -z "$v" ] && [ -n "${ORMC_TEST_SERVERS_DIR:-}" ] && [ -f "$ORMC_TEST_SERVERS_DIR/servers.env" ]; then
		v=$(sed -n "s/^$1=//p" "$ORMC_TEST_SERVERS_DIR/servers.env")
	fi
	echo "$v"
}
pg=$(server_url postgresql ORMC_TEST_POSTGRES_URL)
my=$(server_url mysql ORMC_TEST_MYSQL_URL)
if [ -z "$pg" ] || [ -z "$my" ]; then
	echo "compare_servers: no PostgreSQL or MariaDB server (see servers_start)" >&2
	exit 1
fi

# mysql://user:pass@host:port/db -> client options
re='^[a-z]+://([^:@/]*)(:([^@/]*))?@([^:/]*)(:([0-9]+))?/?'
if [[ ! $my =~ $re ]]; then
	echo "compare_servers: cannot read $my" >&2
	exit 1
fi
my_client() {
	MYSQL_PWD=${BASH_REMATCH[3]} mariadb --no-defaults -u"${BASH_REMATCH[1]}" \
		-h"${BASH_REMATCH[4]}" -P"${BASH_REMATCH[6]:-3306}" "$@"
}
db=ormc_compare
pg_db=${pg%%\?*}
pg_db=${pg_db%/*}/$db
my_db=${my%%\?*}
my_db=${my_db%/*}/$db

set -e
psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
my_client -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4"
models=$src/examples/shop/models.py
for url in "$pg_db" "$my_db"; do
	"$ormc" migrate --models "$models" --db "$url"
	"$ormc" load --models "$models" --db "$url" "$src/examples/shop/fixture.json"
done
set +e

queries=$(mktemp)
trap 'rm -f "$queries" "$queries.out"' EXIT
cat > "$queries" <<'Q'
Order.objects.values("product__store__city").annotate(n=Count("id"), revenue=Sum("total")).order_by("product__store__city")
Product.objects.annotate(sold=Sum("orders__quantity", default=0)).order_by("name", "id").values_list("name", "sold")
Order.objects.order_by("id").values("id", "status", "total", "created_at")
Q
status=0
"$ormc" compare --models "$models" --db "$pg_db" --db "$my_db" --file "$queries" > "$queries.out"
rc=$?
cat "$queries.out"
if [ $rc -ne 0 ] || ! grep -q '3 queries, 0 with differences' "$queries.out"; then
	echo "not ok - the same fixture on PostgreSQL and MariaDB compares equal (exit $rc)"
	status=1
else
	echo "ok - the same fixture on PostgreSQL and MariaDB compares equal"
fi

my_client "$db" -e "UPDATE \`order\` SET total = total + 1 WHERE id = 1"
"$ormc" compare --models "$models" --db "$pg_db" --db "$my_db" --file "$queries" > "$queries.out"
rc=$?
cat "$queries.out"
if [ $rc -ne 1 ] || ! grep -q 'column "total": db1' "$queries.out"; then
	echo "not ok - a changed row on MariaDB is printed, exit 1 (exit $rc)"
	status=1
else
	echo "ok - a changed row on MariaDB is printed, exit 1"
fi
psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
my_client -e "DROP DATABASE IF EXISTS $db" || true
exit $status
