# servers_env.sh -- sourced by the test scripts that need the servers:
#
#   . "$src/tests/servers_env.sh"
#   servers_env NAME || exit 1
#
# reads the PostgreSQL and MariaDB URLs of the test fixture
# (ORMC_TEST_SERVERS_DIR/servers.env, written by tests/servers.sh) or the
# user's (ORMC_TEST_POSTGRES_URL, ORMC_TEST_MYSQL_URL), and sets
#
#   pg, my                       the URLs
#   pg_user pg_pass pg_host pg_port, my_user my_pass my_host my_port
#   pg_base, my_base             the URLs without the database and options,
#                                to which a test appends "/its_database"
#   my_client ARGS...            the mariadb client on that server
#
# A missing or unreadable URL is an error naming the test (NAME), never a
# skip: the caller exits 1.

server_url() {   # kind env-var
	local v=${!2:-}
	if [ -z "$v" ] && [ -n "${ORMC_TEST_SERVERS_DIR:-}" ] && [ -f "$ORMC_TEST_SERVERS_DIR/servers.env" ]; then
		v=$(sed -n "s/^$1=//p" "$ORMC_TEST_SERVERS_DIR/servers.env")
	fi
	echo "$v"
}

my_client() {
	MYSQL_PWD=$my_pass mariadb --no-defaults -u"$my_user" -h"$my_host" -P"$my_port" "$@"
}

servers_env() {   # NAME
	local re='^[a-z]+://([^:@/]*)(:([^@/]*))?@([^:/]*)(:([0-9]+))?/?'

	pg=$(server_url postgresql ORMC_TEST_POSTGRES_URL)
	my=$(server_url mysql ORMC_TEST_MYSQL_URL)
	if [ -z "$pg" ] || [ -z "$my" ]; then
		echo "$1: no PostgreSQL or MariaDB server (see servers_start)" >&2
		return 1
	fi
	[[ $pg =~ $re ]] || { echo "$1: cannot read $pg" >&2; return 1; }
	pg_user=${BASH_REMATCH[1]} pg_pass=${BASH_REMATCH[3]} pg_host=${BASH_REMATCH[4]}
	pg_port=${BASH_REMATCH[6]:-5432}
	[[ $my =~ $re ]] || { echo "$1: cannot read $my" >&2; return 1; }
	my_user=${BASH_REMATCH[1]} my_pass=${BASH_REMATCH[3]} my_host=${BASH_REMATCH[4]}
	my_port=${BASH_REMATCH[6]:-3306}
	pg_base=${pg%%\?*}
	pg_base=${pg_base%/*}
	my_base=${my%%\?*}
	my_base=${my_base%/*}
}

# drop_listed_dbs DIR: drop the databases named in DIR/pg_dbs and DIR/my_dbs
# (one a line, the ones a test made), quietly.
drop_listed_dbs() {
	local d
	while read -r d; do
		psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
	done < "$1/pg_dbs"
	while read -r d; do
		my_client -e "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1
	done < "$1/my_dbs"
}
