#!/usr/bin/env bash
# The one command that installs what the tests need and runs the whole AzDockerVm suite on a fresh Debian 12 machine
# with the .NET SDK, as root (sudo on a workstation):
#   tests/run-all.sh
# It installs Debian's docker.io (a real dockerd for the TLS proofs), openssl, shellcheck, debootstrap, zstd (the
# provisioning script's Debian-root tests) and, when missing, Node.js and npm (the spec validator); restores the pinned pwsh 7.6.10 (dotnet tool restore) and
# Pester 5.7.1 (from NuGet, onto a module path of the test run's own); then runs, in this order:
#   build.ps1 -Task Build            in the real pwsh
#   the xunit tests                  tests/AzDockerVm.Tests, against the built module (with the operations suite
#                                    tests/Pester/Operations, in real pwsh against the fake ARM: OperationsSuiteTests)
#   the engine's own specifications  tests/AzDockerVm.Engine.Tests (the deployment graph, no PowerShell)
#   build.ps1 -Task Test -SkipXunit  the Pester tests in tests/Pester, in the real pwsh
#   build.ps1 -Task Package          out/publish/AzDockerVm and the Azure Automation zip
#   tests/Install                    Pester: install and use the package in fresh pwsh processes
#   the fake ARM traffic             validated against the official API specs (tests/ArmSpecs, oav)
# and prints one closing line, "N passed, N failed, N skipped", that counts all of them (each build.ps1 task and the
# traffic validation count as one test). Any failure makes it exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off

need=()
for tool in dockerd:docker.io openssl:openssl shellcheck:shellcheck debootstrap:debootstrap zstd:zstd node:nodejs npm:npm; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing test peers: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "not root: cannot install ${need[*]}; the tests that need them will report skipped or fail" >&2
  fi
fi

# pwsh 7.6.10 from the repository's tool manifest; Pester 5.7.1 from NuGet onto out/test-modules, a module path
# used only by this run (nothing goes into the user's module folders).
dotnet tool restore >/dev/null
dotnet restore tests/Tools/TestTools.csproj -nologo -v quiet >/dev/null
packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
rm -rf out/test-modules
mkdir -p out/test-modules/Pester
cp -r "${packages%/}/pester/5.7.1/tools" out/test-modules/Pester/5.7.1
export PSModulePath="$repo/out/test-modules"
pwsh() { dotnet tool run pwsh -- -NoProfile -NonInteractive "$@"; }

results=$(mktemp -d)
passed=0; failed=0; skipped=0
# A step that counts as one test: its name, then the command.
step() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); echo "== $name: passed"
  else failed=$((failed + 1)); echo "== $name: FAILED"; fi
}
# Adds the counts a Pester run wrote ("passed=N failed=N skipped=N"); a run that wrote none failed.
add_pester() {
  local file=$1 line
  line=$(cat "$file" 2>/dev/null || true)
  if [ -z "$line" ]; then failed=$((failed + 1)); echo "== $file: no Pester result (counted as 1 failed)"; return; fi
  passed=$((passed + $(sed -n 's/.*passed=\([0-9]*\).*/\1/p' <<<"$line")))
  failed=$((failed + $(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$line")))
  skipped=$((skipped + $(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' <<<"$line")))
}

step "build.ps1 -Task Build" pwsh -File build.ps1 -Task Build

# Each fake ARM writes its exchanges here; all of them are validated after the run.
export AZDOCKERVM_TRAFFIC_DIR="$results/traffic"
# An xunit project: its trx counters are added to the totals; a non-zero exit without a failed test counts as one.
run_xunit() {
  local project=$1 name=$2 status counters
  set +e
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal"
  status=$?
  set -e
  counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" 2>/dev/null || true)
  count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  local x_passed x_failed x_total x_executed
  x_passed=$(count passed); x_failed=$(count failed); x_total=$(count total); x_executed=$(count executed)
  passed=$((passed + ${x_passed:-0})); failed=$((failed + ${x_failed:-0}))
  skipped=$((skipped + ${x_total:-0} - ${x_executed:-0}))
  if [ "$status" -ne 0 ] && [ "${x_failed:-0}" -eq 0 ]; then failed=$((failed + 1)); echo "== $name exited $status without a failed test (counted as 1 failed)"; fi
  echo "== $name: ${x_passed:-0} passed, ${x_failed:-0} failed, $(( ${x_total:-0} - ${x_executed:-0} )) skipped"
}
run_xunit tests/AzDockerVm.Tests xunit
run_xunit tests/AzDockerVm.Engine.Tests engine-xunit

# The Pester tests for users, through build.ps1 exactly as a user runs it (xunit has just run, so it is skipped).
set +e
pwsh -File build.ps1 -Task Test -SkipXunit -PesterResultPath "$results/pester.txt"
test_status=$?
set -e
add_pester "$results/pester.txt"
if [ "$test_status" -eq 0 ]; then passed=$((passed + 1)); echo "== build.ps1 -Task Test: passed"
else failed=$((failed + 1)); echo "== build.ps1 -Task Test: FAILED (exit $test_status)"; fi

step "build.ps1 -Task Package" pwsh -File build.ps1 -Task Package

set +e
pwsh -File tests/Invoke-PesterFiles.ps1 -Path tests/Install -ResultPath "$results/install.txt"
set -e
add_pester "$results/install.txt"

# Every exchange with the fake ARM, against the official REST specs vendored in tests/ArmSpecs. No validator, no
# traffic or a violation is a failure.
validate_traffic() {
  compgen -G "$AZDOCKERVM_TRAFFIC_DIR/*.jsonl" >/dev/null || { echo "no fake ARM traffic was recorded"; return 1; }
  local status
  set +e
  node tests/ArmSpecs/validate-traffic.js "$AZDOCKERVM_TRAFFIC_DIR"/*.jsonl > "$results/traffic.txt"
  status=$?
  set -e
  tail -n 40 "$results/traffic.txt"
  return "$status"
}
spec_selftest() { (cd tests/ArmSpecs && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm test --silent); }
step "tests/ArmSpecs: the validator's own tests" spec_selftest
step "fake ARM traffic against the API specs" validate_traffic

# What failed, by name, just above the closing line (a log cut to its end still says which tests they were).
list_failures() {
  local trx
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    node -e '
      const xml = require("fs").readFileSync(process.argv[1], "utf8");
      const unescape = s => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "\x27").replace(/&amp;/g, "&");
      for (const m of xml.matchAll(/<UnitTestResult [^>]*testName="([^"]*)"[^>]*outcome="Failed"[^>]*>([\s\S]*?)<\/UnitTestResult>/g)) {
        const message = (/<Message>([\s\S]*?)<\/Message>/.exec(m[2]) || ["", ""])[1];
        console.log("failed: " + unescape(m[1]) + ": " + unescape(message).split("\n")[0].slice(0, 300));
      }' "$trx" || true
  done
  cat "$results"/*.txt.failed 2>/dev/null | sed '/^$/d; s/^/failed: /' || true
}
if [ "$failed" -gt 0 ]; then list_failures | head -n 30; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
