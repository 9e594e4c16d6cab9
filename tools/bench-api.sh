#!/usr/bin/env bash
# Load benchmark of the API over loopback: the Release server against an existing database, wrk with N connections.
#
#   tools/bench-api.sh data/bench.db                                        # SQLite file (seed it first)
#   tools/bench-api.sh "Host=127.0.0.1;Port=5432;Username=postgres;Database=bench"   # PostgreSQL
#
# Environment: BENCH_SECONDS (20), BENCH_WARMUP (5), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_PORT (5090),
# BENCH_START_TIMEOUT (3600 s: start-up applies pending migrations first), BENCH_ONLY_MIXED (1: skip the read table),
# BENCH_MIXED_SECONDS (60: the mixed load; 0 skips it), BENCH_MIXED_READERS (8 reading connections beside the 8
# creating ones; 0 measures creates alone), BENCH_MEMBER_PASSWORD (an account member's password for the sign-in case:
# the demo customers' by default, which `bench-move` carries over).
# A store with accounts (bench-move's copy of the 1M store) adds the Account Management cases.
# Prints, per query: requests/s, p50 and p99 under load, and the median time of one request on an idle server.
# Needs: wrk, curl, jq (Debian packages of the same names). See docs/benchmarks.md for figures it printed.
set -euo pipefail

database=${1:?"usage: tools/bench-api.sh <sqlite file | PostgreSQL connection string>"}
seconds=${BENCH_SECONDS:-20}
warmup=${BENCH_WARMUP:-5}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
port=${BENCH_PORT:-5090}
root=$(cd "$(dirname "$0")/.." && pwd)
dll="$root/bin/Release/net10.0/CommerceManager.dll"
base="http://127.0.0.1:$port"

for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || { echo "Install $tool first (apt-get install -y $tool)." >&2; exit 1; }
done
[ -f "$dll" ] || dotnet build -c Release "$root/CommerceManager.sln" >/dev/null

if [[ $database == *"Host="* ]]; then provider=postgres; connection=$database; else provider=sqlite; connection="Data Source=$database"; fi

ASPNETCORE_URLS=$base Database__Provider=$provider ConnectionStrings__Default="$connection" \
    Bootstrap__ApiClientId=bench-client Bootstrap__ApiClientSecret=bench-secret-0123456789 \
    Seed__DemoData=false Logging__LogLevel__Default=Warning \
    dotnet "$dll" >/tmp/cm-bench-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

# Start-up applies pending migrations first, which can take long on a big store: wait for it.
ready=""
for _ in $(seq 1 "${BENCH_START_TIMEOUT:-3600}"); do
    curl -sf "$base/health/ready" >/dev/null 2>&1 && { ready=1; break; }
    kill -0 $server 2>/dev/null || { echo "The server stopped; see /tmp/cm-bench-server.log" >&2; exit 1; }
    sleep 1
done
[ -n "$ready" ] || { echo "The server was not ready in time; see /tmp/cm-bench-server.log" >&2; exit 1; }

token=$(curl -sf -X POST "$base/oauth/access_token" \
    -d "grant_type=client_credentials&client_id=bench-client&client_secret=bench-secret-0123456789" | jq -r .access_token)
auth="Authorization: Bearer $token"
get() { curl -sf -H "$auth" "$base$1"; }

urlencode() { jq -rn --arg v "$1" '$v|@uri'; }
declare -a names urls
add() { names+=("$1"); urls+=("$2"); }
add "unauthenticated /v2 (401, no database)" "NOAUTH/v2/customers/00000000-0000-7000-8000-000000000000"

# Real values from the middle of the data, the way a person's search would find them (a store of accounts alone, as
# `seed-accounts` makes, has no customer cases).
total=$(get "/v2/customers?page%5Blimit%5D=1" | jq -r .meta.results.total)
if [ "$total" -gt 0 ]; then
    sample=$(get "/v2/customers?sort=email&page%5Boffset%5D=$(( total > 7777 ? 7777 : 0 ))&page%5Blimit%5D=1" | jq -c '.data[0]')
    id=$(jq -r .id <<<"$sample")
    email=$(jq -r .email <<<"$sample")
    last=$(jq -r '.name | split(" ") | last' <<<"$sample")
    # Four letters from inside the last name (its first four when it is shorter than five).
    if [ ${#last} -ge 5 ]; then part=${last:1:4}; else part=${last:0:4}; fi
    contains=$(tr '[:upper:]' '[:lower:]' <<<"$part")
    field=$(jq -r 'to_entries | map(select(.key | startswith("bench_"))) | first | .key // empty' <<<"$sample")
    value=$(jq -r --arg f "$field" '.[$f] // empty' <<<"$sample")
    order=$(get "/v2/orders?page%5Boffset%5D=500&page%5Blimit%5D=25" | jq -r '[.data[] | .relationships.customer.data.id // empty] | first // empty')
    add "first page, newest first (25 rows)" "/v2/customers"
    add "email equals" "/v2/customers?filter=$(urlencode "eq(email,$email)")"
    add "name contains \"$contains\"" "/v2/customers?filter=$(urlencode "like(name,*$contains*)")"
    [ -n "$field" ] && [ -n "$value" ] && add "custom field equals ($field)" "/v2/customers?filter=$(urlencode "eq($field,$value)")"
    add "customer by id" "/v2/customers/$id"
    add "by id, no such customer (404: token + seek)" "/v2/customers/00000000-0000-7000-8000-000000000000"
    [ -n "$order" ] && add "a customer's orders" "/v2/orders?filter=$(urlencode "eq(customer_id,$order)")"
fi

# Account Management, when the store has accounts (a copy of the 1M store after `bench-move`, for example): an account
# from the middle of the name order whose member signs in with a password (the demo customers' password moved with them).
accounts=$(get "/v2/accounts?page%5Blimit%5D=1" | jq -r '.meta.results.total // 0')
signin=""
if [ "$accounts" -gt 0 ]; then
    realm=$(get "/v2/settings/account-authentication" | jq -r .data.relationships.authentication_realm.data.id)
    start=$(( accounts > 7817 ? 7777 : 0 ))
    for offset in $(seq "$start" $(( start + 40 ))); do
        account=$(get "/v2/accounts?sort=name&page%5Boffset%5D=$offset&page%5Blimit%5D=1" | jq -c '.data[0]')
        account_id=$(jq -r .id <<<"$account")
        member_id=$(get "/v2/accounts/$account_id/account-memberships" | jq -r '.data[0].account_member_id // empty')
        [ -n "$member_id" ] || continue
        login=$(get "/v2/authentication-realms/$realm/user-authentication-info/$member_id/user-authentication-password-profile-info" | jq -c '.data[0] // empty')
        [ -n "$login" ] && break
    done
    account_name=$(jq -r .name <<<"$account")
    word=$(jq -r '.name | split(" ") | last' <<<"$account")
    if [ ${#word} -ge 5 ]; then apart=${word:1:4}; else apart=${word:0:4}; fi
    member=$(get "/v2/account-members/$member_id")
    member_email=$(jq -r .data.email <<<"$member")
    mword=$(jq -r '.data.name | split(" ") | first' <<<"$member")
    if [ ${#mword} -ge 5 ]; then mpart=${mword:1:4}; else mpart=${mword:0:4}; fi
    mpart=$(tr '[:upper:]' '[:lower:]' <<<"$mpart")
    add "account by id" "/v2/accounts/$account_id"
    add "account name equals" "/v2/accounts?filter=$(urlencode "eq(name,$account_name)")"
    add "account name contains \"$(tr '[:upper:]' '[:lower:]' <<<"$apart")\"" "/v2/accounts?filter=$(urlencode "like(name,*$(tr '[:upper:]' '[:lower:]' <<<"$apart")*)")"
    add "member by id" "/v2/account-members/$member_id"
    add "member email equals" "/v2/account-members?filter=$(urlencode "eq(email,$member_email)")"
    add "member name contains \"$mpart\" (Users tab)" "/v2/account-members?filter=$(urlencode "like(name,*$mpart*)")"
    add "an account's addresses" "/v2/accounts/$account_id/addresses"
    add "an account's orders" "/v2/orders?filter=$(urlencode "eq(account_id,$account_id)")"
    if [ -n "$login" ]; then
        # The password is the demo customers' (AppInitializer.DemoCustomerPassword): the move kept their hashes.
        signin=$(jq -nc --arg u "$(jq -r .username <<<"$login")" --arg p "$(jq -r .password_profile_id <<<"$login")" --arg pw "${BENCH_MEMBER_PASSWORD:-demo-shopper-2025}" \
            '{data:{type:"account_management_authentication_token",authentication_mechanism:"password",password_profile_id:$p,username:$u,password:$pw}}')
        add "member sign-in (password; PBKDF2 hash)" "POST/v2/account-members/tokens"
    fi
fi

single() { # median of 21 sequential requests, ms
    local path=$1 header=() times
    [[ $path == NOAUTH* ]] && path=${path#NOAUTH} || header=(-H "$auth")
    [[ $path == POST* ]] && { path=${path#POST}; header+=(-X POST -H "Content-Type: application/json" --data "$signin"); }
    times=$(for _ in $(seq 1 21); do curl -s -o /dev/null -w '%{time_total}\n' "${header[@]}" "$base$path"; done | sort -n | sed -n 11p)
    awk -v t="$times" 'BEGIN { printf "%.1f", t * 1000 }'
}

cat >/tmp/cm-bench-auth.lua <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
cat >/tmp/cm-bench-signin.lua <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$signin]]
LUA

echo "API load benchmark: $total customers, $accounts accounts ($provider), wrk -c$connections -t$threads, ${warmup}s warm-up + ${seconds}s, loopback, $(date -u +%Y-%m-%d)"
printf '%-44s %10s %9s %9s %11s\n' "query" "req/s" "p50 ms" "p99 ms" "single ms"
for i in "${!names[@]}"; do
    [ "${BENCH_ONLY_MIXED:-0}" = 1 ] && break
    path=${urls[$i]}
    script=(-s /tmp/cm-bench-auth.lua)
    [[ $path == NOAUTH* ]] && { path=${path#NOAUTH}; script=(); }
    [[ $path == POST* ]] && { path=${path#POST}; script=(-s /tmp/cm-bench-signin.lua); }
    one=$(single "${urls[$i]}")
    wrk -t"$threads" -c"$connections" -d"${warmup}s" "${script[@]}" "$base$path" >/dev/null
    out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "${script[@]}" "$base$path")
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errors=$(awk '/Non-2xx or 3xx responses/ { print $NF }' <<<"$out")
    ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.1f", v } else { sub(/s$/, "", v); printf "%.0f", v * 1000 } }'; }
    note=""
    [ -n "$errors" ] && [[ ${urls[$i]} != NOAUTH* ]] && [[ ${names[$i]} != *404* ]] && note="  ($errors non-2xx)"
    printf '%-44s %10s %9s %9s %11s%s\n' "${names[$i]}" "$rps" "$(ms "$p50")" "$(ms "$p99")" "$one" "$note"
done
# Mixed load: 8 connections create customers (no password, unique emails) while 8 read the first page. Every
# create answered 201 must be stored: the run counts them afterwards.
mixed=${BENCH_MIXED_SECONDS:-60}
if [ "$mixed" -gt 0 ]; then
    run=$(date +%s)
    cat >/tmp/cm-bench-create.lua <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local n = 0
function request()
    n = n + 1
    return wrk.format(nil, "/v2/customers", nil, string.format(
        '{"data":{"type":"customer","name":"Mixed Load %d %d","email":"mixed-$run-%d-%d@bench-mixed.example"}}', tid, n, tid, n))
end
LUA
    wrk -t2 -c8 -d"${mixed}s" --latency -s /tmp/cm-bench-create.lua "$base/v2/customers" >/tmp/cm-bench-creates.txt &
    creates=$!
    readers=${BENCH_MIXED_READERS:-8}
    if [ "$readers" -gt 0 ]; then
        wrk -t2 -c"$readers" -d"${mixed}s" --latency -s /tmp/cm-bench-auth.lua "$base/v2/customers" >/tmp/cm-bench-reads.txt
    else
        echo "Requests/sec: 0" >/tmp/cm-bench-reads.txt
    fi
    wait $creates
    cr=$(awk '/Requests\/sec/ { print $2 }' /tmp/cm-bench-creates.txt)
    cp99=$(awk '$1 == "99%" { print $2 }' /tmp/cm-bench-creates.txt)
    cp50=$(awk '$1 == "50%" { print $2 }' /tmp/cm-bench-creates.txt)
    sent=$(awk '/requests in/ { print $1 }' /tmp/cm-bench-creates.txt)
    failed=$(awk '/Non-2xx or 3xx responses/ { print $NF }' /tmp/cm-bench-creates.txt)
    rr=$(awk '/Requests\/sec/ { print $2 }' /tmp/cm-bench-reads.txt)
    rp99=$(awk '$1 == "99%" { print $2 }' /tmp/cm-bench-reads.txt)
    stored=$(get "/v2/customers?filter=$(urlencode "like(email,mixed-$run-*)")&page%5Blimit%5D=1" | jq -r .meta.results.total)
    echo "Mixed load, ${mixed}s: creates $cr/s (p50 $cp50, p99 $cp99; $sent answered, ${failed:-0} not 201, $stored stored) beside reads $rr/s (p99 $rp99)"
fi
echo "Server: $(ps -o rss= -p $server | awk '{ printf "%.0f MiB RSS", $1 / 1024 }') at the end."
