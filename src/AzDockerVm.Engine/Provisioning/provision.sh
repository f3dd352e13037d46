#!/bin/bash
# AzDockerVm provisioning script: turns this Linux VM into a TLS-secured Docker host.
#
# Delivered by the Azure CustomScript extension and run as root. AzDockerVm renders the script by
# replacing the line "# @AZDV_SETTINGS@" (right after the tracing guard below, so not even "bash -x"
# shows a value) with one AZDV_NAME='value' line per setting (value: plain token [A-Za-z0-9._:/-]*
# or base64).
#
# Settings
#   AZDV_PORT                   TLS port of the remote API (always TLS-verified, there is no other mode)
#   AZDV_CA_B64                 base64 of ca.pem: the CA that client certificates must chain to
#   AZDV_CERT_B64, AZDV_KEY_B64 base64 of server-cert.pem and server-key.pem
#   AZDV_DAEMON_JSON_B64        base64 of the complete /etc/docker/daemon.json, written verbatim
#   AZDV_DOCKER_OPTIONS_B64     base64 of extra dockerd flags, one or more per line (may be empty)
#   AZDV_DOCKERD_FLAGS_B64      base64 of the table of dockerd flags the options are checked against (the
#                               same table the client checks them with: flag, shorthand, bool|value,
#                               daemon.json key, allow|managed|exits; tab-separated, # comments)
#   AZDV_DOCKER_VERSION         empty: the distribution's docker.io (Docker's repository on RHEL family);
#                               otherwise that version (e.g. 24.0.7) from download.docker.com
#   AZDV_COMPOSE_B64            base64 of a compose file, run with "docker compose up -d" (may be empty)
#   AZDV_COMPOSE_ENV_B64        base64 of the compose project's .env file (may be empty)
#   AZDV_REGISTRY_SERVER, AZDV_REGISTRY_USER_B64, AZDV_REGISTRY_PASSWORD_B64
#                               docker login (skipped when user or password is empty)
#   AZDV_ADMIN_USER             user added to the docker group (skipped if empty or unknown)
#   AZDV_MODE                   empty: provision (everything above); tls-rollout: on a host this script
#                               provisioned, replace only the server certificate and key (AZDV_CERT_B64,
#                               AZDV_KEY_B64) and, when AZDV_CA_B64 is given, the CA bundle dockerd trusts
#                               for clients; the other settings are ignored and the installed configuration
#                               is kept (see "TLS rollout" below)
#   AZDV_DEBUG=1 (environment)  trace the steps that handle no secret (like bash -x)
#
# Files written (each compared first and replaced atomically only when different)
#   /etc/docker/tls/{ca.pem,server-cert.pem,server-key.pem}   dir 0700, key 0600
#   /etc/docker/daemon.json
#   /etc/systemd/system/docker.service.d/azdockervm.conf      ExecStart without -H (hosts: daemon.json)
#   /etc/docker/compose/{docker-compose.yml,.env}             dir 0700, files 0600
#   /var/log/azdockervm.log                                   package manager / docker command output
#
# Output: progress on stdout, errors on stderr. The LAST stdout line is a secret-free summary:
#   AZDOCKERVM status=ok docker=<version|unknown> port=<port> tls=on changed=<true|false> started=<true|false>
#   (tls-rollout adds: live-restore=<on|off> served=<sha256 of the served certificate, hex>)
#   AZDOCKERVM status=failed reason=<short-reason>        (and a non-zero exit status)
#
# Secrets (server key, registry credentials, compose files) are decoded straight into private files
# with tracing switched off; they never appear on a command line, in traced code or in any output.

# Tracing guard. This must stay the first command: nothing may expand a setting while tracing is on.
case $- in *x*) AZDV_TRACE=1 ;; *) AZDV_TRACE=0 ;; esac
{ set +x; } 2>/dev/null
# @AZDV_SETTINGS@
if [[ ${AZDV_DEBUG:-} == 1 ]]; then AZDV_TRACE=1; fi

set -Eeuo pipefail
umask 022
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=${HOME:-/root} # the extension may run us without HOME; docker login stores credentials there
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONFIG DOCKER_API_VERSION

AZDV_PORT=${AZDV_PORT:-}
AZDV_CA_B64=${AZDV_CA_B64:-}
AZDV_CERT_B64=${AZDV_CERT_B64:-}
AZDV_KEY_B64=${AZDV_KEY_B64:-}
AZDV_DAEMON_JSON_B64=${AZDV_DAEMON_JSON_B64:-}
AZDV_DOCKER_OPTIONS_B64=${AZDV_DOCKER_OPTIONS_B64:-}
AZDV_DOCKERD_FLAGS_B64=${AZDV_DOCKERD_FLAGS_B64:-}
AZDV_DOCKER_VERSION=${AZDV_DOCKER_VERSION:-}
AZDV_COMPOSE_B64=${AZDV_COMPOSE_B64:-}
AZDV_COMPOSE_ENV_B64=${AZDV_COMPOSE_ENV_B64:-}
AZDV_REGISTRY_SERVER=${AZDV_REGISTRY_SERVER:-}
AZDV_REGISTRY_USER_B64=${AZDV_REGISTRY_USER_B64:-}
AZDV_REGISTRY_PASSWORD_B64=${AZDV_REGISTRY_PASSWORD_B64:-}
AZDV_ADMIN_USER=${AZDV_ADMIN_USER:-}
AZDV_MODE=${AZDV_MODE:-}

readonly TLS_DIR=/etc/docker/tls
readonly DAEMON_JSON=/etc/docker/daemon.json
readonly DROPIN=/etc/systemd/system/docker.service.d/azdockervm.conf
readonly COMPOSE_DIR=/etc/docker/compose
readonly LOG_FILE=/var/log/azdockervm.log
readonly READY_TIMEOUT=60       # seconds for dockerd to serve the TLS port after a (re)start
readonly LOCK_TIMEOUT=600       # seconds to wait for another package manager
readonly CLOUD_INIT_TIMEOUT=900 # seconds to wait for cloud-init
readonly PACKAGE_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock
  /var/cache/apt/archives/lock /var/lib/rpm/.rpm.lock)

CHANGED=false        # something on the system changed during this run
RESTART_NEEDED=false # dockerd must restart to pick up a change
DROPIN_CHANGED=false # systemd must re-read the unit
STARTED=false        # dockerd runs and serves the TLS port with our certificate
FILE_CHANGED=false   # result of the last install_file call
APT_UPDATED=false
STAGE=''             # private directory holding the decoded, validated settings
DOCKERD=''
DOCKER_OPTIONS=()    # extra dockerd arguments (validated words)
DOCKER_OPTION_KEYS=() # the daemon.json keys those arguments set
ROLLBACK_TARGETS=()  # files replaced in this run ...
ROLLBACK_COPIES=()   # ... and their previous copies ('' = did not exist)
LIVE_RESTORE=off     # tls-rollout: the daemon that is stopped for the restart has live-restore on

# ---------------------------------------------------------------------------------------------------
# Output and failure handling

say() { printf 'azdockervm: %s\n' "$*"; }
warn() { printf 'azdockervm: warning: %s\n' "$*" >&2; }

# fail REASON MESSAGE: explain on stderr, print the failure summary as the last stdout line, exit 1.
fail() {
  { set +x; } 2>/dev/null
  local reason=$1
  shift
  printf 'azdockervm: error: %s\n' "$*" >&2
  printf 'AZDOCKERVM status=failed reason=%s\n' "$reason"
  exit 1
}

on_error() {
  { set +x; } 2>/dev/null
  local rc=$1 line=$2 command=$3
  # In a subshell, only leave it: the caller sees the failure and reports it.
  if ((BASH_SUBSHELL > 0)); then exit "$rc"; fi
  fail unexpected-error "command failed with status $rc at line $line: $command"
}
trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR

cleanup() {
  { set +x; } 2>/dev/null
  if [[ -n $STAGE ]]; then rm -rf -- "$STAGE"; fi
}
trap cleanup EXIT

# run_logged COMMAND...: run a command (never one with a secret in its arguments) with its output
# appended to the log; on failure, show the last lines of that output on stderr.
run_logged() {
  local rc=0 output
  output=$(mktemp "$STAGE/output.XXXXXX")
  "$@" >"$output" 2>&1 || rc=$?
  {
    printf '\n### %s %s (status %d)\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" "$rc"
    cat -- "$output"
  } >>"$LOG_FILE"
  if ((rc != 0)); then
    printf 'azdockervm: "%s" failed with status %d:\n' "$*" "$rc" >&2
    tail -n 15 -- "$output" | sed 's/^/  | /' >&2
  fi
  rm -f -- "$output"
  return "$rc"
}

# ---------------------------------------------------------------------------------------------------
# Settings: check their form, decode them into private files, then forget the encoded values.

is_token() { [[ $1 =~ ^[A-Za-z0-9._:/-]*$ ]]; }
is_base64() { [[ $1 =~ ^[A-Za-z0-9+/]*={0,2}$ ]] && ((${#1} % 4 == 0)); }

# decode_setting NAME FILE [required]: base64-decode setting NAME into FILE (empty file if unset).
decode_setting() {
  local name=$1 file=$2 required=${3:-}
  if [[ -z ${!name} ]]; then
    if [[ -n $required ]]; then fail missing-setting "setting $name is required but empty"; fi
    : >"$file"
    return 0
  fi
  is_base64 "${!name}" || fail invalid-setting "setting $name is not valid base64"
  printf '%s' "${!name}" | base64 -d >"$file" 2>/dev/null ||
    fail invalid-setting "setting $name is not valid base64"
}

# has_bom FILE: the file starts with a UTF-8 byte order mark (Windows PowerShell 5.1 adds one).
has_bom() { [[ $(head -c 3 -- "$1" | od -An -tx1 | tr -d ' \n') == efbbbf ]]; }

stage_settings() {
  local -
  { set +x; } 2>/dev/null
  local name line number=0
  local -a words

  for name in AZDV_PORT AZDV_REGISTRY_SERVER AZDV_ADMIN_USER; do
    is_token "${!name}" || fail invalid-setting "setting $name has characters outside [A-Za-z0-9._:/-]"
  done
  [[ $AZDV_DOCKER_VERSION =~ ^[A-Za-z0-9._:~+-]*$ ]] ||
    fail invalid-setting "setting AZDV_DOCKER_VERSION is not a package version"
  check_port_setting
  make_stage
  decode_setting AZDV_CA_B64 "$STAGE/ca.pem" required
  decode_setting AZDV_CERT_B64 "$STAGE/server-cert.pem" required
  decode_setting AZDV_KEY_B64 "$STAGE/server-key.pem" required
  decode_setting AZDV_DAEMON_JSON_B64 "$STAGE/daemon.json" required
  decode_setting AZDV_DOCKER_OPTIONS_B64 "$STAGE/docker-options"
  decode_setting AZDV_DOCKERD_FLAGS_B64 "$STAGE/dockerd-flags" required
  decode_setting AZDV_COMPOSE_B64 "$STAGE/docker-compose.yml"
  decode_setting AZDV_COMPOSE_ENV_B64 "$STAGE/compose.env"
  decode_setting AZDV_REGISTRY_USER_B64 "$STAGE/registry-user"
  decode_setting AZDV_REGISTRY_PASSWORD_B64 "$STAGE/registry-password"
  unset AZDV_CA_B64 AZDV_CERT_B64 AZDV_KEY_B64 AZDV_DAEMON_JSON_B64 AZDV_DOCKER_OPTIONS_B64 AZDV_DOCKERD_FLAGS_B64 \
    AZDV_COMPOSE_B64 AZDV_COMPOSE_ENV_B64 AZDV_REGISTRY_USER_B64 AZDV_REGISTRY_PASSWORD_B64

  for name in ca.pem server-cert.pem server-key.pem daemon.json; do
    if has_bom "$STAGE/$name"; then
      fail invalid-setting "$name starts with a UTF-8 byte order mark; write it as ASCII/UTF-8 without BOM"
    fi
  done
  grep -q -- '-----BEGIN CERTIFICATE-----' "$STAGE/ca.pem" ||
    fail invalid-certificate "AZDV_CA_B64 does not hold a PEM certificate"
  grep -q -- '-----BEGIN CERTIFICATE-----' "$STAGE/server-cert.pem" ||
    fail invalid-certificate "AZDV_CERT_B64 does not hold a PEM certificate"
  grep -q -- '-----BEGIN .*PRIVATE KEY-----' "$STAGE/server-key.pem" ||
    fail invalid-key "AZDV_KEY_B64 does not hold a PEM private key"

  parse_docker_options
}

check_port_setting() {
  if [[ ! $AZDV_PORT =~ ^[0-9]{1,5}$ ]] || ((10#$AZDV_PORT < 1 || 10#$AZDV_PORT > 65535)); then
    fail invalid-setting "setting AZDV_PORT must be a TCP port number (1-65535)"
  fi
  AZDV_PORT=$((10#$AZDV_PORT))
}

make_stage() {
  STAGE=$(mktemp -d "${TMPDIR:-/tmp}/azdockervm.XXXXXX")
  chmod 0700 "$STAGE"
}

# Extra dockerd flags, parsed as dockerd parses them (every word; --flag=value and --flag value; bool flags
# take no separate value; shorthands combine, -Dl debug) against the flag table the client used too: a
# flag dockerd does not know, one AzDockerVm manages (TLS, -H/--host, --config-file), one that makes dockerd
# exit, or a positional word is refused. Words use a restricted character set so that the systemd
# ExecStart line needs no quoting.
parse_docker_options() {
  local line word name rest short number=0 i=0
  local t_name t_short t_kind t_key t_policy
  local -a words=() line_words
  local -A kind=() key=() policy=() long=()
  while IFS=$'\t' read -r t_name t_short t_kind t_key t_policy || [[ -n $t_name ]]; do
    [[ -z $t_name || $t_name == '#'* ]] && continue
    kind[$t_name]=$t_kind
    key[$t_name]=$t_key
    policy[$t_name]=$t_policy
    if [[ $t_short != - ]]; then long[$t_short]=$t_name; fi
  done <"$STAGE/dockerd-flags"
  while IFS= read -r line || [[ -n $line ]]; do
    number=$((number + 1))
    read -ra line_words <<<"${line%$'\r'}"
    for word in "${line_words[@]}"; do
      [[ $word =~ ^[A-Za-z0-9._:/=,@+-]+$ ]] ||
        fail invalid-setting "docker option line $number: '$word' has characters outside letters, digits and . _ : / = , @ + -"
      words+=("$word")
    done
  done <"$STAGE/docker-options"

  # docker_flag NAME SPELLED: refuse what the table refuses, note the daemon.json key.
  docker_flag() {
    case ${policy[$1]:-unknown} in
    allow) ;;
    managed) fail invalid-setting "docker option $2 sets what AzDockerVm manages (TLS, listening addresses, the config file)" ;;
    exits) fail invalid-setting "docker option $2 makes dockerd print something and exit" ;;
    *) fail invalid-setting "docker option $2 is not a dockerd flag" ;;
    esac
    if [[ ${key[$1]} != - ]]; then DOCKER_OPTION_KEYS+=("${key[$1]}"); fi
  }
  while ((i < ${#words[@]})); do
    word=${words[i]}
    i=$((i + 1))
    if [[ $word == --?* ]]; then
      name=${word#--}
      name=${name%%=*}
      docker_flag "$name" "--$name"
      if [[ ${kind[$name]} == value && $word != *=* ]]; then
        ((i < ${#words[@]})) || fail invalid-setting "docker option --$name needs a value"
        i=$((i + 1))
      fi
    elif [[ $word == -[!-]* ]]; then
      rest=${word#-}
      while [[ -n $rest ]]; do
        short=${rest:0:1}
        rest=${rest:1}
        name=${long[$short]:-}
        [[ -n $name ]] || fail invalid-setting "docker option -$short is not a dockerd flag"
        docker_flag "$name" "-$short"
        if [[ ${kind[$name]} == value ]]; then
          if [[ -z $rest ]]; then
            ((i < ${#words[@]})) || fail invalid-setting "docker option -$short needs a value"
            i=$((i + 1))
          fi
          break
        fi
        if [[ $rest == =* ]]; then break; fi
      done
    else
      fail invalid-setting "docker option '$word' is not a flag, and dockerd takes no arguments"
    fi
  done
  DOCKER_OPTIONS=("${words[@]}")
}

# ---------------------------------------------------------------------------------------------------
# Distribution

os_release() { # os_release KEY: value of KEY in /etc/os-release, quotes removed
  local -
  set +x # a loop over every line: not worth tracing
  local line value
  while IFS= read -r line; do
    if [[ $line == "$1="* ]]; then
      value=${line#*=}
      value=${value#[\"\']}
      printf '%s\n' "${value%[\"\']}"
      return 0
    fi
  done </etc/os-release
}

detect_distro() {
  [[ -r /etc/os-release ]] || fail unsupported-distro "cannot identify the distribution: /etc/os-release is missing"
  OS_ID=$(os_release ID)
  OS_VERSION=$(os_release VERSION_ID)
  OS_CODENAME=$(os_release VERSION_CODENAME)
  OS_PRETTY=$(os_release PRETTY_NAME)
  [[ -n $OS_CODENAME ]] || OS_CODENAME=$(os_release UBUNTU_CODENAME)
  case "$OS_ID:$OS_VERSION" in
  ubuntu:20.04 | ubuntu:22.04 | ubuntu:24.04) PKG=apt DOCKER_REPO_OS=ubuntu ;;
  debian:11 | debian:12) PKG=apt DOCKER_REPO_OS=debian ;;
  rhel:8 | rhel:8.* | rhel:9 | rhel:9.*) PKG=dnf DOCKER_REPO_OS=rhel ;;
  almalinux:8 | almalinux:8.* | almalinux:9 | almalinux:9.* | rocky:8 | rocky:8.* | rocky:9 | rocky:9.*)
    PKG=dnf DOCKER_REPO_OS=centos
    ;;
  *)
    fail unsupported-distro "unsupported distribution: ${OS_PRETTY:-unknown} (ID=${OS_ID:-none} VERSION_ID=${OS_VERSION:-none}); supported: Ubuntu 20.04/22.04/24.04, Debian 11/12, RHEL/AlmaLinux/Rocky Linux 8/9"
    ;;
  esac
}

# ---------------------------------------------------------------------------------------------------
# Waiting for others: cloud-init and package managers

wait_for_cloud_init() {
  command -v cloud-init >/dev/null 2>&1 || return 0
  local rc=0
  say "waiting for cloud-init to finish (up to ${CLOUD_INIT_TIMEOUT}s)"
  timeout "$CLOUD_INIT_TIMEOUT" cloud-init status --wait >/dev/null 2>&1 || rc=$?
  case $rc in
  0) ;;
  124) warn "cloud-init is still running after ${CLOUD_INIT_TIMEOUT}s; continuing" ;;
  *) warn "cloud-init reports status $rc (errors during its run); continuing" ;;
  esac
}

# package_lock_busy: some process has a dpkg/apt/rpm lock file open (what fuser would tell, without
# needing psmisc; -ef compares device and inode, so a chroot or container sees only its own files).
package_lock_busy() {
  local -
  set +x # thousands of file descriptors: not worth tracing
  local lock fd
  local -a locks=()
  for lock in "${PACKAGE_LOCKS[@]}"; do
    if [[ -e $lock ]]; then locks+=("$lock"); fi
  done
  ((${#locks[@]} > 0)) || return 1
  for fd in /proc/[0-9]*/fd/[0-9]*; do
    for lock in "${locks[@]}"; do
      if [[ $fd -ef $lock ]]; then return 0; fi
    done
  done
  return 1
}

wait_for_package_locks() {
  local waited=0
  while package_lock_busy; do
    if ((waited == 0)); then say "waiting for another package manager to release its lock (up to ${LOCK_TIMEOUT}s)"; fi
    if ((waited >= LOCK_TIMEOUT)); then
      warn "a package manager lock is still held after ${LOCK_TIMEOUT}s; trying anyway"
      return 0
    fi
    sleep 2
    waited=$((waited + 2))
  done
  if ((waited > 0)); then say "package manager lock released after ${waited}s"; fi
}

# ---------------------------------------------------------------------------------------------------
# Packages

apt_update() {
  if [[ $APT_UPDATED == true ]]; then return 0; fi
  wait_for_package_locks
  run_logged apt-get -q -o DPkg::Lock::Timeout="$LOCK_TIMEOUT" update ||
    warn "apt-get update reported errors; continuing with the package lists it could fetch"
  APT_UPDATED=true
}

# pkg_install [OPTIONS] PACKAGE...: install with the distribution's package manager, 3 attempts.
pkg_install() {
  local attempt
  local -a command
  case $PKG in
  apt)
    apt_update
    command=(apt-get -q -y -o DPkg::Lock::Timeout="$LOCK_TIMEOUT" -o Dpkg::Options::=--force-confdef
      -o Dpkg::Options::=--force-confold install --no-install-recommends "$@")
    ;;
  dnf) command=(dnf -y -q install --allowerasing "$@") ;;
  esac
  for attempt in 1 2 3; do
    wait_for_package_locks
    if run_logged "${command[@]}"; then
      CHANGED=true
      return 0
    fi
    if ((attempt < 3)); then
      say "package installation failed (attempt $attempt of 3); retrying in 10s"
      sleep 10
      if [[ $PKG == apt ]]; then APT_UPDATED=false && apt_update; fi
    fi
  done
  fail install-failed "could not install: $* (see $LOG_FILE)"
}

fetch() { # fetch URL FILE
  if ! command -v curl >/dev/null 2>&1; then pkg_install curl ca-certificates; fi
  curl -fsSL --retry 5 --retry-delay 3 --connect-timeout 20 -o "$2" "$1" ||
    fail repository-unreachable "could not download $1"
}

# version_matches VERSION PIN: "5:24.0.7-1~ubuntu.22.04~jammy" and "3:24.0.7-1.el9" match pin "24.0.7"
# (and "24.0.7-1"), but "24.0.70-1" does not, nor does "24.0.7" match pin "24.0".
version_matches() {
  local version=$1 pin=$2
  [[ -n $version && -n $pin ]] || return 1
  [[ $version == "$pin" ]] && return 0
  version=${version#*:}
  pin=${pin#*:}
  [[ $version == "$pin" || $version == "$pin"-* || $version == "$pin"~* ]] && return 0
  [[ $pin == *-* && $version == "$pin".* ]] # release given: 24.0.7-1 matches 24.0.7-1.el9
}

installed_docker_ce_version() {
  case $PKG in
  apt) dpkg-query -W -f='${db:Status-Abbrev}|${Version}\n' docker-ce 2>/dev/null | sed -n 's/^ii *|//p' || true ;;
  dnf) if rpm -q --quiet docker-ce; then rpm -q --qf '%{VERSION}-%{RELEASE}\n' docker-ce; fi ;;
  esac
}

# repo_version PACKAGE PIN: the first version of PACKAGE in the repositories that matches PIN.
repo_version() {
  local name version rest
  case $PKG in
  apt)
    while IFS='|' read -r name version rest; do
      version=${version//[[:space:]]/}
      if version_matches "$version" "$2"; then printf '%s\n' "$version" && return 0; fi
    done < <(apt-cache madison "$1" 2>/dev/null || true)
    ;;
  dnf)
    while read -r name version rest; do
      if [[ $name == "$1".* ]] && version_matches "$version" "$2"; then printf '%s\n' "$version" && return 0; fi
    done < <(dnf -q list --showduplicates "$1" 2>/dev/null || true)
    ;;
  esac
}

setup_docker_repo() {
  case $PKG in
  apt)
    local keyring=/etc/apt/keyrings/docker.asc arch
    install -d -m 0755 /etc/apt/keyrings
    fetch "https://download.docker.com/linux/$DOCKER_REPO_OS/gpg" "$STAGE/docker.asc"
    install_file "$STAGE/docker.asc" "$keyring" 0644
    arch=$(dpkg --print-architecture)
    printf 'deb [arch=%s signed-by=%s] https://download.docker.com/linux/%s %s stable\n' \
      "$arch" "$keyring" "$DOCKER_REPO_OS" "$OS_CODENAME" >"$STAGE/docker.list"
    install_file "$STAGE/docker.list" /etc/apt/sources.list.d/docker.list 0644
    APT_UPDATED=false
    apt_update
    ;;
  dnf)
    fetch "https://download.docker.com/linux/$DOCKER_REPO_OS/docker-ce.repo" "$STAGE/docker-ce.repo"
    install_file "$STAGE/docker-ce.repo" /etc/yum.repos.d/docker-ce.repo 0644
    ;;
  esac
}

ensure_docker() {
  local pin=$AZDV_DOCKER_VERSION current version
  local -a packages
  if [[ -z $pin ]]; then
    if command -v dockerd >/dev/null 2>&1; then
      say "Docker is already installed"
      return 0
    fi
    case $PKG in
    apt)
      say "installing Docker from the distribution (docker.io)"
      pkg_install docker.io
      ;;
    dnf)
      say "installing Docker from download.docker.com (RHEL family has no distribution package)"
      setup_docker_repo
      pkg_install docker-ce docker-ce-cli containerd.io
      ;;
    esac
  else
    current=$(installed_docker_ce_version)
    if version_matches "$current" "$pin" && command -v dockerd >/dev/null 2>&1; then
      say "Docker $current is installed (pinned: $pin)"
      return 0
    fi
    say "installing Docker $pin from download.docker.com (installed docker-ce: ${current:-none})"
    setup_docker_repo
    version=$(repo_version docker-ce "$pin")
    [[ -n $version ]] ||
      fail docker-version-not-found "Docker $pin is not available from download.docker.com for $OS_PRETTY"
    case $PKG in
    apt)
      packages=(docker-ce="$version" docker-ce-cli="$version" containerd.io)
      pkg_install --allow-downgrades --allow-change-held-packages "${packages[@]}"
      run_logged apt-mark hold docker-ce docker-ce-cli || warn "could not hold the pinned Docker packages"
      ;;
    dnf) pkg_install docker-ce-"$version" docker-ce-cli-"$version" containerd.io ;;
    esac
  fi
  command -v dockerd >/dev/null 2>&1 || fail install-failed "dockerd is missing after installing Docker"
  RESTART_NEEDED=true
}

apt_candidate() { # apt_candidate PACKAGE: the version apt would install, or nothing
  apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9].*\)$/\1/p' || true
}

ensure_compose_plugin() {
  if docker compose version >/dev/null 2>&1; then return 0; fi
  say "installing the Docker Compose v2 plugin"
  case $PKG in
  apt)
    apt_update
    if [[ -f /etc/apt/sources.list.d/docker.list ]]; then
      pkg_install docker-compose-plugin
    elif [[ -n $(apt_candidate docker-compose-v2) ]]; then
      pkg_install docker-compose-v2 # Ubuntu
    elif [[ $(apt_candidate docker-compose) =~ ^([0-9]+:)?2\. ]]; then
      pkg_install docker-compose # Debian 13 ships v2 under this name
    else
      setup_docker_repo # Debian 11/12 ship only compose v1
      pkg_install docker-compose-plugin
    fi
    ;;
  dnf)
    if [[ ! -f /etc/yum.repos.d/docker-ce.repo ]]; then setup_docker_repo; fi
    pkg_install docker-compose-plugin
    ;;
  esac
  docker compose version >/dev/null 2>&1 || fail compose-unavailable "'docker compose' does not work after installing the plugin"
}

# ---------------------------------------------------------------------------------------------------
# Validation of the staged configuration (before anything is replaced)

validate_certificates() {
  openssl x509 -noout -in "$STAGE/ca.pem" 2>/dev/null ||
    fail invalid-certificate "AZDV_CA_B64 is not a valid PEM certificate"
  openssl x509 -noout -in "$STAGE/server-cert.pem" 2>/dev/null ||
    fail invalid-certificate "AZDV_CERT_B64 is not a valid PEM certificate"
  openssl pkey -noout -passin pass: -in "$STAGE/server-key.pem" 2>/dev/null ||
    fail invalid-key "AZDV_KEY_B64 is not a valid unencrypted PEM private key"
  if ! { openssl x509 -noout -pubkey -in "$STAGE/server-cert.pem" >"$STAGE/cert.pub" 2>/dev/null &&
    openssl pkey -pubout -passin pass: -in "$STAGE/server-key.pem" -out "$STAGE/key.pub" 2>/dev/null &&
    cmp -s "$STAGE/cert.pub" "$STAGE/key.pub"; }; then
    fail key-mismatch "the server key (AZDV_KEY_B64) does not belong to the server certificate (AZDV_CERT_B64)"
  fi
  openssl x509 -noout -checkend 0 -in "$STAGE/server-cert.pem" >/dev/null 2>&1 ||
    fail certificate-expired "the server certificate (AZDV_CERT_B64) has expired"
  if ! openssl verify -CAfile "$STAGE/ca.pem" "$STAGE/server-cert.pem" >/dev/null 2>&1; then
    # A rollout keeps the clients: a certificate they would not trust is refused before anything changes.
    if [[ $AZDV_MODE == tls-rollout ]]; then
      fail certificate-not-from-ca "the new server certificate (AZDV_CERT_B64) is not issued by a CA of $TRUST_SOURCE: clients would reject it; nothing was changed"
    fi
    warn "the server certificate is not issued by the CA in AZDV_CA_B64; clients must trust its issuer separately"
  fi
}

python_command() {
  local candidate
  for candidate in python3 /usr/libexec/platform-python; do
    if command -v "$candidate" >/dev/null 2>&1; then printf '%s\n' "$candidate" && return 0; fi
  done
}

# The script writes daemon.json verbatim, but refuses one that is not JSON, would not serve the TLS
# port with client verification, or that collides with an extra flag (dockerd refuses both at once).
check_daemon_json() {
  local python message text key
  python=$(python_command)
  if [[ -n $python ]]; then
    message=$("$python" - "$STAGE/daemon.json" "$AZDV_PORT" "${DOCKER_OPTION_KEYS[@]}" 2>&1 <<'PYTHON'
import json, sys
path, port, option_keys = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
except ValueError as e:
    sys.exit("daemon.json (AZDV_DAEMON_JSON_B64) is not valid JSON: %s" % e)
if not isinstance(cfg, dict):
    sys.exit("daemon.json (AZDV_DAEMON_JSON_B64) must be a JSON object")
if cfg.get("tlsverify") is not True:
    sys.exit('daemon.json must set "tlsverify": true (the remote API always verifies clients)')
for key, name in (("tlscacert", "ca.pem"), ("tlscert", "server-cert.pem"), ("tlskey", "server-key.pem")):
    if cfg.get(key) != "/etc/docker/tls/" + name:
        sys.exit('daemon.json must set "%s": "/etc/docker/tls/%s"' % (key, name))
hosts = cfg.get("hosts")
if not isinstance(hosts, list) or not any(
        isinstance(h, str) and h.startswith("tcp://") and h.rsplit(":", 1)[-1] == port for h in hosts):
    sys.exit('daemon.json "hosts" must include tcp://0.0.0.0:%s' % port)
for key in option_keys:
    if key in cfg:
        sys.exit('a docker option sets "%s", which daemon.json sets too (dockerd refuses to start with both)' % key)
PYTHON
    ) || fail invalid-daemon-json "$message"
  else
    # No python: a minimal structural check.
    text=$(tr -d '[:space:]' <"$STAGE/daemon.json")
    [[ $text == '{'*'}' ]] || fail invalid-daemon-json "daemon.json (AZDV_DAEMON_JSON_B64) is not a JSON object"
    [[ $text == *'"tlsverify":true'* ]] ||
      fail invalid-daemon-json 'daemon.json must set "tlsverify": true (the remote API always verifies clients)'
    [[ $text == *"\"tcp://"*":$AZDV_PORT\""* ]] ||
      fail invalid-daemon-json "daemon.json \"hosts\" must include tcp://0.0.0.0:$AZDV_PORT"
    for key in "${DOCKER_OPTION_KEYS[@]}"; do
      [[ $text != *"\"$key\":"* ]] ||
        fail invalid-daemon-json "a docker option sets \"$key\", which daemon.json sets too (dockerd refuses to start with both)"
    done
  fi
}

validate_daemon_json() {
  local message
  check_daemon_json
  # Docker 23+ can check the whole configuration itself (Debian 12's 20.10 cannot).
  if "$DOCKERD" --help 2>&1 | grep -c -- --validate >/dev/null; then
    message=$("$DOCKERD" --validate --config-file "$STAGE/daemon.json" "${DOCKER_OPTIONS[@]}" 2>&1) ||
      fail invalid-daemon-json "dockerd rejects the configuration: $message"
  fi
}

render_dropin() {
  local unit
  local -a arguments=("$DOCKERD")
  for unit in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
    if [[ -f $unit/containerd.service ]] && command -v containerd >/dev/null 2>&1; then
      arguments+=(--containerd=/run/containerd/containerd.sock)
      break
    fi
  done
  arguments+=("${DOCKER_OPTIONS[@]}")
  {
    printf '%s\n' '# Managed by AzDockerVm: rewritten by every provisioning run.' \
      '# Listening addresses and TLS come from /etc/docker/daemon.json ("hosts"); dockerd gets no -H' \
      '# flag here because a flag plus "hosts" stops it from starting.' \
      '[Service]' \
      'ExecStart='
    printf 'ExecStart=%s\n' "${arguments[*]}"
  } >"$STAGE/azdockervm.conf"
}

# ---------------------------------------------------------------------------------------------------
# Applying the configuration: compare, then replace atomically; remember the old copy for rollback.

ensure_dir() { # ensure_dir DIR MODE
  if [[ ! -d $1 ]]; then
    mkdir -p -- "$1"
    CHANGED=true
  fi
  if [[ $(stat -c %a -- "$1") != "${2#0}" ]]; then
    chmod "$2" -- "$1"
    CHANGED=true
  fi
}

# install_file SOURCE TARGET MODE [VERB]: make TARGET a root-owned copy of SOURCE with MODE, via a
# temporary file in the same directory and a rename. Sets FILE_CHANGED (never call it in a subshell).
install_file() {
  local source=$1 target=$2 mode=$3 verb=${4:-updated} temporary
  FILE_CHANGED=false
  if [[ -f $target && ! -L $target ]] && cmp -s -- "$source" "$target" &&
    [[ $(stat -c '%a %u %g' -- "$target") == "${mode#0} 0 0" ]]; then
    return 0
  fi
  temporary=$(mktemp "${target%/*}/.azdockervm.XXXXXX")
  if ! { cat -- "$source" >"$temporary" && chown 0:0 "$temporary" && chmod "$mode" "$temporary" &&
    mv -f -- "$temporary" "$target"; }; then
    rm -f -- "$temporary"
    fail write-failed "could not write $target"
  fi
  FILE_CHANGED=true
  CHANGED=true
  say "$verb $target"
}

# install_config SOURCE TARGET MODE: install_file, keeping the previous version for rollback.
install_config() {
  local copy=''
  if [[ -e $2 ]]; then
    copy=$STAGE/previous.${#ROLLBACK_TARGETS[@]}
    cp -p -- "$2" "$copy"
  fi
  install_file "$@"
  if [[ $FILE_CHANGED == true ]]; then
    ROLLBACK_TARGETS+=("$2")
    ROLLBACK_COPIES+=("$copy")
    RESTART_NEEDED=true
  fi
}

rollback_config() {
  local i
  for i in "${!ROLLBACK_TARGETS[@]}"; do
    if [[ -n ${ROLLBACK_COPIES[i]} ]]; then
      install_file "${ROLLBACK_COPIES[i]}" "${ROLLBACK_TARGETS[i]}" "$(stat -c %a -- "${ROLLBACK_COPIES[i]}")" restored
    else
      rm -f -- "${ROLLBACK_TARGETS[i]}"
      say "removed ${ROLLBACK_TARGETS[i]}"
    fi
  done
}

apply_config() {
  ensure_dir /etc/docker 0755
  ensure_dir "$TLS_DIR" 0700
  install_config "$STAGE/ca.pem" "$TLS_DIR/ca.pem" 0644
  install_config "$STAGE/server-cert.pem" "$TLS_DIR/server-cert.pem" 0644
  install_config "$STAGE/server-key.pem" "$TLS_DIR/server-key.pem" 0600
  install_config "$STAGE/daemon.json" "$DAEMON_JSON" 0644
  ensure_dir "${DROPIN%/*}" 0755
  install_config "$STAGE/azdockervm.conf" "$DROPIN" 0644
  DROPIN_CHANGED=$FILE_CHANGED

  # A compose project is optional; without one, an earlier project is left alone.
  if [[ -s $STAGE/docker-compose.yml ]]; then
    ensure_dir "$COMPOSE_DIR" 0700
    install_file "$STAGE/docker-compose.yml" "$COMPOSE_DIR/docker-compose.yml" 0600
    if [[ -s $STAGE/compose.env ]]; then
      install_file "$STAGE/compose.env" "$COMPOSE_DIR/.env" 0600
    elif [[ -e $COMPOSE_DIR/.env ]]; then
      rm -f -- "$COMPOSE_DIR/.env"
      CHANGED=true
      say "removed $COMPOSE_DIR/.env"
    fi
  fi

  if command -v restorecon >/dev/null 2>&1 && command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled; then
    restorecon -R /etc/docker "${DROPIN%/*}" || warn "restorecon failed on /etc/docker"
  fi
}

add_admin_user() {
  local user=$AZDV_ADMIN_USER groups
  [[ -n $user ]] || return 0
  if ! id -u "$user" >/dev/null 2>&1; then
    say "user $user does not exist; not added to the docker group"
    return 0
  fi
  getent group docker >/dev/null 2>&1 || run_logged groupadd --system docker
  groups=" $(id -nG "$user") "
  if [[ $groups != *" docker "* ]]; then
    run_logged usermod -aG docker "$user"
    CHANGED=true
    say "added $user to the docker group"
  fi
}

# ---------------------------------------------------------------------------------------------------
# Service management (systemd only)

open_firewall() {
  local output
  if command -v firewall-cmd >/dev/null 2>&1 && firewall-cmd --state >/dev/null 2>&1; then
    if ! firewall-cmd --permanent --query-port="$AZDV_PORT/tcp" >/dev/null 2>&1; then
      run_logged firewall-cmd --permanent --add-port="$AZDV_PORT/tcp"
      run_logged firewall-cmd --reload
      CHANGED=true
      say "opened TCP port $AZDV_PORT in firewalld"
    fi
  elif command -v ufw >/dev/null 2>&1; then
    output=$(ufw status 2>/dev/null || true)
    if [[ $output == *"Status: active"* && $output != *"$AZDV_PORT/tcp"* ]]; then
      run_logged ufw allow "$AZDV_PORT/tcp"
      CHANGED=true
      say "opened TCP port $AZDV_PORT in ufw"
    fi
  fi
}

fingerprint() { openssl x509 -noout -fingerprint -sha256 2>/dev/null || true; }

# docker_ready: the daemon answers locally and serves the TLS port with the installed certificate.
# (No client certificate here: the TLS 1.3 handshake still shows the served certificate.)
docker_ready() {
  local served
  docker version >/dev/null 2>&1 || return 1
  served=$(timeout 10 openssl s_client -connect "127.0.0.1:$AZDV_PORT" </dev/null 2>/dev/null | fingerprint)
  [[ -n $served && $served == "$(fingerprint <"$TLS_DIR/server-cert.pem")" ]]
}

wait_for_docker() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    if systemctl is-active --quiet docker.service && docker_ready; then return 0; fi
    if systemctl is-failed --quiet docker.service; then return 1; fi
    sleep 1
  done
  return 1
}

show_docker_journal() {
  if command -v journalctl >/dev/null 2>&1; then
    printf 'azdockervm: last docker.service log lines:\n' >&2
    journalctl -u docker.service -n 12 --no-pager 2>/dev/null | sed 's/^/  | /' >&2 || true
  fi
}

restore_previous_config() {
  warn "Docker did not start with the new configuration; restoring the previous one"
  show_docker_journal
  rollback_config
  systemctl daemon-reload
  systemctl reset-failed docker.service >/dev/null 2>&1 || true
  if run_logged systemctl restart docker.service && wait_for_docker; then
    fail docker-start-failed "Docker did not start with the new configuration; the previous configuration was restored and Docker runs with it (see journalctl -u docker)"
  fi
  fail docker-start-failed "Docker started neither with the new configuration nor with the restored previous one (see journalctl -u docker)"
}

manage_service() {
  if [[ ! -d /run/systemd/system ]]; then
    say "systemd is not running (no init system, e.g. a chroot or container): Docker is installed and configured but was not started"
    return 0
  fi
  if [[ $DROPIN_CHANGED == true ]]; then run_logged systemctl daemon-reload; fi
  if ! systemctl is-enabled --quiet docker.service 2>/dev/null; then
    run_logged systemctl enable docker.service
    CHANGED=true
    say "enabled docker.service"
  fi
  open_firewall
  if [[ $RESTART_NEEDED == true ]]; then
    say "restarting Docker to apply the configuration"
    # docker.service allows 3 starts a minute: a renewal right after provisioning (or another renewal) would hit it.
    systemctl reset-failed docker.service >/dev/null 2>&1 || true
    if ! { run_logged systemctl restart docker.service && wait_for_docker; }; then restore_previous_config; fi
  elif ! systemctl is-active --quiet docker.service; then
    say "starting Docker"
    CHANGED=true
    if ! { run_logged systemctl start docker.service && wait_for_docker; }; then
      show_docker_journal
      fail docker-start-failed "Docker did not start (see journalctl -u docker)"
    fi
  elif ! wait_for_docker; then
    fail docker-not-ready "Docker runs but does not serve port $AZDV_PORT with the installed certificate"
  fi
  STARTED=true
  say "Docker serves TLS-verified connections on port $AZDV_PORT"
}

# ---------------------------------------------------------------------------------------------------
# Registry login and compose (both need a running daemon)

registry_login() {
  local -
  { set +x; } 2>/dev/null
  local user
  local -a arguments
  [[ -s $STAGE/registry-user && -s $STAGE/registry-password ]] || return 0
  if [[ $STARTED != true ]]; then
    say "registry login skipped: it needs a running Docker daemon"
    return 0
  fi
  user=$(<"$STAGE/registry-user")
  arguments=(login --username "$user" --password-stdin)
  if [[ -n $AZDV_REGISTRY_SERVER ]]; then arguments+=("$AZDV_REGISTRY_SERVER"); fi
  say "logging in to ${AZDV_REGISTRY_SERVER:-Docker Hub}"
  run_logged docker "${arguments[@]}" <"$STAGE/registry-password" ||
    fail registry-login-failed "docker login to ${AZDV_REGISTRY_SERVER:-Docker Hub} failed"
}

compose_up() {
  [[ -s $STAGE/docker-compose.yml ]] || return 0
  if [[ $STARTED != true ]]; then
    say "compose skipped: it needs a running Docker daemon (the project is in $COMPOSE_DIR)"
    return 0
  fi
  ensure_compose_plugin
  say "bringing up the compose project in $COMPOSE_DIR"
  # Output goes to the private log only: compose messages may quote values from the .env file.
  (cd "$COMPOSE_DIR" && docker compose -f docker-compose.yml up -d --remove-orphans) >>"$LOG_FILE" 2>&1 ||
    fail compose-failed "docker compose up failed (details in $LOG_FILE)"
}

docker_version() {
  local version='' _
  if [[ $STARTED == true ]]; then version=$(docker version --format '{{.Server.Version}}' 2>/dev/null || true); fi
  if [[ -z $version ]]; then read -r _ _ version _ < <("$DOCKERD" --version 2>/dev/null) || true; fi
  version=${version%,}
  version=${version//[^A-Za-z0-9._+~:-]/}
  printf '%s\n' "${version:-unknown}"
}

# ---------------------------------------------------------------------------------------------------
# TLS rollout (AZDV_MODE=tls-rollout): a new server certificate and key, and optionally a new CA bundle for
# the clients, for a host this script provisioned. Nothing else is touched: daemon.json, the drop-in, the
# compose project and the packages stay as they are (their settings are not even sent). The restart that
# serves the new certificate happens with live-restore on, so running containers keep running; a host made
# before AzDockerVm turned live-restore on by default gets it in daemon.json and by a reload first (SIGHUP:
# dockerd applies live-restore without a restart), unless its configuration switches it off. The new files
# are checked first (PEM, key pair, validity, issued by a CA of the trust bundle); if Docker does not come
# up serving the new certificate, the previous files are put back and Docker is restarted with them.

TRUST_SOURCE='the installed /etc/docker/tls/ca.pem'

stage_tls_rollout() {
  local -
  { set +x; } 2>/dev/null
  local name
  is_token "$AZDV_PORT" || fail invalid-setting "setting AZDV_PORT has characters outside [A-Za-z0-9._:/-]"
  check_port_setting
  make_stage
  decode_setting AZDV_CERT_B64 "$STAGE/server-cert.pem" required
  decode_setting AZDV_KEY_B64 "$STAGE/server-key.pem" required
  decode_setting AZDV_CA_B64 "$STAGE/ca-bundle.pem"
  unset AZDV_CA_B64 AZDV_CERT_B64 AZDV_KEY_B64 AZDV_DAEMON_JSON_B64 AZDV_DOCKER_OPTIONS_B64 AZDV_DOCKERD_FLAGS_B64 \
    AZDV_COMPOSE_B64 AZDV_COMPOSE_ENV_B64 AZDV_REGISTRY_USER_B64 AZDV_REGISTRY_PASSWORD_B64
  for name in ca-bundle.pem server-cert.pem server-key.pem; do
    if has_bom "$STAGE/$name"; then
      fail invalid-setting "$name starts with a UTF-8 byte order mark; write it as ASCII/UTF-8 without BOM"
    fi
  done
  grep -q -- '-----BEGIN CERTIFICATE-----' "$STAGE/server-cert.pem" ||
    fail invalid-certificate "AZDV_CERT_B64 does not hold a PEM certificate"
  grep -q -- '-----BEGIN .*PRIVATE KEY-----' "$STAGE/server-key.pem" ||
    fail invalid-key "AZDV_KEY_B64 does not hold a PEM private key"
  if [[ -s $STAGE/ca-bundle.pem ]]; then
    grep -q -- '-----BEGIN CERTIFICATE-----' "$STAGE/ca-bundle.pem" ||
      fail invalid-certificate "AZDV_CA_B64 does not hold a PEM certificate"
  fi
}

# The host must be one this script provisioned, running under systemd (the restart is the point).
require_provisioned_host() {
  local path
  for path in "$DAEMON_JSON" "$TLS_DIR/ca.pem" "$TLS_DIR/server-cert.pem" "$TLS_DIR/server-key.pem" "$DROPIN"; do
    [[ -f $path ]] ||
      fail not-provisioned "$path is missing: Docker on this VM was not set up by AzDockerVm, so there is no certificate to replace (Set-AzDockerExtension sets it up)"
  done
  command -v dockerd >/dev/null 2>&1 || fail not-provisioned "dockerd is not installed on this VM"
  [[ -d /run/systemd/system ]] ||
    fail no-systemd "systemd is not running: dockerd cannot be restarted to serve the new certificate"
}

# The trust bundle (the one sent, else the installed ca.pem) and the installed daemon.json, staged for the checks.
stage_installed_config() {
  if [[ -s $STAGE/ca-bundle.pem ]]; then
    cp -- "$STAGE/ca-bundle.pem" "$STAGE/ca.pem"
    TRUST_SOURCE='the trust bundle sent (AZDV_CA_B64)'
  else
    cp -- "$TLS_DIR/ca.pem" "$STAGE/ca.pem"
  fi
  cp -- "$DAEMON_JSON" "$STAGE/daemon.json"
  check_daemon_json # still ours: TLS verified with the files in /etc/docker/tls, on the port the client named
}

docker_live_restore() { docker info --format '{{.LiveRestoreEnabled}}' 2>/dev/null || true; }

# live_restore_setting: how the installed configuration sets live-restore: flag-on / flag-off (a docker
# option on the drop-in's ExecStart line), on / off (daemon.json), or absent.
live_restore_setting() {
  local exec_line python text
  exec_line=$(grep '^ExecStart=.' "$DROPIN" | tail -n 1 || true)
  case " $exec_line " in
  *' --live-restore=false '*) printf 'flag-off\n' && return 0 ;;
  *' --live-restore '* | *' --live-restore=true '*) printf 'flag-on\n' && return 0 ;;
  esac
  python=$(python_command)
  if [[ -n $python ]]; then
    "$python" - "$DAEMON_JSON" <<'PYTHON'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    cfg = json.load(f)
print("absent" if "live-restore" not in cfg else "on" if cfg["live-restore"] is True else "off")
PYTHON
    return 0
  fi
  text=$(tr -d '[:space:]' <"$DAEMON_JSON")
  case $text in
  *'"live-restore":true'*) printf 'on\n' ;;
  *'"live-restore":'*) printf 'off\n' ;;
  *) printf 'absent\n' ;;
  esac
}

# with_live_restore SOURCE TARGET: SOURCE's daemon.json with "live-restore": true added.
with_live_restore() {
  local python
  python=$(python_command)
  if [[ -n $python ]]; then
    "$python" - "$1" "$2" <<'PYTHON'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    cfg = json.load(f)
cfg["live-restore"] = True
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(cfg, f, indent=2)
    f.write("\n")
PYTHON
  else
    # daemon.json as AzDockerVm renders it: an object that starts with "{" and has keys.
    sed '0,/{/s//{\n  "live-restore": true,/' "$1" >"$2"
  fi
}

ensure_live_restore() {
  local setting waited=0
  setting=$(live_restore_setting)
  case $setting in
  off | flag-off)
    warn "live-restore is switched off in this host's configuration: the restart stops and starts the running containers"
    return 0
    ;;
  absent)
    with_live_restore "$DAEMON_JSON" "$STAGE/daemon.json"
    check_daemon_json
    if "$DOCKERD" --help 2>&1 | grep -c -- --validate >/dev/null; then
      "$DOCKERD" --validate --config-file "$STAGE/daemon.json" >/dev/null 2>&1 ||
        fail invalid-daemon-json "dockerd rejects daemon.json with live-restore added; nothing was changed"
    fi
    # Kept whatever happens next: it is what makes every later restart keep the containers.
    install_file "$STAGE/daemon.json" "$DAEMON_JSON" 0644 "turned on live-restore in"
    ;;
  esac
  # It counts in the daemon that is about to stop: a reload applies it there without a restart.
  if systemctl is-active --quiet docker.service && [[ $(docker_live_restore) != true ]]; then
    run_logged systemctl kill --kill-who=main --signal=SIGHUP docker.service
    while [[ $(docker_live_restore) != true ]] && ((waited < 20)); do
      sleep 0.5
      waited=$((waited + 1))
    done
    if [[ $(docker_live_restore) != true ]]; then
      warn "Docker did not turn on live-restore when reloaded: the restart stops and starts the running containers"
      return 0
    fi
    say "live-restore is on in the running Docker daemon (reloaded, not restarted)"
  fi
  LIVE_RESTORE=on
}

apply_tls_rollout() {
  if [[ -s $STAGE/ca-bundle.pem ]]; then install_config "$STAGE/ca.pem" "$TLS_DIR/ca.pem" 0644; fi
  install_config "$STAGE/server-cert.pem" "$TLS_DIR/server-cert.pem" 0644
  install_config "$STAGE/server-key.pem" "$TLS_DIR/server-key.pem" 0600
}

served_sha256() {
  local line
  line=$(fingerprint <"$TLS_DIR/server-cert.pem")
  line=${line#*=}
  printf '%s\n' "${line//:/}"
}

tls_rollout_main() {
  [[ $EUID -eq 0 ]] || fail not-root "this script must run as root"
  exec </dev/null
  stage_tls_rollout
  if [[ $AZDV_TRACE == 1 ]]; then set -x; fi
  touch "$LOG_FILE"
  chmod 0600 "$LOG_FILE"
  require_provisioned_host
  say "replacing the Docker server certificate (port $AZDV_PORT); every other setting stays"
  if ! command -v openssl >/dev/null 2>&1; then
    detect_distro
    pkg_install openssl
  fi
  DOCKERD=$(command -v dockerd)
  stage_installed_config
  validate_certificates
  ensure_live_restore
  apply_tls_rollout
  manage_service
  printf 'AZDOCKERVM status=ok docker=%s port=%s tls=on changed=%s started=%s live-restore=%s served=%s\n' \
    "$(docker_version)" "$AZDV_PORT" "$CHANGED" "$STARTED" "$LIVE_RESTORE" "$(served_sha256)"
}

# ---------------------------------------------------------------------------------------------------

main() {
  case $AZDV_MODE in
  '') ;;
  tls-rollout)
    tls_rollout_main
    return 0
    ;;
  *) fail invalid-setting "setting AZDV_MODE must be empty or tls-rollout" ;;
  esac
  if [[ ${1:-} == --check-settings ]]; then
    # Only judge the settings (as the client did), change nothing: no root needed.
    stage_settings
    check_daemon_json
    printf 'AZDOCKERVM status=ok settings=valid\n'
    return 0
  fi
  [[ $EUID -eq 0 ]] || fail not-root "this script must run as root"
  exec </dev/null
  stage_settings # decodes and checks every setting before anything on the system changes
  if [[ $AZDV_TRACE == 1 ]]; then set -x; fi
  touch "$LOG_FILE"
  chmod 0600 "$LOG_FILE"
  detect_distro
  say "provisioning $OS_PRETTY as a TLS-secured Docker host (port $AZDV_PORT)"
  wait_for_cloud_init
  if ! command -v openssl >/dev/null 2>&1; then pkg_install openssl; fi
  ensure_docker
  DOCKERD=$(command -v dockerd)
  render_dropin
  validate_certificates
  validate_daemon_json
  apply_config
  add_admin_user
  manage_service
  registry_login
  compose_up
  printf 'AZDOCKERVM status=ok docker=%s port=%s tls=on changed=%s started=%s\n' \
    "$(docker_version)" "$AZDV_PORT" "$CHANGED" "$STARTED"
}

main "$@"
