#!/usr/bin/env bash
# The staged rollout figures of BENCHMARKS.md: the harness's `rollout` scenario on a fresh Release
# silo, twice — a healthy image (1 % of the devices fail their update: it completes) and a bad one
# (50 % fail: it aborts in its first group). Each prints the groups live and writes a report with
# the rollout over time per group (load/reports/rollout-*-rollout.svg).
#   bash load/run-rollout.sh [sqlite|postgresql]
# DEVICES (10000), ROLLOUT_GROUPS (100,1000), WAKE (20 s between a device's wakeups), PER_MINUTE (3000),
# HEALTHY (0.01) and BAD (0.5) override; reports go to REPORTS (load/reports).
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-sqlite}
devices=${DEVICES:-10000} groups=${ROLLOUT_GROUPS:-100,1000} wake=${WAKE:-20} per_minute=${PER_MINUTE:-3000}
dotnet build -c Release -v q Embever.Actors.sln >/dev/null

source load/silo.sh
start_silo "$store" --Embever:Webhooks:AllowLoopback=true
load baseline --duration 5 >/dev/null   # warm-up: JIT and connection pools, not reported
for rate in "${HEALTHY:-0.01}" "${BAD:-0.5}"; do
    load rollout --devices "$devices" --groups "$groups" --wake-interval "$wake" --max-per-minute "$per_minute" \
        --failure-rate "$rate" --baseline-seconds 5 --reports "${REPORTS:-load/reports}"
done
