#!/usr/bin/env bash
# Provisions the real container runtimes the end-to-end tests and benchmarks use, on a Debian
# machine, as root. Idempotent: what is already installed or running is left alone.
#
#   provision.sh start   install what is missing; start dockerd, the rootful Podman API
#                        service, a rootless Podman API service for a dedicated test user,
#                        and a local OCI registry; write the environment to $STATE_DIR/env
#   provision.sh stop    stop what `start` started (and only that)
#
# With ATTESTOR_PROVISION_SESSION set (npm test sets it), `stop` stops only what the `start`
# of the same session started, so daemons a developer started by hand keep running.
#
# Where it cannot provision (not root, not Debian), it says exactly what is missing and fails.
set -euo pipefail

STATE_DIR=${ATTESTOR_PROVISION_STATE:-/run/attestor-e2e}
ROOTLESS_USER=${ATTESTOR_ROOTLESS_USER:-attestor-rootless}
REGISTRY_ADDR=127.0.0.1:5000
PACKAGES=(docker.io podman docker-registry skopeo busybox-static uidmap prometheus curl openssl python3-jwt python3-cryptography systemd util-linux)
DOCKER_SOCK=/var/run/docker.sock
PODMAN_SOCK=/run/podman/podman.sock

log() { printf 'provision: %s\n' "$*" >&2; }
die() { printf 'provision: cannot provision: %s\n' "$*" >&2; exit 1; }

check_host() {
  [ "$(id -u)" = 0 ] || die "must run as root (the e2e tests start dockerd, Podman services and a test user); run as root or provide: ${PACKAGES[*]}, a running dockerd at $DOCKER_SOCK, podman system service at $PODMAN_SOCK"
  [ -f /etc/debian_version ] || die "not a Debian machine (no /etc/debian_version); install ${PACKAGES[*]} by hand"
}

install_packages() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Rootful Podman on these VMs cannot raise rlimits; give containers fixed ones.
  if ! grep -q '^default_ulimits' /etc/containers/containers.conf 2>/dev/null; then
    mkdir -p /etc/containers
    printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >>/etc/containers/containers.conf
  fi
}

# Runs a daemon in the background, recording its PID so that `stop` ends only what we started.
start_daemon() {
  local name=$1
  shift
  "$@" >"$STATE_DIR/$name.log" 2>&1 &
  echo $! >"$STATE_DIR/$name.pid"
  if [ -n "${ATTESTOR_PROVISION_SESSION:-}" ]; then echo "$name" >>"$STATE_DIR/session-$ATTESTOR_PROVISION_SESSION"; fi
  log "started $name (pid $!)"
}

# wait_for NAME COMMAND...: waits until COMMAND succeeds; on failure shows NAME's log.
wait_for() {
  local name=$1
  shift
  for _ in $(seq 1 150); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$name did not come up within 30 s; the end of $STATE_DIR/$name.log:
$(tail -n 20 "$STATE_DIR/$name.log" 2>/dev/null)"
}

ping_socket() { curl -sf --max-time 2 --unix-socket "$1" http://d/_ping >/dev/null; }

start_docker() {
  if ping_socket "$DOCKER_SOCK"; then log "dockerd already running"; return; fi
  # A dockerd that was killed leaves its pid file, and refuses to start while the pid in it
  # names a live process, which after a while is some other process.
  if ! pidof dockerd >/dev/null; then rm -f /var/run/docker.pid; fi
  start_daemon dockerd dockerd --host "unix://$DOCKER_SOCK"
  wait_for dockerd ping_socket "$DOCKER_SOCK"
}

start_podman() {
  mkdir -p "$(dirname "$PODMAN_SOCK")"
  if ping_socket "$PODMAN_SOCK"; then log "rootful podman service already running"; return; fi
  start_daemon podman podman system service --time=0 "unix://$PODMAN_SOCK"
  wait_for podman ping_socket "$PODMAN_SOCK"
}

start_rootless_podman() {
  if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/sh "$ROOTLESS_USER"
    log "created user $ROOTLESS_USER"
  fi
  local uid
  uid=$(id -u "$ROOTLESS_USER")
  grep -q "^$ROOTLESS_USER:" /etc/subuid || echo "$ROOTLESS_USER:200000:65536" >>/etc/subuid
  grep -q "^$ROOTLESS_USER:" /etc/subgid || echo "$ROOTLESS_USER:200000:65536" >>/etc/subgid
  local runtime_dir=/run/user/$uid
  mkdir -p "$runtime_dir"
  chown "$ROOTLESS_USER:" "$runtime_dir"
  chmod 700 "$runtime_dir"
  install -d -o "$ROOTLESS_USER" -m 700 "$runtime_dir/podman"
  local sock=$runtime_dir/podman/podman.sock
  local as_user=(runuser -u "$ROOTLESS_USER" -- env -i
    HOME="$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)" USER="$ROOTLESS_USER"
    XDG_RUNTIME_DIR="$runtime_dir" PATH=/usr/sbin:/usr/bin:/sbin:/bin)
  if ping_socket "$sock"; then log "rootless podman service already running"; else
    # A service stopped with its pause process killed leaves containers recorded as running
    # in /run/user/<uid>; the next service then looks for their namespaces and exits with
    # "invalid internal status". migrate marks them stopped and makes a new pause process.
    "${as_user[@]}" podman system migrate >"$STATE_DIR/podman-rootless-migrate.log" 2>&1 ||
      die "podman system migrate failed for $ROOTLESS_USER; see $STATE_DIR/podman-rootless-migrate.log"
    start_daemon podman-rootless "${as_user[@]}" podman system service --time=0 "unix://$sock"
    wait_for podman-rootless ping_socket "$sock"
  fi
  ROOTLESS_UID=$uid
  ROOTLESS_SOCK=$sock
}

start_registry() {
  if curl -sf --max-time 2 "http://$REGISTRY_ADDR/v2/" >/dev/null; then log "registry already running"; return; fi
  mkdir -p "$STATE_DIR/registry"
  cat >"$STATE_DIR/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
log:
  level: warn
YAML
  start_daemon registry docker-registry serve "$STATE_DIR/registry.yml"
  wait_for registry curl -sf --max-time 2 "http://$REGISTRY_ADDR/v2/"
}

start() {
  check_host
  mkdir -p "$STATE_DIR"
  install_packages
  start_docker
  start_podman
  start_rootless_podman
  start_registry
  cat >"$STATE_DIR/env" <<ENV
ATTESTOR_E2E_DOCKER_SOCKET=$DOCKER_SOCK
ATTESTOR_E2E_PODMAN_SOCKET=$PODMAN_SOCK
ATTESTOR_E2E_ROOTLESS_USER=$ROOTLESS_USER
ATTESTOR_E2E_ROOTLESS_UID=$ROOTLESS_UID
ATTESTOR_E2E_ROOTLESS_SOCKET=$ROOTLESS_SOCK
ATTESTOR_E2E_REGISTRY=$REGISTRY_ADDR
ATTESTOR_E2E_BUSYBOX=$(command -v busybox)
ENV
  log "ready; environment in $STATE_DIR/env"
}

stop() {
  [ -d "$STATE_DIR" ] || return 0
  local pidfiles=("$STATE_DIR"/*.pid)
  if [ -n "${ATTESTOR_PROVISION_SESSION:-}" ]; then
    local session=$STATE_DIR/session-$ATTESTOR_PROVISION_SESSION
    pidfiles=()
    if [ -f "$session" ]; then
      while read -r name; do pidfiles+=("$STATE_DIR/$name.pid"); done <"$session"
      rm -f "$session"
    fi
  fi
  for pidfile in "${pidfiles[@]}"; do
    [ -e "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
      log "stopped $(basename "$pidfile" .pid) (pid $pid)"
    fi
    rm -f "$pidfile"
    # Rootless Podman leaves a pause process (and conmons) behind; they are the test user's.
    if [ "$(basename "$pidfile")" = podman-rootless.pid ] && id "$ROOTLESS_USER" >/dev/null 2>&1; then
      pkill -KILL -u "$ROOTLESS_USER" 2>/dev/null || true
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
