#!/usr/bin/env bash
# A second opinion with wrk (Debian: apt-get install wrk): GET /health, the plain gateway exchange
# (`{}`) and the one-event exchange, each `wrk -t2 -c64 -d10s`, then the three rates and ratios.
#   bash load/wrk/run.sh http://127.0.0.1:5000 creds.txt
# creds.txt: one device "id:password" a line, e.g. from
#   $LOAD wakeups --devices 2000 --write-credentials creds.txt
# THREADS, CONNECTIONS and DURATION override -t, -c and -d. Exits 1 if any answer was not 2xx.
set -euo pipefail
url=${1:?usage: run.sh URL CREDENTIALS_FILE}
credentials=${2:?usage: run.sh URL CREDENTIALS_FILE}
script="$(cd "$(dirname "$0")" && pwd)/exchange.lua"
threads=${THREADS:-2} connections=${CONNECTIONS:-64} duration=${DURATION:-10s}
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 2; }
[ -s "$credentials" ] || { echo "no credentials in $credentials" >&2; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() { # name, file, then wrk's arguments after the options
    local name=$1 file=$out/$2
    shift 2
    WRK_THREADS=$threads wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" >"$file"
    echo "== $name"
    cat "$file"
}

measure "GET /health" health "${url%/}/health"
measure "exchange {}" plain -s "$script" "$url" -- plain "$credentials"
measure "exchange, one event" event -s "$script" "$url" -- event "$credentials"
rate() { awk '/^Requests\/sec:/ { print $2 }' "$out/$1"; }
health=$(rate health) plain=$(rate plain) event=$(rate event)

echo
printf 'GET /health           %12.0f req/s\n' "$health"
printf 'exchange {}           %12.0f req/s\n' "$plain"
printf 'exchange, one event   %12.0f req/s\n' "$event"
awk -v h="$health" -v p="$plain" -v e="$event" 'BEGIN {
    printf "plain / health        %12.3f\n", p / h
    printf "one event / health    %12.3f\n", e / h
    printf "one event / plain     %12.3f\n", e / p
}'
if grep -qE 'Non-2xx|Socket errors' "$out"/*; then
    echo "some answers were not 2xx, or sockets failed: see wrk's output above" >&2
    exit 1
fi
