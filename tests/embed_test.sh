#!/usr/bin/env bash
# embed_test.sh ORMC REVENUE REVENUE_CXX SOURCE_DIR WORK -- the embedding
# examples (examples/embed) on every backend: SQLite, PostgreSQL, MariaDB,
# and PostgreSQL and MariaDB through ODBC. Each runs one prepared statement
# with 12 parameter sets from 8 threads; both programs must print, on every
# backend, what `ormc run --param` prints for the same values.
#
# The servers are the test fixture's (ORMC_TEST_SERVERS_DIR/servers.env).
set -euo pipefail
ormc=$1 revenue=$2 revenue_cxx=$3 src=$4 work=$5

env_file=${ORMC_TEST_SERVERS_DIR:?no ORMC_TEST_SERVERS_DIR}/servers.env
pg=$(sed -n 's/^postgresql=//p' "$env_file")
my=$(sed -n 's/^mysql=//p' "$env_file")
models=$src/examples/shop/models.py
fixture=$src/examples/shop/fixture.json
db=ormc_embed
mkdir -p "$work"

# Databases with the shop example.
re='^[a-z]+://([^:@/]*)(:([^@/]*))?@([^:/]*)(:([0-9]+))?/?'
[[ $pg =~ $re ]]
pg_user=${BASH_REMATCH[1]} pg_pass=${BASH_REMATCH[3]} pg_host=${BASH_REMATCH[4]} pg_port=${BASH_REMATCH[6]:-5432}
[[ $my =~ $re ]]
my_user=${BASH_REMATCH[1]} my_pass=${BASH_REMATCH[3]} my_host=${BASH_REMATCH[4]} my_port=${BASH_REMATCH[6]:-3306}
psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
MYSQL_PWD=$my_pass mariadb --no-defaults -u"$my_user" -h"$my_host" -P"$my_port" \
	-e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4"
rm -f "$work/shop.db"
urls=(
	"sqlite:$work/shop.db"
	"${pg%/*}/$db"
	"${my%/*}/$db"
	"odbc:Driver={ormc-postgresql};Server=$pg_host;Port=$pg_port;Database=$db;Uid=$pg_user;Pwd=$pg_pass;BoolsAsChar=0;"
	"odbc:Driver={ormc-mariadb};Server=$my_host;Port=$my_port;Database=$db;User=$my_user;Password=$my_pass;"
)
for u in "${urls[@]:0:3}"; do
	"$ormc" migrate --models "$models" --db "$u" >/dev/null
	"$ormc" load --models "$models" --db "$u" "$fixture" >/dev/null
done

# The expected lines, from the command line on SQLite.
query='Order.objects.filter(status=status, created_at__gte=since).aggregate(orders=Count("id"), revenue=Sum("total", default=0))'
: >"$work/expected"
for status in paid pending refunded; do
	for since in 2026-01-01 2026-02-01 2026-03-01 2027-01-01; do
		out=$("$ormc" run --format csv --models "$models" --db "${urls[0]}" \
			--param status=$status --param since=$since "$query" | tail -n 1)
		printf '%-8s since %s: %s orders, revenue %s\n' "$status" "$since" "${out%%,*}" "${out#*,}" \
			>>"$work/expected"
	done
done
grep -q "paid     since 2026-01-01: [1-9]" "$work/expected"

status=0
for u in "${urls[@]}"; do
	for prog in "$revenue" "$revenue_cxx"; do
		if "$prog" "$models" "$u" >"$work/got" 2>"$work/err" && diff -u "$work/expected" "$work/got"; then
			echo "ok: $(basename "$prog") on ${u%%:*}"
		else
			echo "FAILED: $(basename "$prog") on $u" >&2
			cat "$work/err" >&2
			status=1
		fi
	done
done
exit $status
