#!/usr/bin/env bash
# What watching the platform costs, and the dashboard picture of docs/operations.md.
# For one store: the harness's `wakeups` scenario RUNS times (default 2) on a silo with the
# dashboard and /metrics off, on one with /metrics only (scraped every 5 s), then on one with
# both while an operator watches it (the dashboard polled every second, as a browser does).
# Right after the last run, headless Chromium photographs the dashboard, whose charts hold the
# last 100 s: the storms (docs/images/dashboard-wake-storm.png).
#   bash load/run-telemetry.sh sqlite|postgresql
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: run-telemetry.sh sqlite|postgresql}
runs=${RUNS:-2} devices=${DEVICES:-2000} storm=${STORM_DEVICES:-20000}
dotnet build -c Release -v q Embever.Actors.sln >/dev/null
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }

source load/silo.sh
# Stops the silo (and its PostgreSQL) and forgets their data, for the next configuration.
fresh() {
    for pid in "${pids[@]}"; do kill "$pid"; done
    pids=()
    sleep 3
    if [ -f "$work/pg/PG_VERSION" ]; then runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null; fi
    rm -rf "$work/data" "$work/pg"
}
wakeups() { load wakeups --devices "$devices" --storm-devices "$storm" | grep -E 'plain_exchanges_per_second|event_exchanges_per_second|storm_exchanges_per_second|storm_half_p50_ms|storm_half_p99_ms|✗|FAIL' || true; }

echo "== telemetry off (no dashboard, no /metrics) =="
start_silo "$store" --Embever:Telemetry:Dashboard=false --Embever:Telemetry:Prometheus=false
load baseline --duration 10 >/dev/null
for run in $(seq 1 "$runs"); do wakeups; done
fresh

echo "== metrics only (/metrics scraped every 5 s, no dashboard) =="
start_silo "$store" --Embever:Telemetry:Dashboard=false
token=$(cat "$work/data/operator-token")
( while true; do curl -s -o /dev/null -u "operator:$token" http://localhost:5000/metrics; sleep 5; done ) & pids+=($!)
load baseline --duration 10 >/dev/null
for run in $(seq 1 "$runs"); do wakeups; done
fresh

echo "== telemetry on, watched (dashboard every 1 s, /metrics every 5 s) =="
start_silo "$store"
token=$(cat "$work/data/operator-token")
( while true; do curl -s -o /dev/null -u "operator:$token" http://localhost:5000/dashboard/DashboardCounters; sleep 1; done ) & pids+=($!)
( while true; do curl -s -o /dev/null -u "operator:$token" http://localhost:5000/metrics; sleep 5; done ) & pids+=($!)
load baseline --duration 10 >/dev/null
for run in $(seq 1 "$runs"); do wakeups; done
mkdir -p docs/images
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1000 --virtual-time-budget=6000 \
    --screenshot=docs/images/dashboard-wake-storm.png "http://operator:$token@localhost:5000/dashboard/" >/dev/null 2>&1
echo "dashboard picture: docs/images/dashboard-wake-storm.png"
