#!/bin/bash
# debian-root.sh: proves the VM-side provisioning script for real in a Debian 12 root file system.
#
#   chroot (no init system)  the script installs docker.io and writes the TLS files, daemon.json and the
#                            systemd drop-in; the dockerd it installed then serves mutual TLS with exactly
#                            that configuration (in its own network namespace); re-runs change nothing;
#                            bad settings are refused without touching the files; no secret is printed.
#   systemd-nspawn -b        the script enables and starts docker, a re-run keeps its main PID, a new
#                            certificate restarts it and is served, a configuration dockerd cannot start
#                            with is rolled back; the renewal Update-AzDockerTlsCertificate rendered (the
#                            script's tls-rollout mode) turns live-restore on by a reload, restarts docker
#                            once with the new certificate (a running container survives it) and a renewal
#                            from another CA is refused with the old certificate still served.
#
# Usage (as root): tests/AzDockerVm.Tests/Provisioning/debian-root.sh
# Output: TAP-like "ok N - name" / "not ok N - name" / "ok N - name # SKIP reason"; exit status 1 if a
# test failed. Not root: every test is skipped, exit status 0.
# Needs a Debian/Ubuntu host with apt and a reachable Debian mirror. Works in a tmpfs that is removed at
# the end (also on failure); the bootstrapped root is cached as a zstd tarball.
# Environment:
#   AZDV_TEST_CACHE    cache directory (default /var/cache/azdockervm-test)
#   AZDV_TEST_MIRROR   Debian mirror for debootstrap (default: the host's apt sources, else deb.debian.org)
#   AZDV_TEST_VERBOSE  1: show the output of every provisioning run as "# |" lines
#   AZDV_TEST_RENDERED_SCRIPT, AZDV_TEST_RENDERED_CLIENT: a script exactly as AzDockerVm rendered it (taken from the
#                      protected settings Set-AzDockerExtension sent) and the client folder (ca.pem, cert.pem,
#                      key.pem) of its TLS set; without them that test is skipped
#   AZDV_TEST_RENDERED_NEW_SCRIPT, AZDV_TEST_RENDERED_NEW_CLIENT: the same for the script New-AzDockerVm sent (optional)
#   AZDV_TEST_RENDERED_RENEW_PROVISION, AZDV_TEST_RENDERED_RENEW_SCRIPT, AZDV_TEST_RENDERED_RENEW_FOREIGN,
#   AZDV_TEST_RENDERED_RENEW_CLIENT: the script Set-AzDockerExtension sent for a host, the renewal
#                      Update-AzDockerTlsCertificate then sent for it, a renewal it sent for another host (another
#                      CA), and the client folder of the first host's set; without them those tests are skipped
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROVISION=$(cd "$HERE/../../.." && pwd)/src/AzDockerVm.Engine/Provisioning/provision.sh
DOCKERD_FLAGS=$(dirname "$PROVISION")/dockerd-flags.tsv # the flag table the renderer embeds
CACHE_DIR=${AZDV_TEST_CACHE:-/var/cache/azdockervm-test}
VERBOSE=${AZDV_TEST_VERBOSE:-0}
SUITE=bookworm
ROOT_PACKAGES=systemd-sysv,dbus,python3 # python3: Azure images have it (walinuxagent, cloud-init)
ROOT_CACHE_VERSION=1                    # bump to invalidate cached roots
ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PORT=2376

TESTS=(''
  'shellcheck -x provision.sh is clean'
  'Debian 12 minbase root ready (cached tarball or debootstrap)'
  'TLS material generated and script rendered per the settings contract'
  'chroot: first run waits for a held dpkg lock, installs docker.io, reports that no init system runs'
  'chroot: TLS files, daemon.json, drop-in and compose files written with exact content and modes'
  'chroot: admin user added to the docker group'
  'chroot: the installed dockerd serves TLS with the written config and accepts the right client'
  'chroot: that dockerd rejects a client from a foreign CA and a client without certificate'
  'chroot: second run changes nothing (hashes, mtimes, changed=false)'
  'chroot: a key that does not match the certificate is refused, files byte-identical'
  'chroot: an invalid daemon.json is refused, files byte-identical'
  'chroot: bad base64, daemon.json without tlsverify, -H and conflicting options are refused'
  'chroot: an unsupported distribution is refused with a one-line message'
  'chroot: a pinned version whose repository is unreachable fails cleanly, files byte-identical'
  'secrets: bash -x run never shows the key PEM, registry password or .env secret'
  'secrets: AZDV_DEBUG=1 run shows no secret in any form'
  'chroot: the scripts as Set-AzDockerExtension and New-AzDockerVm rendered them configure a dockerd that accepts their client sets'
  'nspawn: systemd boots the root'
  'nspawn: run enables and starts docker; the TLS port accepts the client certificate'
  'nspawn: re-run is a no-op (docker MainPID unchanged, changed=false)'
  'nspawn: compose project brought up through the compose v2 plugin (stub plugin)'
  'nspawn: new server certificate and option restart docker; the new certificate is served'
  'nspawn: a configuration dockerd cannot start with is rolled back; old certificate still served'
  'nspawn: a failed registry login is reported without leaking the password'
  'nspawn: the renewal as Update-AzDockerTlsCertificate rendered it turns live-restore on by a reload; docker restarts once and serves the new certificate (a running container survives where containers can run here)'
  'nspawn: a renewal whose certificate the installed CA did not issue is refused; files, MainPID and the served certificate unchanged'
  'nspawn: a rollout with a CA bundle (old and new CA, as a CA rotation sends) installs it: clients of both CAs are accepted'
  'cleanup: no mounts, processes or nspawn leftovers remain'
)
LAST_TEST=$((${#TESTS[@]} - 1))

# ----------------------------------------------------------------------------------------------------
# TAP helpers

FAILED=0
declare -A BLOCKED=() # requirement -> reason it is not met
CHECK_FAILED=0

note() { printf '# %s\n' "$*"; }

run_test() { # run_test N REQUIREMENT FUNCTION
  local n=$1 requirement=$2 function=$3 rc
  if [[ -n ${BLOCKED[$requirement]:-} ]]; then
    printf 'ok %d - %s # SKIP %s\n' "$n" "${TESTS[n]}" "${BLOCKED[$requirement]}"
    return
  fi
  CHECK_FAILED=0
  SKIP_REASON=''
  "$function"
  rc=$?
  if ((rc == 0)); then
    printf 'ok %d - %s\n' "$n" "${TESTS[n]}"
  elif ((rc == 2)); then
    printf 'ok %d - %s # SKIP %s\n' "$n" "${TESTS[n]}" "$SKIP_REASON"
  else
    printf 'not ok %d - %s\n' "$n" "${TESTS[n]}"
    FAILED=$((FAILED + 1))
  fi
}

# check DESCRIPTION COMMAND...: run a check, report it when it fails, keep going.
check() {
  local what=$1
  shift
  if "$@"; then return 0; fi
  printf '#   failed: %s\n' "$what"
  CHECK_FAILED=1
  return 1
}
checks_passed() {
  if ((CHECK_FAILED)); then
    show_run
    return 1
  fi
}
equals() { [[ $1 == "$2" ]]; }
matches() { [[ $1 =~ $2 ]]; }
contains() { grep -qF -- "$2" "$1"; }
lacks() { # lacks FILE STRING [FILE...]: no file contains STRING
  local string=$2
  set -- "$1" "${@:3}"
  ! grep -qF -- "$string" "$@"
}
same_file() { cmp -s -- "$1" "$2"; }
mode_is() { [[ $(stat -c '%a %u:%g' -- "$1" 2>/dev/null) == "$2 0:0" ]]; }

# ----------------------------------------------------------------------------------------------------
# Work area, cleanup

WORK=''
ROOT=''
DOCKERD_PID=''
LOCK_HOLDER_PID=''
NSPAWN_PID=''
LEADER=''
MACHINE="azdv-test-$$"
NSPAWN=''
NSPAWN_RUN_DIR_EXISTED=true
START=$SECONDS

stop_pid() { # stop_pid PID SECONDS: TERM, wait, KILL
  local pid=$1 waited=0
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && ((waited < $2 * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# Processes whose root directory is the test root (only ever started by this harness).
root_processes() {
  local dir pid
  [[ -n $ROOT && -d $ROOT ]] || return 0
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    if [[ $dir/root -ef $ROOT ]]; then printf '%s\n' "$pid"; fi
  done
}

chroot_mount() {
  mount -t proc proc "$ROOT/proc" &&
    mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys" &&
    mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev" &&
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$ROOT/run" && mount --make-private "$ROOT/run"
}

chroot_umount() {
  local dir
  for dir in run dev sys proc; do
    if mountpoint -q "$ROOT/$dir"; then umount -R "$ROOT/$dir" 2>/dev/null || umount -R -l "$ROOT/$dir"; fi
  done
}

stop_container() {
  [[ -n $NSPAWN_PID ]] || return 0
  stop_pid "$NSPAWN_PID" 30 # nspawn turns SIGTERM into an orderly shutdown of the container
  if [[ -n $LEADER ]] && kill -0 "$LEADER" 2>/dev/null; then kill -KILL "$LEADER" 2>/dev/null; fi
  NSPAWN_PID=''
  LEADER=''
  local leftover
  for leftover in /run/systemd/nspawn/*/"$MACHINE"; do
    if [[ -e $leftover ]]; then rm -rf -- "$leftover"; fi
  done
  if [[ $NSPAWN_RUN_DIR_EXISTED == false ]]; then
    rmdir /run/systemd/nspawn/* /run/systemd/nspawn 2>/dev/null
  fi
  return 0
}

cleanup() {
  local pid
  stop_pid "$LOCK_HOLDER_PID" 1
  LOCK_HOLDER_PID=''
  stop_pid "$DOCKERD_PID" 15
  DOCKERD_PID=''
  stop_container
  for pid in $(root_processes); do kill -KILL "$pid" 2>/dev/null; done
  if [[ -n $ROOT ]]; then chroot_umount; fi
  if [[ -n $WORK ]] && mountpoint -q "$WORK"; then umount -R "$WORK" 2>/dev/null || umount -R -l "$WORK"; fi
  if [[ -n $WORK && -d $WORK ]]; then rmdir "$WORK" 2>/dev/null; fi
  return 0
}

on_exit() {
  cleanup
  note "elapsed $((SECONDS - START)) s"
}

# ----------------------------------------------------------------------------------------------------
# Host tools, root file system

install_host_tools() {
  local -a missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v zstd >/dev/null || missing+=(zstd)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v nsenter >/dev/null && command -v unshare >/dev/null || missing+=(util-linux)
  ((${#missing[@]})) || return 0
  note "installing host tools: ${missing[*]}"
  apt-get -q update >/dev/null 2>&1 # errors from unrelated sources do not matter
  DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends "${missing[@]}" >"$WORK/host-apt.log" 2>&1 ||
    {
      sed 's/^/# | /' "$WORK/host-apt.log" | tail -n 20
      return 1
    }
}

# The Debian mirror from the host's apt sources (one-line and deb822 formats), not the security one.
detect_mirror() {
  if [[ -n ${AZDV_TEST_MIRROR:-} ]]; then
    printf '%s\n' "$AZDV_TEST_MIRROR"
    return
  fi
  local mirror
  mirror=$(awk -v suite="$SUITE" '
    FNR == 1 { uri = ""; suites = "" }
    /^deb / { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i + 1) == suite) print $i; break } }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { suites = " " $0 " " }
    /^$/ || /^Components:/ { if (uri != "" && suites ~ (" " suite " ")) print uri; if (/^$/) { uri = ""; suites = "" } }
  ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v -- '-security' | head -n 1)
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

# systemd-nspawn whose version matches the host's libsystemd-shared (extracted, not installed).
find_nspawn() {
  local version directory deb
  if command -v systemd-nspawn >/dev/null; then
    NSPAWN=$(command -v systemd-nspawn)
    return 0
  fi
  version=$(dpkg-query -W -f='${Version}' libsystemd-shared 2>/dev/null)
  if [[ -z $version ]]; then
    note "installing systemd-container (the host has no libsystemd-shared)"
    DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends systemd-container >/dev/null 2>&1 &&
      NSPAWN=$(command -v systemd-nspawn)
    [[ -n $NSPAWN ]]
    return
  fi
  directory=$CACHE_DIR/systemd-container_$version
  if [[ ! -x $directory/usr/bin/systemd-nspawn ]]; then
    mkdir -p "$WORK/deb" && (cd "$WORK/deb" && apt-get -q download "systemd-container=$version" >/dev/null 2>&1) &&
      deb=$(printf '%s\n' "$WORK"/deb/systemd-container_*.deb) && [[ -f $deb ]] &&
      rm -rf "$directory.tmp" && dpkg-deb -x "$deb" "$directory.tmp" && rm -rf "$directory" &&
      mv "$directory.tmp" "$directory" || return 1
  fi
  NSPAWN=$directory/usr/bin/systemd-nspawn
}

prepare_root() {
  local mirror key tarball
  mirror=$(detect_mirror)
  key=$(printf '%s %s %s' "$ROOT_CACHE_VERSION" "$SUITE" "$ROOT_PACKAGES" | sha256sum | cut -c1-12)
  tarball=$CACHE_DIR/$SUITE-minbase-$key.tar.zst
  mkdir -p "$CACHE_DIR" "$ROOT"
  exec {cache_lock}>"$CACHE_DIR/.lock"
  flock -w 900 "$cache_lock"
  if [[ -s $tarball ]]; then
    note "root from cache $tarball"
    zstd -q -d -c "$tarball" | tar -C "$ROOT" --numeric-owner -xpf - || return 1
  else
    note "debootstrap --variant=minbase --include=$ROOT_PACKAGES $SUITE from $mirror (cold cache)"
    nice -n 10 debootstrap --variant=minbase --include="$ROOT_PACKAGES" "$SUITE" "$ROOT" "$mirror" \
      >"$WORK/debootstrap.log" 2>&1 || {
      tail -n 20 "$WORK/debootstrap.log" | sed 's/^/# | /'
      return 1
    }
    rm -f "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*_Packages* 2>/dev/null
    if tar -C "$ROOT" --numeric-owner -cf - . | nice -n 10 zstd -q -T1 -3 -o "$tarball.tmp.$$"; then
      mv -f "$tarball.tmp.$$" "$tarball"
    else
      rm -f "$tarball.tmp.$$"
    fi
  fi
  flock -u "$cache_lock"
  exec {cache_lock}>&-

  # Per-run adjustments (not cached): name resolution and apt settings of the host, no service starts
  # from package scripts, an admin user, a private place for the test client.
  rm -f "$ROOT/etc/resolv.conf"
  cat /etc/resolv.conf >"$ROOT/etc/resolv.conf"
  apt-config dump 2>/dev/null | grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' \
    >"$ROOT/etc/apt/apt.conf.d/99azdv-host" || true
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
  chroot "$ROOT" useradd --create-home --shell /bin/bash azureuser || return 1
  install -d -m 0700 "$ROOT/root/azdv-client"
}

# ----------------------------------------------------------------------------------------------------
# TLS material (ECDSA P-256) and rendering

new_ca() { # new_ca DIR NAME
  mkdir -p "$1" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=$2" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$1/ca-key.pem" -out "$1/ca.pem" 2>/dev/null
}

new_leaf() { # new_leaf CA_DIR NAME PREFIX EXTENSIONS
  local ca=$1 name=$2 prefix=$3
  printf '%s\n' "$4" >"$prefix.ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$prefix-key.pem" -out "$prefix.csr" 2>/dev/null &&
    openssl x509 -req -in "$prefix.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca-key.pem" -days 30 \
      -set_serial "0x$(openssl rand -hex 16)" -extfile "$prefix.ext" -out "$prefix-cert.pem" 2>/dev/null
}

SERVER_EXT='subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature'
CLIENT_EXT='extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature'

SETTING_NAMES=(AZDV_PORT AZDV_CA_B64 AZDV_CERT_B64 AZDV_KEY_B64 AZDV_DAEMON_JSON_B64 AZDV_DOCKER_OPTIONS_B64
  AZDV_DOCKERD_FLAGS_B64 AZDV_DOCKER_VERSION AZDV_COMPOSE_B64 AZDV_COMPOSE_ENV_B64 AZDV_REGISTRY_SERVER AZDV_REGISTRY_USER_B64
  AZDV_REGISTRY_PASSWORD_B64 AZDV_ADMIN_USER)
declare -A S=()

b64() { base64 -w 0 <"$1"; }
b64_text() { printf '%s' "$1" | base64 -w 0; }

# render_script FILE: provision.sh with its "# @AZDV_SETTINGS@" line replaced by the settings block
# (the same form AzDockerVm's ProvisioningScript renders).
render_script() {
  local name value line
  {
    while IFS= read -r line || [[ -n $line ]]; do
      if [[ $line != '# @AZDV_SETTINGS@' ]]; then
        printf '%s\n' "$line"
        continue
      fi
      for name in "${SETTING_NAMES[@]}"; do
        value=${S[$name]-}
        if [[ $name == *_B64 ]]; then
          [[ $value =~ ^[A-Za-z0-9+/]*={0,2}$ ]] || return 1
        else
          [[ $value =~ ^[A-Za-z0-9._:/-]*$ ]] || return 1
        fi
        printf "%s='%s'\n" "$name" "$value"
      done
    done <"$PROVISION"
  } >"$1"
}

base_settings() {
  S=(
    [AZDV_PORT]=$PORT
    [AZDV_CA_B64]=$(b64 "$TLS/ca/ca.pem")
    [AZDV_CERT_B64]=$(b64 "$TLS/server1-cert.pem")
    [AZDV_KEY_B64]=$(b64 "$TLS/server1-key.pem")
    [AZDV_DAEMON_JSON_B64]=$(b64 "$TLS/daemon.json")
    [AZDV_DOCKER_OPTIONS_B64]=$(b64_text "$DOCKER_OPTIONS")
    [AZDV_DOCKERD_FLAGS_B64]=$(b64 "$DOCKERD_FLAGS")
    [AZDV_DOCKER_VERSION]=''
    [AZDV_COMPOSE_B64]=$(b64 "$TLS/compose.yml")
    [AZDV_COMPOSE_ENV_B64]=$(b64 "$TLS/compose.env")
    [AZDV_REGISTRY_SERVER]=''
    [AZDV_REGISTRY_USER_B64]=''
    [AZDV_REGISTRY_PASSWORD_B64]=''
    [AZDV_ADMIN_USER]=azureuser
  )
}

# ----------------------------------------------------------------------------------------------------
# Running the script

OUT=''
ERR=''
REFERENCE=''
REGISTRY_PASSWORD=''
COMPOSE_SECRET=''
DOCKER_OPTIONS=''
TLS=''
RC=0
LAST=''
RUN_NO=0

show_run() {
  [[ -n $OUT ]] || return 0
  note "exit status $RC; last stdout lines:"
  tail -n 8 "$OUT" | sed 's/^/# | /'
  note "last stderr lines:"
  tail -n 12 "$ERR" | sed 's/^/# | /'
}

in_container() { nsenter -t "$LEADER" -m -u -i -n -p -C -r -w /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root "$@"; }

# run_script MODE [-x] [NAME=VALUE...]: render with S and run in the chroot or the booted container.
run_script() {
  local mode=$1
  shift
  local -a environment=(PATH="$ROOT_PATH" HOME=/root) options=()
  while (($#)); do
    if [[ $1 == -x ]]; then options+=(-x); else environment+=("$1"); fi
    shift
  done
  RUN_NO=$((RUN_NO + 1))
  OUT=$WORK/runs/$RUN_NO-$mode.out
  ERR=$WORK/runs/$RUN_NO-$mode.err
  mkdir -p "$WORK/runs"
  render_script "$ROOT/root/azdv-provision.sh" || {
    note "a setting does not fit the contract"
    RC=99
    return
  }
  case $mode in
  chroot) nice -n 5 chroot "$ROOT" /usr/bin/env -i "${environment[@]}" bash "${options[@]}" /root/azdv-provision.sh ;;
  nspawn) in_container "${environment[@]}" bash "${options[@]}" /root/azdv-provision.sh ;;
  esac >"$OUT" 2>"$ERR"
  RC=$?
  LAST=$(tail -n 1 "$OUT")
  if [[ $VERBOSE == 1 ]]; then
    sed 's/^/# | /' "$OUT"
    sed 's/^/# ! /' "$ERR"
  fi
}

CONFIG_PATHS=(etc/docker etc/docker/tls etc/docker/tls/ca.pem etc/docker/tls/server-cert.pem
  etc/docker/tls/server-key.pem etc/docker/daemon.json etc/systemd/system/docker.service.d
  etc/systemd/system/docker.service.d/azdockervm.conf etc/docker/compose etc/docker/compose/docker-compose.yml
  etc/docker/compose/.env)

# snapshot [content]: mode, owner, size, mtime (unless "content") and sha256 of everything the script writes.
snapshot() {
  local path format='%a %u:%g %s %y'
  if [[ ${1:-} == content ]]; then format='%a %u:%g %s'; fi
  for path in "${CONFIG_PATHS[@]}"; do
    if [[ -d $ROOT/$path ]]; then
      [[ ${1:-} == content ]] && continue
      printf '%s %s\n' "$path" "$(stat -c "$format" "$ROOT/$path")"
    elif [[ -f $ROOT/$path ]]; then
      printf '%s %s %s\n' "$path" "$(stat -c "$format" "$ROOT/$path")" "$(sha256sum <"$ROOT/$path" | cut -c1-64)"
    else
      printf '%s missing\n' "$path"
    fi
  done
}

# The client: the docker CLI of the root (the one the script installed), in the daemon's network namespace.
CLIENT_DIR=/root/azdv-client
docker_client() { # docker_client NETNS_PID CLIENT(good|foreign|none) ARGS...
  local pid=$1 client=$2
  shift 2
  local -a tls=(--tlsverify --tlscacert "$CLIENT_DIR/ca.pem")
  case $client in
  good) tls+=(--tlscert "$CLIENT_DIR/client-cert.pem" --tlskey "$CLIENT_DIR/client-key.pem") ;;
  foreign) tls+=(--tlscert "$CLIENT_DIR/foreign-cert.pem" --tlskey "$CLIENT_DIR/foreign-key.pem") ;;
  esac
  nsenter --net="/proc/$pid/ns/net" chroot "$ROOT" /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root \
    /usr/bin/docker --config "$CLIENT_DIR/config" "${tls[@]}" -H "tcp://127.0.0.1:$PORT" "$@"
}

client_accepted() { docker_client "$1" good version >/dev/null 2>&1; }

served_fingerprint() { # served_fingerprint NETNS_PID
  nsenter --net="/proc/$1/ns/net" openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$TLS/ca/ca.pem" \
    -cert "$TLS/client-cert.pem" -key "$TLS/client-key.pem" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
fingerprint_of() { openssl x509 -noout -fingerprint -sha256 -in "$1"; }

# ----------------------------------------------------------------------------------------------------
# Tests

t_shellcheck() {
  local output
  output=$(shellcheck -x "$PROVISION" 2>&1) && return 0
  printf '%s\n' "$output" | head -n 40 | sed 's/^/# | /'
  return 1
}

t_root() {
  if ! install_host_tools; then
    BLOCKED[root]='host tools could not be installed'
    return 1
  fi
  WORK=$(mktemp -d /tmp/azdv-debian-root.XXXXXX)
  if ! { mount -t tmpfs -o size=2g,mode=0755 azdv-test "$WORK" && mount --make-private "$WORK"; }; then
    BLOCKED[root]='no tmpfs work area'
    return 1
  fi
  ROOT=$WORK/root
  TLS=$WORK/tls
  if ! prepare_root; then
    BLOCKED[root]='the Debian root could not be built'
    return 1
  fi
  check 'root is Debian 12' grep -qx 'VERSION_ID="12"' "$ROOT/etc/os-release"
  checks_passed || { BLOCKED[root]='the Debian root is not usable'; return 1; }
}

t_render() {
  if ! { mkdir -p "$TLS" &&
    new_ca "$TLS/ca" 'AzDockerVm test CA' &&
    new_ca "$TLS/foreign" 'Foreign CA' &&
    new_leaf "$TLS/ca" 'azdv test server 1' "$TLS/server1" "$SERVER_EXT" &&
    new_leaf "$TLS/ca" 'azdv test server 2' "$TLS/server2" "$SERVER_EXT" &&
    new_leaf "$TLS/ca" 'azdv test server 3' "$TLS/server3" "$SERVER_EXT" &&
    new_leaf "$TLS/ca" 'azdv test client' "$TLS/client" "$CLIENT_EXT" &&
    new_leaf "$TLS/foreign" 'foreign client' "$TLS/foreign" "$CLIENT_EXT"; }; then
    BLOCKED[root]='no TLS material'
    return 1
  fi
  cp "$TLS/ca/ca.pem" "$TLS/client-cert.pem" "$TLS/client-key.pem" "$TLS/foreign-cert.pem" \
    "$TLS/foreign-key.pem" "$ROOT$CLIENT_DIR/"
  cat >"$TLS/daemon.json" <<EOF
{
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:$PORT"],
  "tls": true,
  "tlsverify": true,
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/server-cert.pem",
  "tlskey": "/etc/docker/tls/server-key.pem",
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "3" },
  "live-restore": true,
  "no-new-privileges": true,
  "userland-proxy": false
}
EOF
  # Legacy flags, one per line (the old extension's docker.options); iptables/bridge off for the sandbox.
  DOCKER_OPTIONS=$'--iptables=false\n--bridge=none\n--default-ulimit=nofile=65536:65536'
  printf 'services:\n  web:\n    image: nginx:stable\n    env_file: .env\n' >"$TLS/compose.yml"
  COMPOSE_SECRET="AzdvComposeSecret-$(openssl rand -hex 8)"
  printf 'DB_PASSWORD=%s\n' "$COMPOSE_SECRET" >"$TLS/compose.env"
  base_settings
  render_script "$WORK/rendered.sh" || {
    BLOCKED[root]='rendering failed'
    return 1
  }
  check 'line 1 is #!/bin/bash' equals "$(head -n 1 "$WORK/rendered.sh")" '#!/bin/bash'
  local guard settings_at
  guard=$(grep -nxF '{ set +x; } 2>/dev/null' "$WORK/rendered.sh" | head -n 1 | cut -d: -f1)
  settings_at=$(grep -nE "^AZDV_[A-Z0-9_]+='" "$WORK/rendered.sh" | head -n 1 | cut -d: -f1)
  check 'one single-quoted assignment per setting' \
    equals "$(grep -cE "^AZDV_[A-Z0-9_]+='[A-Za-z0-9+/=._:-]*'$" "$WORK/rendered.sh")" "${#SETTING_NAMES[@]}"
  check 'the settings block stands right after the tracing guard' equals "$settings_at" "$((guard + 1))"
  check 'the rest is provision.sh with its settings marker replaced' \
    equals "$(grep -vE "^AZDV_[A-Z0-9_]+='" "$WORK/rendered.sh" | sha256sum)" "$(grep -vxF '# @AZDV_SETTINGS@' "$PROVISION" | sha256sum)"
  check 'rendered script parses' bash -n "$WORK/rendered.sh"
  checks_passed || {
    BLOCKED[root]='rendering failed'
    return 1
  }
}

t_first_run() {
  if ! chroot_mount; then
    BLOCKED[installed]='chroot mounts failed'
    return 1
  fi
  # Another package manager holds the dpkg lock for a few seconds (an open lock file, as fuser sees it).
  sleep 6 9>>"$ROOT/var/lib/dpkg/lock-frontend" &
  LOCK_HOLDER_PID=$!
  run_script chroot
  wait "$LOCK_HOLDER_PID" 2>/dev/null
  LOCK_HOLDER_PID=''
  check 'exit status 0' equals "$RC" 0
  check 'waited for the dpkg lock' contains "$OUT" 'waiting for another package manager'
  check 'noticed the lock release' contains "$OUT" 'package manager lock released after'
  check 'docker.io installed in the root' test -x "$ROOT/usr/sbin/dockerd"
  check 'says systemd is not running and docker was not started' \
    contains "$OUT" 'systemd is not running (no init system, e.g. a chroot or container): Docker is installed and configured but was not started'
  check 'says compose was skipped' contains "$OUT" 'compose skipped: it needs a running Docker daemon'
  check 'summary line' matches "$LAST" "^AZDOCKERVM status=ok docker=20\.10\.[0-9A-Za-z.+~:-]+ port=$PORT tls=on changed=true started=false$"
  check 'stderr is empty' test ! -s "$ERR"
  checks_passed || { BLOCKED[installed]='the first run failed'; return 1; }
}

t_files() {
  local expected
  check 'tls dir 0700' mode_is "$ROOT/etc/docker/tls" 700
  check 'ca.pem content' same_file "$ROOT/etc/docker/tls/ca.pem" "$TLS/ca/ca.pem"
  check 'ca.pem 0644' mode_is "$ROOT/etc/docker/tls/ca.pem" 644
  check 'server-cert.pem content' same_file "$ROOT/etc/docker/tls/server-cert.pem" "$TLS/server1-cert.pem"
  check 'server-cert.pem 0644' mode_is "$ROOT/etc/docker/tls/server-cert.pem" 644
  check 'server-key.pem content' same_file "$ROOT/etc/docker/tls/server-key.pem" "$TLS/server1-key.pem"
  check 'server-key.pem 0600' mode_is "$ROOT/etc/docker/tls/server-key.pem" 600
  check 'daemon.json verbatim' same_file "$ROOT/etc/docker/daemon.json" "$TLS/daemon.json"
  check 'daemon.json 0644' mode_is "$ROOT/etc/docker/daemon.json" 644
  expected="ExecStart=/usr/sbin/dockerd --containerd=/run/containerd/containerd.sock ${DOCKER_OPTIONS//$'\n'/ }"
  check 'drop-in resets ExecStart' grep -qx 'ExecStart=' "$ROOT/etc/systemd/system/docker.service.d/azdockervm.conf"
  check "drop-in starts: $expected" grep -qxF -- "$expected" "$ROOT/etc/systemd/system/docker.service.d/azdockervm.conf"
  check 'ExecStart has no -H/--host' test -z "$(grep '^ExecStart=' "$ROOT/etc/systemd/system/docker.service.d/azdockervm.conf" | grep -E -- ' (-H|--host)')"
  check 'drop-in 0644' mode_is "$ROOT/etc/systemd/system/docker.service.d/azdockervm.conf" 644
  check 'compose dir 0700' mode_is "$ROOT/etc/docker/compose" 700
  check 'compose file content' same_file "$ROOT/etc/docker/compose/docker-compose.yml" "$TLS/compose.yml"
  check 'compose file 0600' mode_is "$ROOT/etc/docker/compose/docker-compose.yml" 600
  check 'compose .env content' same_file "$ROOT/etc/docker/compose/.env" "$TLS/compose.env"
  check 'compose .env 0600' mode_is "$ROOT/etc/docker/compose/.env" 600
  check 'no temporary files left' test -z "$(find "$ROOT/etc/docker" "$ROOT/etc/systemd/system/docker.service.d" -name '.azdockervm.*')"
  checks_passed
}

t_group() {
  check 'azureuser is in the docker group' matches " $(chroot "$ROOT" id -nG azureuser) " ' docker '
  checks_passed
}

t_chroot_dockerd() {
  local version waited=0
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  unshare --net -- /bin/sh -c 'ip link set lo up && exec chroot "$1" /usr/sbin/dockerd \
    --config-file /etc/docker/daemon.json --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs' \
    sh "$ROOT" >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  until version=$(docker_client "$DOCKERD_PID" good version --format '{{.Server.Version}}' 2>"$WORK/client.err"); do
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null || ((waited >= 200)); then break; fi
    sleep 0.1
    waited=$((waited + 1))
  done
  check 'dockerd with the written daemon.json answers the right client over TLS' matches "$version" '^20\.10\.'
  check 'it serves the written server certificate' \
    equals "$(served_fingerprint "$DOCKERD_PID")" "$(fingerprint_of "$TLS/server1-cert.pem")"
  if ((CHECK_FAILED)); then
    sed 's/^/# client | /' "$WORK/client.err" | tail -n 5
    tail -n 15 "$WORK/dockerd.log" | sed 's/^/# dockerd | /'
    BLOCKED[dockerd]='dockerd did not serve TLS'
    return 1
  fi
}

t_chroot_rejects() {
  local output
  output=$(docker_client "$DOCKERD_PID" foreign version 2>&1)
  check 'foreign client rejected' test $? -ne 0
  check 'foreign client: bad certificate' matches "$output" 'bad certificate'
  output=$(docker_client "$DOCKERD_PID" none version 2>&1)
  check 'client without certificate rejected' test $? -ne 0
  check 'no certificate: bad certificate' matches "$output" 'bad certificate'
  stop_pid "$DOCKERD_PID" 15
  DOCKERD_PID=''
  check 'dockerd and its containerd stopped' test -z "$(root_processes)"
  checks_passed
}

t_noop() {
  local before after
  before=$(snapshot)
  sleep 1.1 # a rewrite would show in the mtimes
  run_script chroot
  after=$(snapshot)
  check 'exit status 0' equals "$RC" 0
  check 'no file or directory changed (hash, mode, owner, size, mtime)' equals "$after" "$before"
  check 'summary says changed=false started=false' matches "$LAST" '^AZDOCKERVM status=ok .* changed=false started=false$'
  check 'says docker is installed already' contains "$OUT" 'Docker is already installed'
  check 'no "updated" lines' lacks "$OUT" 'updated /'
  if ((CHECK_FAILED)); then diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/# /'; fi
  checks_passed
}

# expect_refused REASON MESSAGE: the last run failed cleanly and left every file as it was.
expect_refused() {
  check 'exit status non-zero' test "$RC" -ne 0
  check "summary: status=failed reason=$1" equals "$LAST" "AZDOCKERVM status=failed reason=$1"
  check "stderr explains: $2" contains "$ERR" "$2"
  check 'files byte-identical, untouched' equals "$(snapshot)" "$REFERENCE"
}

t_key_mismatch() {
  REFERENCE=$(snapshot)
  base_settings
  S[AZDV_KEY_B64]=$(b64 "$TLS/server2-key.pem")
  run_script chroot
  expect_refused key-mismatch 'the server key (AZDV_KEY_B64) does not belong to the server certificate'
  checks_passed
}

t_bad_json() {
  base_settings
  S[AZDV_DAEMON_JSON_B64]=$(head -c -3 "$TLS/daemon.json" | base64 -w 0)
  run_script chroot
  expect_refused invalid-daemon-json 'daemon.json (AZDV_DAEMON_JSON_B64) is not valid JSON'
  checks_passed
}

t_bad_settings() {
  base_settings
  S[AZDV_CERT_B64]=${S[AZDV_CERT_B64]:1}
  run_script chroot
  expect_refused invalid-setting 'setting AZDV_CERT_B64 is not valid base64'

  base_settings
  S[AZDV_DAEMON_JSON_B64]=$(grep -v tlsverify "$TLS/daemon.json" | base64 -w 0)
  run_script chroot
  expect_refused invalid-daemon-json 'daemon.json must set "tlsverify": true'

  base_settings
  S[AZDV_DOCKER_OPTIONS_B64]=$(b64_text $'--debug\n-H tcp://0.0.0.0:2375')
  run_script chroot
  expect_refused invalid-setting 'docker option -H sets what AzDockerVm manages'

  base_settings
  S[AZDV_DOCKER_OPTIONS_B64]=$(b64_text '--log-opt max-size=1m')
  run_script chroot
  expect_refused invalid-daemon-json 'a docker option sets "log-opts", which daemon.json sets too'
  checks_passed
}

t_pinned_unreachable() {
  # download.docker.com resolves to loopback in the root: refused at once, as without internet.
  cp -p "$ROOT/etc/hosts" "$ROOT/etc/hosts.azdv"
  printf '127.0.0.1 download.docker.com\n' >>"$ROOT/etc/hosts"
  base_settings
  S[AZDV_DOCKER_VERSION]=24.0.7
  run_script chroot
  mv -f "$ROOT/etc/hosts.azdv" "$ROOT/etc/hosts"
  check 'says which version it installs from where' \
    contains "$OUT" 'installing Docker 24.0.7 from download.docker.com (installed docker-ce: none)'
  expect_refused repository-unreachable 'could not download https://download.docker.com/linux/debian/gpg'
  check 'docker.io left in place' test -x "$ROOT/usr/sbin/dockerd"
  checks_passed
}

t_unsupported() {
  mv "$ROOT/etc/os-release" "$ROOT/etc/os-release.azdv"
  printf 'PRETTY_NAME="Fedora Linux 40 (Server Edition)"\nID=fedora\nVERSION_ID=40\n' >"$ROOT/etc/os-release"
  base_settings
  run_script chroot
  rm -f "$ROOT/etc/os-release"
  mv "$ROOT/etc/os-release.azdv" "$ROOT/etc/os-release"
  expect_refused unsupported-distro 'unsupported distribution: Fedora Linux 40 (Server Edition) (ID=fedora VERSION_ID=40)'
  check 'one line on stderr' equals "$(wc -l <"$ERR")" 1
  checks_passed
}

# Secret values that must never show: PEM body lines of the key, the password, the .env secret.
secret_lines() {
  {
    grep -v -- '-----' "$TLS/server1-key.pem"
    printf '%s\n' "$REGISTRY_PASSWORD" "$COMPOSE_SECRET"
  } | grep .
}
encoded_secrets() {
  printf '%s\n' "${S[AZDV_KEY_B64]}" "${S[AZDV_REGISTRY_PASSWORD_B64]}" "${S[AZDV_COMPOSE_ENV_B64]}" | grep .
}

t_secrets_xtrace() {
  local secret outside
  base_settings
  REGISTRY_PASSWORD="AzdvFakeRegistryPassword-$(openssl rand -hex 8)"
  S[AZDV_REGISTRY_SERVER]=registry.example.test
  S[AZDV_REGISTRY_USER_B64]=$(b64_text azdvuser)
  S[AZDV_REGISTRY_PASSWORD_B64]=$(b64_text "$REGISTRY_PASSWORD")
  run_script chroot -x AZDV_DEBUG=1
  check 'exit status 0' equals "$RC" 0
  check 'the run was traced' grep -q '^+ detect_distro' "$ERR"
  check 'registry login skipped without a daemon' contains "$OUT" 'registry login skipped: it needs a running Docker daemon'
  while IFS= read -r secret; do
    check "secret line ${secret:0:6}... absent from stdout and stderr" lacks "$OUT" "$secret" "$ERR"
  done < <(secret_lines)
  # The settings block stands after the tracing guard: not even the encoded values are traced.
  while IFS= read -r secret; do
    check "encoded secret ${secret:0:6}... absent from stdout and stderr" lacks "$OUT" "$secret" "$ERR"
  done < <(encoded_secrets)
  checks_passed
}

t_secrets_debug() {
  local secret
  run_script chroot AZDV_DEBUG=1
  check 'exit status 0' equals "$RC" 0
  check 'the run was traced' grep -q '^+ detect_distro' "$ERR"
  while IFS= read -r secret; do
    check "secret ${secret:0:6}... absent" lacks "$OUT" "$secret" "$ERR"
  done < <(secret_lines; encoded_secrets)
  checks_passed
}

# The product's own rendering, end to end: the script Set-AzDockerExtension sent in its protected settings, and
# (when given) the one New-AzDockerVm sent for a new host, each run in turn with its own TLS set.
t_module_rendered() {
  if [[ -z ${AZDV_TEST_RENDERED_SCRIPT:-} || -z ${AZDV_TEST_RENDERED_CLIENT:-} ]]; then
    SKIP_REASON='no script rendered by AzDockerVm given (AZDV_TEST_RENDERED_SCRIPT, AZDV_TEST_RENDERED_CLIENT)'
    return 2
  fi
  module_rendered_run "$AZDV_TEST_RENDERED_SCRIPT" "$AZDV_TEST_RENDERED_CLIENT" Set-AzDockerExtension
  if [[ -n ${AZDV_TEST_RENDERED_NEW_SCRIPT:-} && -n ${AZDV_TEST_RENDERED_NEW_CLIENT:-} ]]; then
    module_rendered_run "$AZDV_TEST_RENDERED_NEW_SCRIPT" "$AZDV_TEST_RENDERED_NEW_CLIENT" New-AzDockerVm
  fi
  checks_passed
}

module_rendered_run() { # module_rendered_run SCRIPT CLIENT_FOLDER LABEL
  local script=$1 folder=$2 label=$3 version pid waited=0 output client=/root/azdv-module-client
  cp "$script" "$ROOT/root/azdv-module.sh"
  rm -rf "$ROOT$client"
  mkdir -p "$ROOT$client"
  cp "$folder"/ca.pem "$folder"/cert.pem "$folder"/key.pem "$ROOT$client/"
  mkdir -p "$WORK/runs"
  nice -n 5 chroot "$ROOT" /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root bash /root/azdv-module.sh \
    >"$WORK/runs/module.out" 2>"$WORK/runs/module.err"
  check "$label: exit status 0" equals "$?" 0
  check "$label: summary line" matches "$(tail -n 1 "$WORK/runs/module.out")" \
    "^AZDOCKERVM status=ok docker=20\.10\.[0-9A-Za-z.+~:-]+ port=$PORT tls=on changed=true started=false$"
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  unshare --net -- /bin/sh -c 'ip link set lo up && exec chroot "$1" /usr/sbin/dockerd \
    --config-file /etc/docker/daemon.json --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs' \
    sh "$ROOT" >"$WORK/dockerd-module.log" 2>&1 &
  pid=$!
  module_client() { # module_client CERT KEY ARGS...: trusts the module's CA
    local cert=$1 key=$2
    shift 2
    nsenter --net="/proc/$pid/ns/net" chroot "$ROOT" /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root \
      /usr/bin/docker --config "$CLIENT_DIR/config" --tlsverify --tlscacert "$client/ca.pem" \
      --tlscert "$cert" --tlskey "$key" -H "tcp://127.0.0.1:$PORT" "$@"
  }
  until version=$(module_client "$client/cert.pem" "$client/key.pem" version --format '{{.Server.Version}}' 2>"$WORK/client.err"); do
    if ! kill -0 "$pid" 2>/dev/null || ((waited >= 200)); then break; fi
    sleep 0.1
    waited=$((waited + 1))
  done
  check "$label: the module's client set is accepted over TLS ($version)" matches "$version" '^20\.10\.'
  output=$(module_client "$CLIENT_DIR/client-cert.pem" "$CLIENT_DIR/client-key.pem" version 2>&1)
  check "$label: a client certificate from another CA is rejected (bad certificate)" matches "$output" 'bad certificate'
  if ((CHECK_FAILED)); then
    tail -n 5 "$WORK/runs/module.err" | sed 's/^/# script | /'
    tail -n 10 "$WORK/dockerd-module.log" | sed 's/^/# dockerd | /'
  fi
  stop_pid "$pid" 15
  check "$label: dockerd and its containerd stopped" test -z "$(root_processes)"
}

t_boot() {
  local waited=0 child state
  local -a children
  if ! find_nspawn; then
    SKIP_REASON='no systemd-nspawn matching the host systemd'
    BLOCKED[nspawn]=$SKIP_REASON
    return 2
  fi
  chroot_umount
  # As booted on a VM: no policy-rc.d; docker not enabled yet (the script must enable and start it);
  # a stub compose v2 plugin that records how it is called (Debian 12 has no compose v2 package).
  rm -f "$ROOT/usr/sbin/policy-rc.d" "$ROOT/etc/systemd/system/multi-user.target.wants/docker.service" \
    "$ROOT/etc/systemd/system/sockets.target.wants/docker.socket"
  mkdir -p "$ROOT/usr/local/lib/docker/cli-plugins"
  cat >"$ROOT/usr/local/lib/docker/cli-plugins/docker-compose" <<'EOF'
#!/bin/sh
if [ "$1" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"AzDockerVm test","Version":"v2.99.0","ShortDescription":"compose stub"}'
  exit 0
fi
echo "$(pwd) | $*" >>/root/compose-stub.log
[ "$2" = version ] && echo 'Docker Compose version v2.99.0'
exit 0
EOF
  chmod 0755 "$ROOT/usr/local/lib/docker/cli-plugins/docker-compose"
  [[ -d /run/systemd/nspawn ]] || NSPAWN_RUN_DIR_EXISTED=false
  "$NSPAWN" -q -D "$ROOT" -b -M "$MACHINE" --register=no --keep-unit --private-network \
    --link-journal=no --console=read-only >"$WORK/nspawn.log" 2>&1 </dev/null &
  NSPAWN_PID=$!
  while [[ -z $LEADER ]] && ((waited < 100)) && kill -0 "$NSPAWN_PID" 2>/dev/null; do
    read -ra children < <(cat /proc/"$NSPAWN_PID"/task/*/children 2>/dev/null)
    for child in "${children[@]}"; do
      if [[ $(cat "/proc/$child/comm" 2>/dev/null) == systemd ]]; then LEADER=$child; fi
    done
    sleep 0.1
    waited=$((waited + 1))
  done
  # Until systemd's private bus socket exists, systemctl fails at once: ask again until it answers.
  waited=0
  while [[ -n $LEADER ]] && ((waited < 90)) && kill -0 "$LEADER" 2>/dev/null; do
    state=$(timeout 90 nsenter -t "$LEADER" -m -u -i -n -p -C -r -w systemctl is-system-running --wait 2>/dev/null)
    if [[ $state =~ ^(running|degraded)$ ]]; then break; fi
    sleep 0.5
    waited=$((waited + 1))
  done
  check 'container init found' test -n "$LEADER"
  check "system is up (state: ${state:-none})" matches "${state:-}" '^(running|degraded)$'
  if ((CHECK_FAILED)); then
    tail -n 20 "$WORK/nspawn.log" | sed 's/^/# nspawn | /'
    BLOCKED[nspawn]='the container did not boot'
    return 1
  fi
}

main_pid() { in_container systemctl show -p MainPID --value docker.service; }

t_nspawn_first() {
  local version
  base_settings
  run_script nspawn
  check 'exit status 0' equals "$RC" 0
  check 'enabled docker' contains "$OUT" 'enabled docker.service'
  check 'docker.service is enabled' equals "$(in_container systemctl is-enabled docker.service)" enabled
  check 'docker.service is active' equals "$(in_container systemctl is-active docker.service)" active
  version=$(docker_client "$LEADER" good version --format '{{.Server.Version}}' 2>&1)
  check "TLS port accepts the client certificate ($version)" matches "$version" '^20\.10\.'
  check 'summary line' matches "$LAST" "^AZDOCKERVM status=ok docker=20\.10\.[0-9A-Za-z.+~:-]+ port=$PORT tls=on changed=true started=true$"
  checks_passed || { BLOCKED[started]='docker did not start under systemd'; return 1; }
}

t_nspawn_noop() {
  local pid before
  pid=$(main_pid)
  before=$(snapshot)
  sleep 1.1
  run_script nspawn
  check 'exit status 0' equals "$RC" 0
  check "docker MainPID unchanged ($pid)" equals "$(main_pid)" "$pid"
  check 'files unchanged' equals "$(snapshot)" "$before"
  check 'summary says changed=false started=true' matches "$LAST" '^AZDOCKERVM status=ok .* changed=false started=true$'
  checks_passed
}

t_nspawn_compose() {
  check 'stub called: up -d in /etc/docker/compose with the compose file' \
    grep -qx '/etc/docker/compose | compose -f docker-compose.yml up -d --remove-orphans' "$ROOT/root/compose-stub.log"
  check 'stub called on every run (declarative)' equals "$(grep -c ' up -d ' "$ROOT/root/compose-stub.log")" 2
  checks_passed
}

t_nspawn_rotate() {
  local pid new_pid
  pid=$(main_pid)
  base_settings
  S[AZDV_CERT_B64]=$(b64 "$TLS/server2-cert.pem")
  S[AZDV_KEY_B64]=$(b64 "$TLS/server2-key.pem")
  S[AZDV_DOCKER_OPTIONS_B64]=$(b64_text "$DOCKER_OPTIONS"$'\n--max-concurrent-downloads=5')
  run_script nspawn
  new_pid=$(main_pid)
  check 'exit status 0' equals "$RC" 0
  check 'summary says changed=true started=true' matches "$LAST" '^AZDOCKERVM status=ok .* changed=true started=true$'
  check "docker restarted (MainPID $pid -> $new_pid)" test "$new_pid" != "$pid" -a "$new_pid" != 0
  check 'the new certificate is served' \
    equals "$(served_fingerprint "$LEADER")" "$(fingerprint_of "$TLS/server2-cert.pem")"
  check 'dockerd runs with the new option' \
    matches "$(in_container cat "/proc/$new_pid/cmdline" | tr '\0' ' ')" '--max-concurrent-downloads=5'
  check 'client still accepted' client_accepted "$LEADER"
  checks_passed
}

t_nspawn_rollback() {
  local before
  before=$(snapshot content)
  base_settings
  S[AZDV_CERT_B64]=$(b64 "$TLS/server3-cert.pem")
  S[AZDV_KEY_B64]=$(b64 "$TLS/server3-key.pem")
  S[AZDV_DOCKER_OPTIONS_B64]=$(b64_text "$DOCKER_OPTIONS"$'\n--log-level=azdv-test-bogus')
  run_script nspawn
  check 'exit status non-zero' test "$RC" -ne 0
  check 'summary: status=failed reason=docker-start-failed' equals "$LAST" 'AZDOCKERVM status=failed reason=docker-start-failed'
  check 'stderr says the previous configuration was restored' contains "$ERR" 'the previous configuration was restored and Docker runs with it'
  check 'stderr shows the docker log' contains "$ERR" 'azdv-test-bogus'
  check 'files restored (content, modes)' equals "$(snapshot content)" "$before"
  check 'docker.service active again' equals "$(in_container systemctl is-active docker.service)" active
  check 'the previous certificate is served' \
    equals "$(served_fingerprint "$LEADER")" "$(fingerprint_of "$TLS/server2-cert.pem")"
  checks_passed
}

t_nspawn_login() {
  local secret outside
  base_settings
  S[AZDV_CERT_B64]=$(b64 "$TLS/server2-cert.pem")
  S[AZDV_KEY_B64]=$(b64 "$TLS/server2-key.pem")
  S[AZDV_DOCKER_OPTIONS_B64]=$(b64_text "$DOCKER_OPTIONS"$'\n--max-concurrent-downloads=5')
  REGISTRY_PASSWORD="AzdvFakeRegistryPassword-$(openssl rand -hex 8)"
  S[AZDV_REGISTRY_SERVER]=127.0.0.1:5999
  S[AZDV_REGISTRY_USER_B64]=$(b64_text azdvuser)
  S[AZDV_REGISTRY_PASSWORD_B64]=$(b64_text "$REGISTRY_PASSWORD")
  run_script nspawn -x
  check 'exit status non-zero' test "$RC" -ne 0
  check 'summary: status=failed reason=registry-login-failed' equals "$LAST" 'AZDOCKERVM status=failed reason=registry-login-failed'
  check 'login was attempted' contains "$OUT" 'logging in to 127.0.0.1:5999'
  check 'password absent from stdout and stderr' lacks "$OUT" "$REGISTRY_PASSWORD" "$ERR"
  outside=$(cat "$OUT" "$ERR" | grep -vE '^\++ AZDV_[A-Z_]+_B64=' | grep -cF -- "${S[AZDV_REGISTRY_PASSWORD_B64]}")
  check 'encoded password only in the traced settings block' equals "$outside" 0
  check 'password absent from the log file' lacks "$ROOT/var/log/azdockervm.log" "$REGISTRY_PASSWORD"
  checks_passed
}

# The renewal, end to end: a host set up by the script Set-AzDockerExtension rendered, then the renewal
# Update-AzDockerTlsCertificate rendered for it, each run exactly as sent.
RENEW_CLIENT=/root/azdv-renew-client

run_module_script() { # run_module_script FILE: a script AzDockerVm rendered, run as is in the booted container
  RUN_NO=$((RUN_NO + 1))
  OUT=$WORK/runs/$RUN_NO-module.out
  ERR=$WORK/runs/$RUN_NO-module.err
  mkdir -p "$WORK/runs"
  cp "$1" "$ROOT/root/azdv-module.sh"
  in_container bash /root/azdv-module.sh >"$OUT" 2>"$ERR"
  RC=$?
  LAST=$(tail -n 1 "$OUT")
  if [[ $VERBOSE == 1 ]]; then
    sed 's/^/# | /' "$OUT"
    sed 's/^/# ! /' "$ERR"
  fi
}

renew_client() { # renew_client ARGS...: the docker CLI with the module's client set, verifying the host name
  nsenter --net="/proc/$LEADER/ns/net" chroot "$ROOT" /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root \
    /usr/bin/docker --config "$CLIENT_DIR/config" --tlsverify --tlscacert "$RENEW_CLIENT/ca.pem" \
    --tlscert "$RENEW_CLIENT/cert.pem" --tlskey "$RENEW_CLIENT/key.pem" -H "tcp://127.0.0.1:$PORT" "$@"
}

renew_served() {
  nsenter --net="/proc/$LEADER/ns/net" openssl s_client -connect "127.0.0.1:$PORT" -cert "$ROOT$RENEW_CLIENT/cert.pem" \
    -key "$ROOT$RENEW_CLIENT/key.pem" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

# script_certificate FILE: the fingerprint of the server certificate a rendered script carries.
script_certificate() {
  sed -n "s/^AZDV_CERT_B64='\(.*\)'\$/\1/p" "$1" | base64 -d | openssl x509 -noout -fingerprint -sha256
}

live_restore() { in_container docker info --format '{{.LiveRestoreEnabled}}' 2>/dev/null; }

wait_docker() { # wait_docker: until the daemon answers on its socket (30 s)
  local waited=0
  until in_container docker version >/dev/null 2>&1 || ((waited >= 60)); do
    sleep 0.5
    waited=$((waited + 1))
  done
}

daemon_keys() { # daemon_keys: the keys of /etc/docker/daemon.json but live-restore, sorted
  python3 -c 'import json,sys; print(" ".join(sorted(k for k in json.load(open(sys.argv[1])) if k != "live-restore")))' \
    "$ROOT/etc/docker/daemon.json"
}

CONTAINER=''
t_nspawn_renew() {
  local pid new_pid keys dropin expected served output
  if [[ -z ${AZDV_TEST_RENDERED_RENEW_SCRIPT:-} || -z ${AZDV_TEST_RENDERED_RENEW_PROVISION:-} || -z ${AZDV_TEST_RENDERED_RENEW_CLIENT:-} ]]; then
    SKIP_REASON='no renewal rendered by AzDockerVm given (AZDV_TEST_RENDERED_RENEW_*)'
    return 2
  fi
  rm -rf "$ROOT$RENEW_CLIENT"
  mkdir -p "$ROOT$RENEW_CLIENT"
  cp "$AZDV_TEST_RENDERED_RENEW_CLIENT"/ca.pem "$AZDV_TEST_RENDERED_RENEW_CLIENT"/cert.pem "$AZDV_TEST_RENDERED_RENEW_CLIENT"/key.pem "$ROOT$RENEW_CLIENT/"
  run_module_script "$AZDV_TEST_RENDERED_RENEW_PROVISION"
  check 'the host as Set-AzDockerExtension set it up: exit status 0' equals "$RC" 0
  check "its client set is accepted (host name verified)" renew_client version
  # A host made before live-restore was every host's default: daemon.json without it, a daemon without it.
  in_container python3 -c 'import json; p="/etc/docker/daemon.json"; c=json.load(open(p)); c.pop("live-restore", None); json.dump(c, open(p, "w"), indent=2)'
  in_container systemctl restart docker.service
  wait_docker
  check 'before: the daemon runs without live-restore' equals "$(live_restore)" false
  # A container from a tiny image made here (Debian's static busybox, no registry), running across the renewal.
  rm -rf "$WORK/busybox" && mkdir -p "$WORK/busybox/bin" && cp /bin/busybox "$WORK/busybox/bin/" &&
    ln -s busybox "$WORK/busybox/bin/sh" && ln -s busybox "$WORK/busybox/bin/sleep" &&
    tar -C "$WORK/busybox" -cf "$ROOT/root/busybox.tar" .
  output=$(in_container docker import /root/busybox.tar azdv-busybox:test 2>&1 &&
    in_container docker run -d --network none azdv-busybox:test sleep 3600 2>&1)
  if [[ $output =~ ([0-9a-f]{64})$ ]]; then
    CONTAINER=${BASH_REMATCH[1]}
  else
    note "containers cannot run in this nspawn root (the host's own dockerd proves containers survive): ${output//$'\n'/ }"
  fi
  keys=$(daemon_keys)
  dropin=$(sha256sum <"$ROOT/etc/systemd/system/docker.service.d/azdockervm.conf")
  expected=$(script_certificate "$AZDV_TEST_RENDERED_RENEW_SCRIPT")
  served=${expected#*=}
  pid=$(main_pid)

  run_module_script "$AZDV_TEST_RENDERED_RENEW_SCRIPT"
  new_pid=$(main_pid)
  check 'renewal: exit status 0' equals "$RC" 0
  check 'renewal: summary with live-restore=on and the served certificate' matches "$LAST" \
    "^AZDOCKERVM status=ok docker=20\.10\.[0-9A-Za-z.+~:-]+ port=$PORT tls=on changed=true started=true live-restore=on served=${served//:/}$"
  check 'renewal: live-restore turned on in daemon.json' contains "$OUT" 'turned on live-restore in /etc/docker/daemon.json'
  check 'renewal: live-restore applied by a reload first' contains "$OUT" 'live-restore is on in the running Docker daemon (reloaded, not restarted)'
  check "renewal: docker restarted once for the certificate (MainPID $pid -> $new_pid)" test "$new_pid" != "$pid" -a "$new_pid" != 0
  check 'renewal: the daemon runs with live-restore' equals "$(live_restore)" true
  check 'renewal: the new certificate is served' equals "$(renew_served)" "$expected"
  check 'renewal: the same client set is accepted (same CA, host name verified)' renew_client version
  check 'renewal: daemon.json has live-restore true and otherwise the same keys' equals "$(daemon_keys)" "$keys"
  check 'renewal: ca.pem unchanged (the VM keeps its trust)' same_file "$ROOT/etc/docker/tls/ca.pem" "$ROOT$RENEW_CLIENT/ca.pem"
  check 'renewal: the drop-in unchanged' equals "$(sha256sum <"$ROOT/etc/systemd/system/docker.service.d/azdockervm.conf")" "$dropin"
  check 'renewal: the key file is private' mode_is "$ROOT/etc/docker/tls/server-key.pem" 600
  if [[ -n $CONTAINER ]]; then
    check "renewal: container ${CONTAINER:0:12} still running, not restarted" \
      equals "$(in_container docker inspect -f '{{.State.Running}} {{.RestartCount}}' "$CONTAINER" 2>&1)" 'true 0'
  fi
  checks_passed
}

t_nspawn_renew_refused() {
  local before pid served
  if [[ -z ${AZDV_TEST_RENDERED_RENEW_FOREIGN:-} ]]; then
    SKIP_REASON='no renewal for another host rendered by AzDockerVm given (AZDV_TEST_RENDERED_RENEW_FOREIGN)'
    return 2
  fi
  before=$(snapshot content)
  pid=$(main_pid)
  served=$(renew_served)
  run_module_script "$AZDV_TEST_RENDERED_RENEW_FOREIGN"
  check 'exit status non-zero' test "$RC" -ne 0
  check 'summary: status=failed reason=certificate-not-from-ca' equals "$LAST" 'AZDOCKERVM status=failed reason=certificate-not-from-ca'
  check 'stderr says nothing was changed' contains "$ERR" 'nothing was changed'
  check 'files unchanged (content, modes)' equals "$(snapshot content)" "$before"
  check "docker not restarted (MainPID $pid)" equals "$(main_pid)" "$pid"
  check 'the certificate served before is still served' equals "$(renew_served)" "$served"
  if [[ -n $CONTAINER ]]; then
    check 'the container still runs' equals "$(in_container docker inspect -f '{{.State.Running}}' "$CONTAINER" 2>&1)" true
    in_container docker rm -f "$CONTAINER" >/dev/null 2>&1
  fi
  checks_passed
}

# The rollout as a CA rotation will send it (rendered here: the module renders no bundle yet): the installed CA
# (the module's) and the harness's CA together as the trust bundle, a server certificate of the harness's CA.
t_nspawn_rollout_bundle() {
  local bundle=$WORK/bundle.pem output
  local -a SETTING_NAMES=(AZDV_MODE AZDV_PORT AZDV_CA_B64 AZDV_CERT_B64 AZDV_KEY_B64)
  if [[ ! -s $ROOT$RENEW_CLIENT/ca.pem ]]; then
    SKIP_REASON='the host was not set up by the module-rendered script (AZDV_TEST_RENDERED_RENEW_*)'
    return 2
  fi
  cat "$ROOT$RENEW_CLIENT/ca.pem" "$TLS/ca/ca.pem" >"$bundle"
  S=([AZDV_MODE]=tls-rollout [AZDV_PORT]=$PORT [AZDV_CA_B64]=$(b64 "$bundle")
    [AZDV_CERT_B64]=$(b64 "$TLS/server2-cert.pem") [AZDV_KEY_B64]=$(b64 "$TLS/server2-key.pem"))
  run_script nspawn
  check 'exit status 0' equals "$RC" 0
  check 'summary: status=ok, live-restore on' matches "$LAST" '^AZDOCKERVM status=ok .* changed=true started=true live-restore=on served=[0-9A-F]{64}$'
  check 'ca.pem is the bundle' same_file "$ROOT/etc/docker/tls/ca.pem" "$bundle"
  check 'the new certificate is served' equals "$(served_fingerprint "$LEADER")" "$(fingerprint_of "$TLS/server2-cert.pem")"
  check "a client of the harness's CA is accepted" client_accepted "$LEADER"
  output=$(nsenter --net="/proc/$LEADER/ns/net" chroot "$ROOT" /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root \
    /usr/bin/docker --config "$CLIENT_DIR/config" --tlsverify --tlscacert "$CLIENT_DIR/ca.pem" \
    --tlscert "$RENEW_CLIENT/cert.pem" --tlskey "$RENEW_CLIENT/key.pem" -H "tcp://127.0.0.1:$PORT" version --format '{{.Server.Version}}' 2>&1)
  check "a client of the module's CA is accepted too ($output)" matches "$output" '^20\.10\.'
  checks_passed
}

t_cleanup() {
  local leftovers
  cleanup
  check 'no process left in the root' test -z "$(root_processes)"
  check 'nothing mounted under the work area' test -z "$(grep -F " ${WORK:-/nonexistent}" /proc/self/mountinfo)"
  check 'work area removed' test ! -e "${WORK:-/nonexistent}"
  leftovers=$(find /run/systemd/nspawn -name "$MACHINE" 2>/dev/null)
  check 'no nspawn leftovers' test -z "$leftovers"
  checks_passed
}

# ----------------------------------------------------------------------------------------------------

if [[ $EUID -ne 0 ]]; then
  for ((n = 1; n <= LAST_TEST; n++)); do printf 'ok %d - %s # SKIP not root\n' "$n" "${TESTS[n]}"; done
  printf '1..%d\n' "$LAST_TEST"
  exit 0
fi

trap on_exit EXIT
trap 'exit 130' INT TERM

run_test 1 none t_shellcheck
run_test 2 none t_root
run_test 3 root t_render
BLOCKED[installed]=${BLOCKED[installed]:-${BLOCKED[root]:-}}
run_test 4 installed t_first_run
run_test 5 installed t_files
run_test 6 installed t_group
BLOCKED[dockerd]=${BLOCKED[installed]:-}
run_test 7 dockerd t_chroot_dockerd
run_test 8 dockerd t_chroot_rejects
run_test 9 installed t_noop
run_test 10 installed t_key_mismatch
run_test 11 installed t_bad_json
run_test 12 installed t_bad_settings
run_test 13 installed t_unsupported
run_test 14 installed t_pinned_unreachable
run_test 15 installed t_secrets_xtrace
run_test 16 installed t_secrets_debug
run_test 17 installed t_module_rendered
BLOCKED[nspawn]=${BLOCKED[installed]:-}
run_test 18 nspawn t_boot
BLOCKED[started]=${BLOCKED[nspawn]:-}
run_test 19 started t_nspawn_first
run_test 20 started t_nspawn_noop
run_test 21 started t_nspawn_compose
run_test 22 started t_nspawn_rotate
run_test 23 started t_nspawn_rollback
run_test 24 started t_nspawn_login
run_test 25 started t_nspawn_renew
run_test 26 started t_nspawn_renew_refused
run_test 27 started t_nspawn_rollout_bundle
run_test 28 none t_cleanup
printf '1..%d\n' "$LAST_TEST"
((FAILED == 0))
