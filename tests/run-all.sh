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
# A few failed tests (at most 5) run once more, alone: a test that fails again counts as failed; one that passes is
# counted as passed and named as flaky above the closing line (what failed the first time stays in flaky.txt).
trx_counters() { grep -o '<Counters [^>]*>' "$1" 2>/dev/null || true; }
trx_count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2"; }
run_xunit() {
  local project=$1 name=$2 status counters
  set +e
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal"
  status=$?
  set -e
  counters=$(trx_counters "$results/$name.trx")
  local x_passed x_failed x_total x_executed
  x_passed=$(trx_count passed "$counters"); x_failed=$(trx_count failed "$counters"); x_total=$(trx_count total "$counters"); x_executed=$(trx_count executed "$counters")
  x_passed=${x_passed:-0}; x_failed=${x_failed:-0}
  if [ "$x_failed" -gt 0 ] && [ "$x_failed" -le 5 ]; then
    local filter r_counters r_passed r_failed r_status
    filter=$(node tests/Tools/trx.js filter "$results/$name.trx")
    echo "== $name: $x_failed failed; running them once more, alone, to tell a flaky test from a broken one:"
    node tests/Tools/trx.js failures "$results/$name.trx" | sed 's/^/   /'
    set +e
    dotnet test "$project" -c Release --no-build --nologo --filter "$filter" \
      --logger "trx;LogFileName=$results/$name.rerun.trx" --logger "console;verbosity=normal"
    r_status=$?
    set -e
    r_counters=$(trx_counters "$results/$name.rerun.trx")
    r_passed=$(trx_count passed "$r_counters"); r_failed=$(trx_count failed "$r_counters")
    if [ "$r_status" -eq 0 ] && [ "${r_passed:-0}" -gt 0 ] && [ "${r_failed:-1}" -eq 0 ]; then
      node tests/Tools/trx.js failures "$results/$name.trx" >> "$results/flaky.txt"
      mv "$results/$name.trx" "$results/$name.first-run.xml"
      x_passed=$((x_passed + x_failed)); x_failed=0; status=0
    else
      # What failed again is what the closing lines name.
      mv "$results/$name.trx" "$results/$name.first-run.xml"
    fi
  fi
  passed=$((passed + x_passed)); failed=$((failed + x_failed))
  skipped=$((skipped + ${x_total:-0} - ${x_executed:-0}))
  if [ "$status" -ne 0 ] && [ "$x_failed" -eq 0 ]; then failed=$((failed + 1)); echo "== $name exited $status without a failed test (counted as 1 failed)"; fi
  echo "== $name: $x_passed passed, $x_failed failed, $(( ${x_total:-0} - ${x_executed:-0} )) skipped"
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
    [ -f "$trx" ] && node tests/Tools/trx.js failures "$trx" | sed 's/^/failed: /'
  done
  cat "$results"/*.txt.failed 2>/dev/null | sed '/^$/d; s/^/failed: /' || true
}
if [ -s "$results/flaky.txt" ]; then sed 's/^/flaky (failed, then passed when run again alone): /' "$results/flaky.txt" | head -n 10; fi
if [ "$failed" -gt 0 ]; then list_failures | head -n 30; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
