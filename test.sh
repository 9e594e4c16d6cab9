#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need (Debian's Chromium and PostgreSQL, the pinned
# @moltin/sdk), starts a throwaway PostgreSQL, then `dotnet test` for the whole solution on SQLite and the service
# and HTTP tests again on PostgreSQL. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")"

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing Chromium for the browser tests (apt-get install chromium)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing. Install it (Debian/Ubuntu: sudo apt-get install -y chromium)" >&2
    echo "or point CHROMIUM_PATH at a Chromium or Chrome binary, then run ./test.sh again." >&2
    exit 1
  fi
fi

# The official @moltin/sdk, 36.x and 3.x, and EP's generated @epcc-sdk/sdks-shopper (the starters' gen-2 client) for
# the API compatibility tests, and axe-core for the accessibility test (all pinned in tests/js/package.json).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js and npm are needed for the @moltin/sdk compatibility test: install them (Debian: apt-get install -y nodejs npm)." >&2
  exit 1
fi
if [ ! -d tests/js/node_modules/@moltin/sdk ] || [ ! -d tests/js/node_modules/moltin-sdk-3 ] || [ ! -d tests/js/node_modules/axe-core ] \
   || [ ! -d tests/js/node_modules/@epcc-sdk/sdks-shopper ] \
   || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
fi

# PostgreSQL, the second database: a throwaway cluster on a free loopback port in a temporary folder, stopped and
# removed when this script ends, whether the tests pass or not.
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing PostgreSQL for the database tests (apt-get install postgresql)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  else
    echo "PostgreSQL is missing. Install it (Debian/Ubuntu: sudo apt-get install -y postgresql), then run ./test.sh again." >&2
    exit 1
  fi
fi
# initdb and pg_ctl refuse to run as root: as root, the cluster belongs to the postgres user.
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}
pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/cm-postgres.XXXXXX")"
[ "$(id -u)" = "0" ] && chown postgres "$pg_dir"
stop_postgres() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT
pg_port="$(free_port)"
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$pg_dir/server.log" >&2; exit 1; }
export CM_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
echo "PostgreSQL $(basename "$(dirname "$pg_bin")") for the tests on 127.0.0.1:$pg_port"

results="$(mktemp -d "${TMPDIR:-/tmp}/cm-test-results.XXXXXX")"
slowest() {
  # The ten slowest tests of the run, from the TRX files (duration, then name).
  cat "$results"/*/*.trx "$results"/*.trx 2>/dev/null \
    | grep -o '<UnitTestResult [^>]*' \
    | sed -E 's/.*testName="([^"]*)".*duration="([^"]*)".*/\2 \1/' \
    | sort -r | head -10 | sed -e 's/&quot;/"/g' -e 's/^/  /' || true
}
finish() {
  [ -n "${services:-}" ] && kill "$services" 2>/dev/null || true
  echo "Slowest tests:"
  slowest
  rm -rf "$results"
  stop_postgres
}
trap finish EXIT

dotnet build CommerceManager.sln --nologo -v q
# Two lanes at once: the browser tests (which spend much of their time waiting for the browser), and beside them the
# service and HTTP tests on SQLite (the default, plus the PostgreSQL-only ones: two instances, its indexes) and then
# again with PostgreSQL as the app's database. The second lane's output is shown when it ends.
(
  lane=0
  dotnet test tests/CommerceManager.Tests/CommerceManager.Tests.csproj --no-build --logger trx --results-directory "$results/sqlite" "$@" || lane=$?
  CM_TEST_DATABASE=postgres dotnet test tests/CommerceManager.Tests/CommerceManager.Tests.csproj --no-build \
    --filter "Database!=SqliteOnly&Database!=Postgres" --logger trx --results-directory "$results/postgres" "$@" || lane=$?
  exit "$lane"
) > "$results/services.log" 2>&1 &
services=$!
status=0
dotnet test tests/CommerceManager.E2E/CommerceManager.E2E.csproj --no-build --logger trx --results-directory "$results/e2e" "$@" || status=$?
services_status=0
wait "$services" || services_status=$?
echo "Service and HTTP tests (SQLite, then PostgreSQL):"
cat "$results/services.log"
[ "$status" = 0 ] && [ "$services_status" = 0 ]
