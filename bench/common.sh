# bench/common.sh -- what the benchmark scripts share; sourced with $pg and
# $my set to the PostgreSQL and MariaDB URLs. Defines src (the source tree),
# m (the shop example's --models and --app-label options), my_client (the
# MariaDB client on $my's server), pg_base and my_base (the servers' URLs
# without a database, to which a database name is appended).
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
m=(--models "$src/examples/shop/models.py" --app-label shop)
export PGOPTIONS="-c client_min_messages=warning"

re='^[a-z]+://([^:@/]*)(:([^@/]*))?@([^:/]*)(:([0-9]+))?/?'
[[ $my =~ $re ]] || { echo "cannot read $my" >&2; exit 2; }
my_user=${BASH_REMATCH[1]} my_pw=${BASH_REMATCH[3]} my_host=${BASH_REMATCH[4]} my_port=${BASH_REMATCH[6]:-3306}
my_client() { MYSQL_PWD=$my_pw "${MYCLIENT:-mariadb}" --no-defaults -u"$my_user" -h"$my_host" -P"$my_port" "$@"; }
pg_base=${pg%%\?*}; pg_base=${pg_base%/*}
my_base=${my%%\?*}; my_base=${my_base%/*}
