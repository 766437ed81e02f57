#!/usr/bin/env bash
# DTLS at fleet scale (BENCHMARKS.md): the harness's `handshakes` scenario on a fresh Release silo
# with the shipped settings (only the per-address handshake rate lifted: every simulated device
# shares 127.0.0.1). In-process devices shake hands at 32 … 2,000 at once, PER_LEVEL each; every
# session made is kept as the devices keep it; then the silo restarts (SIGTERM) and every device
# wakes once with its kept session: the report counts the handshakes that were needed.
#   bash load/run-handshakes.sh [sqlite|postgresql]
# LEVELS ("32 250 1000 2000"), PER_LEVEL (25000: 100,000 sessions in all), REPORTS override;
# SILO_DLL runs another build (the before of a before/after; it has no restart figures).
# ROUND_TRIP=200 instead runs each level on a simulated radio link of that round trip (ms), ROUNDS
# (20) handshakes per device slot, no restart: latency when "at once" means handshakes in flight
# on a slow link, not a closed loop on loopback (where p99 at full load is concurrency ÷ rate).
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-sqlite}
levels=${LEVELS:-"32 250 1000 2000"} per=${PER_LEVEL:-25000}
[ -n "${SKIP_BUILD:-}" ] || dotnet build -c Release -v q Embever.Actors.sln >/dev/null
reports=${REPORTS:-load/reports}

source load/silo.sh
start_silo "$store" --Embever:Coap:HandshakesPerAddressPerMinute=1000000000
if [ -n "${ROUND_TRIP:-}" ]; then
    for level in $levels; do
        load handshakes --levels "$level" --per-level $((level * ${ROUNDS:-20})) --devices 20000 --round-trip "$ROUND_TRIP" --reports "$reports" || true
    done
    exit 0
fi
# shellcheck disable=SC2086
load handshakes --levels $levels --per-level "$per" --devices 20000 --save-sessions "$work/sessions.jsonl" --reports "$reports" --silo-pid "$silo_pid" || true
restart_silo TERM
load handshakes --resume "$work/sessions.jsonl" --reports "$reports" || true
