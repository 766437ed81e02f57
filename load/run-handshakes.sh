#!/usr/bin/env bash
# DTLS at fleet scale (BENCHMARKS.md): the harness's `handshakes` scenario on a fresh Release silo
# with the shipped settings (only the per-address handshake rate lifted: every simulated device
# shares 127.0.0.1). In-process devices shake hands at 32 … 2,000 at once, PER_LEVEL each; every
# session made is kept as the devices keep it; then the silo restarts (SIGTERM) and every device
# wakes once with its kept session: the report counts the handshakes that were needed.
#   bash load/run-handshakes.sh [sqlite|postgresql]
# LEVELS ("32 250 1000 2000"), PER_LEVEL (25000: 100,000 sessions in all), REPORTS override;
# SILO_DLL runs another build (the before of a before/after; it has no restart figures).
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-sqlite}
levels=${LEVELS:-"32 250 1000 2000"} per=${PER_LEVEL:-25000}
[ -n "${SKIP_BUILD:-}" ] || dotnet build -c Release -v q Embever.Actors.sln >/dev/null
reports=${REPORTS:-load/reports}

source load/silo.sh
start_silo "$store" --Embever:Coap:HandshakesPerAddressPerMinute=1000000000
# shellcheck disable=SC2086
load handshakes --levels $levels --per-level "$per" --devices 20000 --save-sessions "$work/sessions.jsonl" --reports "$reports" --silo-pid "$silo_pid" || true
restart_silo TERM
load handshakes --resume "$work/sessions.jsonl" --reports "$reports" || true
