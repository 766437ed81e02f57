#!/usr/bin/env bash
# The CoAP figures of BENCHMARKS.md: the harness's `coap` scenario on a fresh Release silo with
# plain CoAP switched on and an HTTPS endpoint (a throwaway ECDSA P-256 certificate, as IoT
# servers use): bytes on the wire per standard wakeup over HTTP, HTTPS, CoAP and CoAPS (JSON and
# CBOR; tcpdump on loopback adds the IP and UDP/TCP headers), then plain exchanges/s over HTTP,
# CoAP/JSON, CoAP/CBOR and CoAPS/CBOR against one baseline, three times.
#   bash load/run-coap.sh [sqlite|postgresql]
# RUNS (3) and DURATION (10 s a phase) override; reports go to load/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-sqlite}
runs=${RUNS:-3} duration=${DURATION:-10}
dotnet build -c Release -v q Embever.Actors.sln >/dev/null
command -v tcpdump >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpdump >/dev/null; }

source load/silo.sh
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
start_silo "$store" --Embever:Coap:Plain=true --Embever:Coap:HandshakesPerAddressPerMinute=1000000 \
    --Kestrel:Endpoints:Http:Url=http://localhost:5000 \
    --Kestrel:Endpoints:Https:Url=https://localhost:5443 \
    --Kestrel:Endpoints:Https:Certificate:Path="$work/cert.pem" --Kestrel:Endpoints:Https:Certificate:KeyPath="$work/key.pem"

load baseline --duration 10 >/dev/null   # warm-up: JIT and connection pools, not reported
for run in $(seq 1 "$runs"); do
    load coap --duration "$duration" --https https://localhost:5443 --coap coap://127.0.0.1:5683 --coaps coaps://127.0.0.1:5684 \
        | grep -E 'wakeup|exchanges/s|health_requests|_over_http|Check|✓|✗|FAIL' || true
done
