#!/usr/bin/env bash
# The one command that installs the test peers and runs the whole AzDockerVm suite on a fresh Debian 12 machine:
#   sudo tests/run-all.sh
# It installs Debian's docker.io (a real dockerd for the TLS proofs), openssl, shellcheck, debootstrap and zstd (the
# provisioning script's Debian-root tests), builds the module, runs every xunit test against the built module, checks
# every exchange with the fake Azure Resource Manager against the official API specs (when ../shared/api-specs and node
# are there) and prints one closing line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_TELEMETRY_OPTOUT=1

need=()
for tool in dockerd:docker.io openssl:openssl shellcheck:shellcheck debootstrap:debootstrap zstd:zstd; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing test peers: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "not root: cannot install ${need[*]}; the tests that need them will report skipped" >&2
  fi
fi

dotnet build AzDockerVm.sln -c Release -nologo -v quiet

results=$(mktemp -d)
# Each fake ARM writes its exchanges here; all of them are validated after the run.
export AZDOCKERVM_TRAFFIC_DIR="$results/traffic"
set +e
dotnet test tests/AzDockerVm.Tests -c Release --no-build --nologo \
  --logger "trx;LogFileName=$results/tests.trx" --logger "console;verbosity=normal"
status=$?
set -e

counters=$(grep -o '<Counters [^>]*>' "$results/tests.trx" 2>/dev/null || true)
count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
passed=$(count passed); failed=$(count failed); total=$(count total); executed=$(count executed)
passed=${passed:-0}; failed=${failed:-0}; total=${total:-0}; executed=${executed:-0}
skipped=$(( total - executed ))
if [ -z "$counters" ] && [ "$status" -ne 0 ]; then failed=1; fi
# The official validator kit sits next to the checkout (../shared/api-specs, or further up for nested worktrees).
traffic_status=0
kit=""
dir=$(cd .. && pwd)
while [ "$dir" != "/" ]; do
  if [ -f "$dir/shared/api-specs/validate.js" ]; then kit="$dir/shared/api-specs"; break; fi
  dir=$(dirname "$dir")
done
if [ -n "$kit" ] && command -v node >/dev/null 2>&1 && compgen -G "$AZDOCKERVM_TRAFFIC_DIR/*.jsonl" >/dev/null; then
  if [ ! -d "$kit/node_modules" ]; then
    # npm ci where the kit is, or in a copy when that folder is read-only
    if ! (cd "$kit" && npm ci --no-audit --no-fund >/dev/null 2>&1); then
      mkdir -p "$results/api-specs"
      (cd "$kit" && tar --exclude=node_modules -cf - .) | (cd "$results/api-specs" && tar -xf -)
      kit="$results/api-specs"
      (cd "$kit" && npm ci --no-audit --no-fund >/dev/null)
    fi
  fi
  set +e
  node "$kit/validate.js" "$AZDOCKERVM_TRAFFIC_DIR"/*.jsonl | tail -n 40
  traffic_status=${PIPESTATUS[0]}
  set -e
elif [ "${CI:-}" = "true" ]; then
  echo "FAILED: fake ARM traffic could not be validated (no ../shared/api-specs kit, no node, or no traffic)"
  traffic_status=1
else
  echo "fake ARM traffic not validated (no ../shared/api-specs kit, no node, or no traffic)"
fi
if [ "$traffic_status" -ne 0 ]; then failed=$((failed + 1)); fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$traffic_status" -eq 0 ]
