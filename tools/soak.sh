#!/usr/bin/env bash
# A long run: the Release server on a database, and `tools soak` driving a realistic mixed load against it for a
# chosen time (reads by id, lists, searches, creates, partial updates, address changes, sign-ins, checkouts),
# printing throughput, p50/p99, errors and the server's memory once a minute.
#
#   tools/soak.sh data/bench.db 30           # 30 minutes on a SQLite file (seed it first: see the README)
#   tools/soak.sh "Host=127.0.0.1;Port=5432;Username=postgres;Database=bench" 30
#
# Environment: SOAK_WORKERS (8 concurrent clients), SOAK_PORT (5091). Exit code 0 when no request failed.
set -euo pipefail

database=${1:?"usage: tools/soak.sh <sqlite file | PostgreSQL connection string> [minutes]"}
minutes=${2:-30}
port=${SOAK_PORT:-5091}
root=$(cd "$(dirname "$0")/.." && pwd)
dll="$root/bin/Release/net10.0/CommerceManager.dll"
tools="$root/tools/CommerceManager.Tools/bin/Release/net10.0/CommerceManager.Tools.dll"
base="http://127.0.0.1:$port"

[ -f "$dll" ] && [ -f "$tools" ] || dotnet build -c Release "$root/CommerceManager.sln" >/dev/null
if [[ $database == *"Host="* ]]; then provider=postgres; connection=$database; else provider=sqlite; connection="Data Source=$database"; fi

# Sign-ins come from one address here: the per-address limits are lifted for the run (the per-account one stays).
ASPNETCORE_URLS=$base Database__Provider=$provider ConnectionStrings__Default="$connection" \
    Bootstrap__ApiClientId=bench-client Bootstrap__ApiClientSecret=bench-secret-0123456789 \
    RateLimits__CustomerTokenPerIpPerMinute=1000000 RateLimits__AccessTokenPerIpPerMinute=1000000 \
    Seed__DemoData=false Logging__LogLevel__Default=Warning \
    dotnet "$dll" >/tmp/cm-soak-server.log 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 3600); do
    curl -sf "$base/health/ready" >/dev/null 2>&1 && break
    kill -0 $server 2>/dev/null || { echo "The server stopped; see /tmp/cm-soak-server.log" >&2; exit 1; }
    sleep 1
done

dotnet "$tools" soak --url "$base" --minutes "$minutes" --workers "${SOAK_WORKERS:-8}" --pid "$server"
