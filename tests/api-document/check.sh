#!/usr/bin/env bash
# Checks the OpenAPI document as the platform serves it (no hand-kept copy): starts the built
# silo on a free port with a throwaway data directory and fetches /openapi/v1.json, then
#  1. lints it with the Redocly CLI (recommended) and Spectral (spectral:oas): any error or
#     warning fails (rules turned off say why in redocly.yaml and .spectral.yaml);
#  2. generates a TypeScript client from it (openapi-typescript, for openapi-fetch), type-checks
#     client/quickstart.ts with tsc --strict and runs it against the same silo.
# Run by tests/run.sh after the build; installs Node.js (Debian) and the tools (npm) if missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
configuration=${CONFIGURATION:-Debug}

if ! command -v npm >/dev/null 2>&1; then
    echo "Installing Node.js and npm (Debian packages) for the API document checks..."
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -x "$here/node_modules/.bin/redocly" ] || [ ! -x "$here/node_modules/.bin/tsc" ] || [ ! -d "$here/node_modules/openapi-fetch" ]; then
    (cd "$here" && npm install --silent --no-audit --no-fund >/dev/null)
fi

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
dotnet "$root/src/Silo/bin/$configuration/net10.0/Embever.Actors.Silo.dll" --Embever:DataDirectory="$work/data" \
    --Urls="http://127.0.0.1:$port" --Embever:SiloPort="$(free_port)" --Embever:GatewayPort="$(free_port)" --Embever:Coap:SecurePort=0 \
    --Logging:LogLevel:Default=Warning >"$work/silo.log" 2>&1 &
silo=$!
trap 'kill $silo 2>/dev/null || true; wait $silo 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/openapi/v1.json" -o "$work/openapi.json" || { cat "$work/silo.log"; exit 1; }

cd "$here"
echo "API document: Redocly (recommended)"
NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off ./node_modules/.bin/redocly lint "$work/openapi.json" --config redocly.yaml --max-problems 1000 2>&1 \
    | grep -v -e '^\s*║' -e '^\s*╔' -e '^\s*╚' | tee "$work/redocly.txt"
grep -q "Your API description is valid" "$work/redocly.txt" && ! grep -qE "warning|error" "$work/redocly.txt" \
    || { echo "Redocly found problems in the served API document."; exit 1; }
echo "API document: Spectral (spectral:oas)"
./node_modules/.bin/spectral lint "$work/openapi.json" --ruleset .spectral.yaml --fail-severity hint
echo "API document: 0 errors, 0 warnings in both"

echo "API document: TypeScript client (openapi-typescript, openapi-fetch, tsc --strict)"
rm -rf generated && mkdir -p generated
./node_modules/.bin/openapi-typescript "$work/openapi.json" -o generated/schema.d.ts --silent
./node_modules/.bin/tsc -p tsconfig.json --strict
EMBEVER_URL="http://127.0.0.1:$port" EMBEVER_ORG_TOKEN_FILE="$work/data/org-token" node generated/out/client/quickstart.js \
    || { echo "The TypeScript client failed against the platform; silo log:"; tail -50 "$work/silo.log"; exit 1; }
