#!/usr/bin/env bash
# The runs behind BENCHMARKS.md: a fresh embedded silo (Release), then every scenario three
# times (fleet-1m and the full-size wake storm once), reports in load/reports/.
#   bash load/run-benchmarks.sh            # about 30 minutes on 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -v q Embever.Actors.sln >/dev/null

data=$(mktemp -d)
# The devices' rate limits and the list rate are lifted: these runs measure what the platform
# serves at most (a fifth of api-burst's 1,000 requests/s are lists). fleet-1m runs last, with
# the shipped settings (load/run-fleet.sh).
silo() {
    dotnet src/Silo/bin/Release/net10.0/Embever.Actors.Silo.dll --Embever:DataDirectory="$data" \
        --Embever:GrainCollectionAge=00:01:00 --Logging:LogLevel:Default=Warning \
        --Embever:Gateway:DeviceBurst=1000000 --Embever:Gateway:DevicePerSecond=1000000 --Embever:Lists:PerSecond=1000000 >"$data/silo.log" 2>&1 &
    echo $! >"$data/silo.pid"
    for _ in $(seq 1 60); do curl -sf http://localhost:5000/ready >/dev/null && return; sleep 1; done
    echo "silo did not start" >&2; exit 1
}
stop_silo() { kill "$(cat "$data/silo.pid")" 2>/dev/null || true; sleep 2; }
trap stop_silo EXIT

load() { dotnet load/Embever.Actors.Load/bin/Release/net10.0/Embever.Actors.Load.dll "$@" --operator-token "$data/operator-token" || true; }

silo
for run in 1 2 3; do load baseline --duration 15; done
for run in 1 2 3; do load wake-storm --devices 20000 --window 4; done                 # saturating: the maximum rate
for run in 1 2 3; do load wake-storm --devices 20000 --rate "${HALF_RATE:-969}"; done   # half the maximum (sessions/s)
for run in 1 2 3; do load api-burst --devices 1000 --rate 1000 --duration 20; done
for run in 1 2 3; do load webhooks --devices 400 --rate 4000 --duration 15; done     # saturating, half, fan-out (also load/run-webhooks.sh)
for run in 1 2 3; do load deployment --devices 10000; done
load wake-storm --devices 100000 --fraction 1 --window 60                             # the default size, once
stop_silo

# The fleet on a fresh store, with the shipped settings, so its figures are its own.
rm -rf "$data"/*
bash load/run-fleet.sh sqlite || true
