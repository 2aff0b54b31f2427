#!/usr/bin/env bash
# Side-by-side HTTP/1.1 keep-alive benchmark of five paths to one echo backend:
#   direct      load generator -> backend
#   meshwork    load generator -> Meshwork sidecar (upstream port) -> backend
#   haproxy     load generator -> HAProxy (nbthread 1, equivalent config) -> backend
#   mesh-plain  load generator -> sidecar A (upstream port) -> sidecar B (inbound port) -> backend,
#               plaintext, both sidecars from YAML files (standalone mode)
#   mesh-mtls   the same two hops in mesh mode: a local control plane issues both sidecars their
#               SPIFFE certificates, B registers itself, A reaches it over mutual TLS (PeerAuthentication
#               STRICT, so a request that answers 200 cannot have travelled A -> B in plaintext)
# For each path: saturation throughput (closed loop) and latency at fixed rates (open loop,
# corrected for coordinated omission), in interleaved rounds, then one Markdown table.
#
# Proxies (HAProxy, every sidecar; both sidecars of a two-hop path) run on CPU $PROXY_CPU; generator,
# backend and control plane share $LOAD_CPU. Everything binds 127.0.0.1; every process started here
# is stopped on exit.
#
# Settings (environment variables or the matching --flags, e.g. --rounds 3 --rates "1000 5000"):
#   ROUNDS=2  RATES="1000 5000"  DURATION=8 (s, measured, per open-loop run)  WARMUP=3 (s)
#   SAT_DURATION=8 (s)  CONNECTIONS=16 (open loop)  SAT_CONNECTIONS=32  PREWARM=20 (s, per path)
#   TARGETS="direct meshwork haproxy mesh-plain mesh-mtls"  SATURATION_TOOL=wrk|java  BODY_BYTES=64
#   PROXY_CPU=0  LOAD_CPU=1  NICE=-10 (as root; 0 otherwise)  OUT_DIR=(new dir under /tmp)
#   MESHWORK_BUILD_DIR=target  MESHWORK_LAUNCHER=./meshwork (any command taking the CLI's arguments)
#   MESHWORK_JAVA_OPTS (sidecar and control plane JVMs)  BENCH_JAVA_OPTS (generator and backend JVMs)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --sat-duration) SAT_DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --sat-connections) SAT_CONNECTIONS=$2; shift 2 ;;
    --prewarm) PREWARM=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --saturation-tool) SATURATION_TOOL=$2; shift 2 ;;
    --out) OUT_DIR=$2; shift 2 ;;
    *) echo "error: unknown option: $1 (expected: see --help)" >&2; exit 2 ;;
  esac
done

ROUNDS=${ROUNDS:-2}
RATES=${RATES:-"1000 5000"}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-3}
SAT_DURATION=${SAT_DURATION:-8}
CONNECTIONS=${CONNECTIONS:-16}
SAT_CONNECTIONS=${SAT_CONNECTIONS:-32}
# The mTLS two-hop path needs ~20 s of saturation before its throughput settles (JIT of the TLS and
# HTTP/2 code at a few thousand requests per second); 5 s left its first round at an eighth of the next.
PREWARM=${PREWARM:-20}
TARGETS=${TARGETS:-"direct meshwork haproxy mesh-plain mesh-mtls"}
SATURATION_TOOL=${SATURATION_TOOL:-wrk}
BODY_BYTES=${BODY_BYTES:-64}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
# Raised priority keeps unrelated work on the machine (builds, indexers) from stealing the pinned
# cores mid-run; it only helps, it cannot make a shared machine quiet.
if [ "$(id -u)" -eq 0 ]; then NICE=${NICE:--10}; else NICE=${NICE:-0}; fi
BUILD_DIR=${MESHWORK_BUILD_DIR:-target}
MESHWORK_LAUNCHER=${MESHWORK_LAUNCHER:-$ROOT/meshwork}
MESHWORK_JAVA_OPTS=${MESHWORK_JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled"}
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=disabled"}
export MESHWORK_JAVA_OPTS

for n in "$ROUNDS" "$DURATION" "$WARMUP" "$SAT_DURATION" "$CONNECTIONS" "$SAT_CONNECTIONS" "$PREWARM" "$BODY_BYTES"; do
  case "$n" in ''|*[!0-9]*) echo "error: not a whole number: '$n' (expected: rounds, durations, connections as integers)" >&2; exit 2 ;; esac
done
case "$SATURATION_TOOL" in wrk|java) ;; *) echo "error: SATURATION_TOOL: $SATURATION_TOOL (expected: wrk or java)" >&2; exit 2 ;; esac

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
has_target() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# --- Tools: a JDK >= 21, and Debian packages for what is missing ---------------------------
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for d in /usr/lib/jvm/*; do [ -x "$d/bin/java" ] && candidates+=("$d/bin/java"); done
  for j in "${candidates[@]}"; do
    local v; v=$(java_major "$j")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$j"; return 0; fi
  done
  return 1
}
JAVA=$(find_java) || { echo "error: no JDK 21 or newer found (expected: JAVA_HOME or /usr/lib/jvm/* with Java >= 21)" >&2; exit 1; }
export JAVA_HOME=$(dirname "$(dirname "$JAVA")")

missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
has_target haproxy && ! command -v haproxy >/dev/null 2>&1 && missing+=(haproxy)
[ "$SATURATION_TOOL" = wrk ] && ! command -v wrk >/dev/null 2>&1 && missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages: ${missing[*]} (expected: run as root to install them, or install them first)" >&2
    exit 1
  fi
  log "installing Debian packages with apt-get: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Build what is missing -----------------------------------------------------------------
BENCH_JAR=$(ls "$ROOT"/bench/"$BUILD_DIR"/meshwork-bench-*.jar 2>/dev/null | head -1 || true)
if [ -z "$BENCH_JAR" ] || [ ! -d "$ROOT/bench/$BUILD_DIR/lib" ] \
    || [ -n "$(find "$ROOT/bench/src/main" "$ROOT/bench/pom.xml" -newer "$BENCH_JAR" -print -quit)" ]; then
  log "building: ./mvnw -q -B -DskipTests package"
  (cd "$ROOT" && ./mvnw -q -B -DskipTests -Dmeshwork.buildDir="$BUILD_DIR" package)
  BENCH_JAR=$(ls "$ROOT"/bench/"$BUILD_DIR"/meshwork-bench-*.jar | head -1)
fi
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/meshwork-bench.XXXXXX)}
mkdir -p "$OUT_DIR/classpath"
# A private copy: a build started meanwhile (the launcher's, another engineer's) rewrites the jars
# under target/, which a running JVM must not see.
cp "$BENCH_JAR" "$ROOT/bench/$BUILD_DIR"/lib/*.jar "$OUT_DIR/classpath/"
CP="$OUT_DIR/classpath/*"
# Word splitting of the option strings is intended.
# shellcheck disable=SC2206
JAVA_CMD=("$JAVA" $BENCH_JAVA_OPTS -cp "$CP")

# --- CPU pinning -----------------------------------------------------------------------------
CPUS=$(nproc)
if [ "$CPUS" -ge 2 ]; then
  PIN_PROXY=(nice -n "$NICE" taskset -c "$PROXY_CPU")
  PIN_LOAD=(nice -n "$NICE" taskset -c "$LOAD_CPU")
else
  log "warning: $CPUS CPU: no pinning; proxy, generator and backend compete for one core"
  PIN_PROXY=(nice -n "$NICE")
  PIN_LOAD=(nice -n "$NICE")
fi

# --- Process bookkeeping: everything started here is stopped on exit -----------------------
RESULTS="$OUT_DIR/results.txt"
: >"$RESULTS"
PIDS=()

start_bg() { # NAME CMD... ; own session, so the whole process group can be stopped
  local name=$1; shift
  setsid "$@" >"$OUT_DIR/$name.log" 2>&1 &
  PIDS+=("$!")
}

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

wait_http() { # URL SECONDS PID -> 0 once URL answers 200
  local url=$1 seconds=$2 pid=$3 i
  for i in $(seq 1 $((seconds * 5))); do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

MESH_TARGETS=(meshwork mesh-plain mesh-mtls)
mapfile -t PORTS < <("${JAVA_CMD[@]}" io.meshwork.bench.harness.FreePorts 13)
[ ${#PORTS[@]} -eq 13 ] || { echo "error: could not pick free ports (expected: 13 from io.meshwork.bench.harness.FreePorts)" >&2; exit 1; }
BACKEND_PORT=${PORTS[0]}; MESH_PORT=${PORTS[1]}; MESH_ADMIN_PORT=${PORTS[2]}; HAPROXY_PORT=${PORTS[3]}
PLAIN_A_PORT=${PORTS[4]}; PLAIN_A_ADMIN=${PORTS[5]}; PLAIN_B_INBOUND=${PORTS[6]}; PLAIN_B_ADMIN=${PORTS[7]}
CP_PORT=${PORTS[8]}; MTLS_A_PORT=${PORTS[9]}; MTLS_A_ADMIN=${PORTS[10]}; MTLS_B_INBOUND=${PORTS[11]}; MTLS_B_ADMIN=${PORTS[12]}
declare -A PORT_OF=([direct]=$BACKEND_PORT [meshwork]=$MESH_PORT [haproxy]=$HAPROXY_PORT
  [mesh-plain]=$PLAIN_A_PORT [mesh-mtls]=$MTLS_A_PORT)
SKIPPED=()
NOTES=()

# --- Meshwork launcher: its first call builds the CLI if missing or stale, before anything runs
MESHWORK_READY=""
wanted_mesh=()
for t in "${MESH_TARGETS[@]}"; do has_target "$t" && wanted_mesh+=("$t"); done
if [ ${#wanted_mesh[@]} -gt 0 ]; then
  reason=""
  if [ ! -x "$MESHWORK_LAUNCHER" ]; then
    reason="launcher $MESHWORK_LAUNCHER not found (the sidecar CLI is needed for this path)"
  elif ! (cd "$ROOT" && "$MESHWORK_LAUNCHER" --help >"$OUT_DIR/meshwork-help.log" 2>&1); then
    reason="'$MESHWORK_LAUNCHER --help' failed; see $OUT_DIR/meshwork-help.log"
  else
    MESHWORK_READY=1
  fi
  [ -z "$reason" ] || for t in "${wanted_mesh[@]}"; do SKIPPED+=("$t: $reason"); done
fi

# --- Backend ---------------------------------------------------------------------------------
start_bg backend "${PIN_LOAD[@]}" "${JAVA_CMD[@]}" io.meshwork.bench.backend.EchoServer "$BACKEND_PORT" 1 "$BODY_BYTES"
wait_http "http://127.0.0.1:$BACKEND_PORT/" 30 "${PIDS[-1]}" \
  || { echo "error: echo backend did not start; see $OUT_DIR/backend.log" >&2; cat "$OUT_DIR/backend.log" >&2; exit 1; }
log "backend on 127.0.0.1:$BACKEND_PORT (cpu $LOAD_CPU)"

# --- Meshwork sidecars -----------------------------------------------------------------------
service_entry() { # FILE PORT: the service 'backend' with one STATIC endpoint 127.0.0.1:PORT
  cat >"$1" <<EOF
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: backend
spec:
  hosts: [backend]
  ports:
  - {number: 80, name: http, protocol: HTTP}
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports: {http: $2}
EOF
}

forwards() { # URL SECONDS: 0 once a request to URL answers 200 (a sidecar that is ready may not route yet)
  local i
  for i in $(seq 1 $(($2 * 5))); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

launch_sidecar() { # NAME ARGS...: a sidecar on the proxy CPU; the PID is the last of PIDS
  local name=$1; shift
  start_bg "$name" "${PIN_PROXY[@]}" "$MESHWORK_LAUNCHER" sidecar "$@" --io-threads 1
}

if [ -n "$MESHWORK_READY" ] && has_target meshwork; then
  mkdir -p "$OUT_DIR/mesh"
  service_entry "$OUT_DIR/mesh/backend.yaml" "$BACKEND_PORT"
  launch_sidecar meshwork --service bench-client --config "$OUT_DIR/mesh" \
    --upstream "backend=$MESH_PORT" --admin-port "$MESH_ADMIN_PORT"
  if wait_http "http://127.0.0.1:$MESH_ADMIN_PORT/ready" 90 "${PIDS[-1]}" \
      && curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$MESH_PORT/"; then
    log "meshwork sidecar on 127.0.0.1:$MESH_PORT (cpu $PROXY_CPU), admin $MESH_ADMIN_PORT"
  else
    SKIPPED+=("meshwork: sidecar not ready or not forwarding within 90 s; see $OUT_DIR/meshwork.log")
    tail -20 "$OUT_DIR/meshwork.log" >&2 || true
  fi
fi

# Two hops, plaintext, standalone: A knows 'backend' from a ServiceEntry whose endpoint is B's inbound
# port; B forwards its inbound traffic to the echo backend and needs no routes (an empty folder).
if [ -n "$MESHWORK_READY" ] && has_target mesh-plain; then
  mkdir -p "$OUT_DIR/mesh-plain-a" "$OUT_DIR/mesh-plain-b"
  service_entry "$OUT_DIR/mesh-plain-a/backend.yaml" "$PLAIN_B_INBOUND"
  launch_sidecar mesh-plain-b --service backend --config "$OUT_DIR/mesh-plain-b" \
    --target "http://127.0.0.1:$BACKEND_PORT" --inbound-port "$PLAIN_B_INBOUND" --admin-port "$PLAIN_B_ADMIN"
  pid_b=${PIDS[-1]}
  launch_sidecar mesh-plain-a --service client --config "$OUT_DIR/mesh-plain-a" \
    --upstream "backend=$PLAIN_A_PORT" --admin-port "$PLAIN_A_ADMIN"
  pid_a=${PIDS[-1]}
  if wait_http "http://127.0.0.1:$PLAIN_B_ADMIN/ready" 90 "$pid_b" \
      && wait_http "http://127.0.0.1:$PLAIN_A_ADMIN/ready" 90 "$pid_a" \
      && forwards "http://127.0.0.1:$PLAIN_A_PORT/" 30; then
    log "mesh-plain: sidecar A on 127.0.0.1:$PLAIN_A_PORT -> sidecar B inbound 127.0.0.1:$PLAIN_B_INBOUND (both cpu $PROXY_CPU)"
  else
    SKIPPED+=("mesh-plain: sidecars not ready or not forwarding; see $OUT_DIR/mesh-plain-{a,b}.log")
    tail -20 "$OUT_DIR/mesh-plain-a.log" "$OUT_DIR/mesh-plain-b.log" >&2 || true
  fi
fi

# Two hops over mutual TLS, mesh mode. The control plane shares the load CPU: after start-up it
# only renews leases, and it runs through every path's measurements alike.
if [ -n "$MESHWORK_READY" ] && has_target mesh-mtls; then
  CP_URL="https://127.0.0.1:$CP_PORT"
  CP_DIR="$OUT_DIR/cp"
  # Runs in this shell (not in $(...)), so the processes it starts are in PIDS and stopped on exit.
  mtls_started() { # sets WHY when it fails
    start_bg control-plane "${PIN_LOAD[@]}" "$MESHWORK_LAUNCHER" control-plane --data-dir "$CP_DIR" \
      --listen "127.0.0.1:$CP_PORT"
    local pid=${PIDS[-1]} i
    for i in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || { WHY="control plane exited; see $OUT_DIR/control-plane.log"; return 1; }
      [ -s "$CP_DIR/admin-token" ] && [ -s "$CP_DIR/ca.pem" ] \
        && grep -q 'control plane listening' "$OUT_DIR/control-plane.log" && break
      sleep 0.2
    done
    [ -s "$CP_DIR/admin-token" ] || { WHY="control plane not up within 60 s; see $OUT_DIR/control-plane.log"; return 1; }
    # STRICT refuses plaintext on B's inbound port, so every request that A gets answered went over mTLS.
    cat >"$OUT_DIR/mesh-mtls-strict.yaml" <<EOF
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: default}
spec:
  mtls: {mode: STRICT}
EOF
    "${PIN_LOAD[@]}" "$MESHWORK_LAUNCHER" apply -f "$OUT_DIR/mesh-mtls-strict.yaml" --data-dir "$CP_DIR" \
      --control-plane "$CP_URL" >"$OUT_DIR/mesh-mtls-apply.log" 2>&1 \
      || { WHY="applying PeerAuthentication STRICT failed; see $OUT_DIR/mesh-mtls-apply.log"; return 1; }
    # B mints its join token with the control plane's admin credential, gets its SVID and registers
    # its inbound port labelled security.istio.io/tlsMode=istio; A's auto-mTLS keys on that label.
    launch_sidecar mesh-mtls-b --service backend --target "http://127.0.0.1:$BACKEND_PORT" \
      --control-plane "$CP_URL" --data-dir "$CP_DIR" --inbound-port "$MTLS_B_INBOUND" --admin-port "$MTLS_B_ADMIN"
    local pid_b=${PIDS[-1]}
    launch_sidecar mesh-mtls-a --service client --control-plane "$CP_URL" --data-dir "$CP_DIR" \
      --upstream "backend=$MTLS_A_PORT" --admin-port "$MTLS_A_ADMIN"
    local pid_a=${PIDS[-1]}
    wait_http "http://127.0.0.1:$MTLS_B_ADMIN/ready" 90 "$pid_b" \
      || { WHY="sidecar B not ready within 90 s; see $OUT_DIR/mesh-mtls-b.log"; return 1; }
    wait_http "http://127.0.0.1:$MTLS_A_ADMIN/ready" 90 "$pid_a" \
      || { WHY="sidecar A not ready within 90 s; see $OUT_DIR/mesh-mtls-a.log"; return 1; }
    forwards "http://127.0.0.1:$MTLS_A_PORT/" 60 \
      || { WHY="no 200 through sidecar A within 60 s (B's registration did not reach A?)"; return 1; }
    return 0
  }
  mtls_verified() { # prints one line per check; fails on the first check that does not hold
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$MTLS_B_INBOUND/" || true)
    [ "$code" = 000 ] || { echo "a plaintext request straight to B's inbound port got HTTP $code (expected: refused)"; return 1; }
    echo "plaintext straight to B's inbound port: refused (PeerAuthentication STRICT)"
    curl -fsS --max-time 2 "http://127.0.0.1:$MTLS_A_ADMIN/config" >"$OUT_DIR/mesh-mtls-a-config.json" \
      || { echo "A's /config did not answer"; return 1; }
    grep -Eq '"security.istio.io/tlsMode" *: *"istio"' "$OUT_DIR/mesh-mtls-a-config.json" \
      || { echo "A's /config has no endpoint labelled security.istio.io/tlsMode=istio; see $OUT_DIR/mesh-mtls-a-config.json"; return 1; }
    echo "A's /config: the backend endpoint 127.0.0.1:$MTLS_B_INBOUND carries security.istio.io/tlsMode=istio (auto-mTLS)"
    local side id
    for side in a b; do
      id=$(grep -o 'workload identity spiffe://[^:]*' "$OUT_DIR/mesh-mtls-$side.log" | head -1 | cut -d' ' -f3)
      [ -n "$id" ] || { echo "sidecar ${side^^} logged no workload identity; see $OUT_DIR/mesh-mtls-$side.log"; return 1; }
      echo "sidecar ${side^^} holds $id"
    done
    local impl
    impl=$(grep -ho 'mutual TLS: .*' "$OUT_DIR/mesh-mtls-a.log" "$OUT_DIR/mesh-mtls-b.log" | head -1 \
      | sed 's/^mutual TLS: //; s/\([A-Za-z]\{1,\}\) \1 /\1 /' || true)
    [ -z "$impl" ] || echo "TLS library (sidecar log): $impl"
  }
  WHY=""
  if ! mtls_started; then
    SKIPPED+=("mesh-mtls: $WHY")
    tail -20 "$OUT_DIR/control-plane.log" "$OUT_DIR"/mesh-mtls-*.log >&2 2>/dev/null || true
  elif ! checks=$(mtls_verified); then
    SKIPPED+=("mesh-mtls: mutual TLS not verified: $(tail -1 <<<"$checks")")
  else
    while IFS= read -r line; do NOTES+=("mesh-mtls: $line"); log "mesh-mtls: $line"; done <<<"$checks"
    log "mesh-mtls: sidecar A on 127.0.0.1:$MTLS_A_PORT -> (mTLS) sidecar B inbound 127.0.0.1:$MTLS_B_INBOUND (both cpu $PROXY_CPU)"
  fi
fi

# --- HAProxy: one frontend, one server, keep-alive both sides, one thread, no logging --------
if has_target haproxy; then
  cat >"$OUT_DIR/haproxy.cfg" <<EOF
global
    nbthread 1
    # 4096 connections need ~8k descriptors, within the usual 'ulimit -n' of containers.
    maxconn 4096

defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s

frontend bench
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend echo

backend echo
    server echo1 127.0.0.1:$BACKEND_PORT
EOF
  start_bg haproxy "${PIN_PROXY[@]}" haproxy -db -f "$OUT_DIR/haproxy.cfg"
  if wait_http "http://127.0.0.1:$HAPROXY_PORT/" 30 "${PIDS[-1]}"; then
    log "haproxy on 127.0.0.1:$HAPROXY_PORT (cpu $PROXY_CPU)"
  else
    SKIPPED+=("haproxy: did not start; see $OUT_DIR/haproxy.log")
  fi
fi

ACTIVE=()
for t in $TARGETS; do
  skip=0
  for s in "${SKIPPED[@]}"; do case "$s" in "$t:"*) skip=1 ;; esac; done
  [ $skip -eq 0 ] && ACTIVE+=("$t")
done
for s in "${SKIPPED[@]}"; do log "SKIPPED $s"; done
[ ${#ACTIVE[@]} -gt 0 ] || { echo "error: no path to measure" >&2; exit 1; }

# --- Measurements ----------------------------------------------------------------------------
saturation() { # TARGET ROUND SECONDS [record]
  local t=$1 r=$2 secs=$3 port=${PORT_OF[$1]} out
  if [ "$SATURATION_TOOL" = wrk ]; then
    out=$("${PIN_LOAD[@]}" wrk -t1 -c"$SAT_CONNECTIONS" -d"${secs}s" "http://127.0.0.1:$port/")
    [ "${4:-}" = record ] || return 0
    local rps total non2xx sockerr
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    total=$(awk '/requests in/ {print $1}' <<<"$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
    sockerr=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
    echo "RESULT target=$t round=$r kind=saturation tool=wrk connections=$SAT_CONNECTIONS measured_s=$secs" \
      "succeeded=${total:-0} errors=$(( ${non2xx:-0} + ${sockerr:-0} )) achieved_rps=${rps:-0}" >>"$RESULTS"
    log "$t round $r: saturation ${rps:-?} req/s"
  else
    out=$("${PIN_LOAD[@]}" "${JAVA_CMD[@]}" io.meshwork.bench.load.OpenLoopGenerator --port "$port" --saturate \
      --connections "$SAT_CONNECTIONS" --warmup 1s --duration "${secs}s")
    [ "${4:-}" = record ] || return 0
    grep '^RESULT ' <<<"$out" | sed "s/^RESULT /RESULT target=$t round=$r tool=generator /" >>"$RESULTS"
    log "$t round $r: $(grep 'achieved' <<<"$out" | head -1 | sed 's/^ *//')"
  fi
}

latency() { # TARGET ROUND RATE
  local t=$1 r=$2 rate=$3 port=${PORT_OF[$1]} out
  out=$("${PIN_LOAD[@]}" "${JAVA_CMD[@]}" io.meshwork.bench.load.OpenLoopGenerator --port "$port" --rate "$rate" \
    --connections "$CONNECTIONS" --warmup "${WARMUP}s" --duration "${DURATION}s")
  grep '^RESULT ' <<<"$out" | sed "s/^RESULT /RESULT target=$t round=$r /" >>"$RESULTS"
  log "$t round $r @ $rate req/s: $(grep 'latency (us)' <<<"$out" | sed 's/^ *//')"
}

log "results in $OUT_DIR; paths: ${ACTIVE[*]}; rounds: $ROUNDS; rates: $RATES"
if [ "$PREWARM" -gt 0 ]; then
  for t in "${ACTIVE[@]}"; do
    log "$t: pre-warm ${PREWARM}s (not recorded)"
    saturation "$t" 0 "$PREWARM"
  done
fi
for r in $(seq 1 "$ROUNDS"); do
  # Interleaved A B C, A B C: slow drift (thermal, other tenants) hits every path alike.
  for t in "${ACTIVE[@]}"; do
    saturation "$t" "$r" "$SAT_DURATION" record
    for rate in $RATES; do latency "$t" "$r" "$rate"; done
  done
done

# --- Report ----------------------------------------------------------------------------------
{
  echo "* Run $(date -u +%Y-%m-%dT%H:%MZ), commit $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')."
  echo "* Machine: $CPUS × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $("$JAVA" -version 2>&1 | head -1), $(haproxy -v 2>/dev/null | head -1 | cut -d' ' -f1-3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
  echo "* Settings: rounds=$ROUNDS rates=\"$RATES\" duration=${DURATION}s warmup=${WARMUP}s sat_duration=${SAT_DURATION}s connections=$CONNECTIONS sat_connections=$SAT_CONNECTIONS prewarm=${PREWARM}s saturation_tool=$SATURATION_TOOL body=${BODY_BYTES}B proxy_cpu=$PROXY_CPU load_cpu=$LOAD_CPU nice=$NICE."
  echo "* Placement: cpu $PROXY_CPU runs every proxy (HAProxy; the sidecar; both sidecars of mesh-plain and of mesh-mtls, which share it); cpu $LOAD_CPU runs the generator, the backend and the control plane."
  echo "* Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  for n in "${NOTES[@]}"; do echo "* $n."; done
  echo
  table=$("${JAVA_CMD[@]}" io.meshwork.bench.report.ResultTable "$RESULTS")
  echo "$table"
  # The two-hop rows side by side: what mutual TLS adds over the same two sidecars in plaintext.
  awk -F'|' '
    function trim(v) { gsub(/^ +| +$/, "", v); return v }
    { path = trim($2); load = trim($3) }
    load ~ /^saturation/ { sat[path] = trim($4); sub(/ .*/, "", sat[path]) }
    load ~ /^open loop/ { rate = load; sub(/^open loop /, "", rate); sub(/ req\/s.*/, "", rate)
                          p99[path, rate] = trim($8); if (!(rate in seen)) { seen[rate] = 1; rates[++n] = rate } }
    END {
      if (("mesh-mtls" in sat) && ("mesh-plain" in sat) && sat["mesh-plain"] > 0)
        printf "\nTwo hops: mesh-mtls saturation throughput %.2f × mesh-plain'"'"'s.\n", sat["mesh-mtls"] / sat["mesh-plain"]
      for (i = 1; i <= n; i++) {
        r = rates[i]
        if (!((("mesh-mtls", r) in p99) && (("mesh-plain", r) in p99) && (("direct", r) in p99))) continue
        printf "\nTwo hops at %s req/s: p99 mesh-mtls %s µs, mesh-plain %s µs, direct %s µs — mTLS two hops add %.0f µs over direct, %.0f µs over mesh-plain.\n",
          r, p99["mesh-mtls", r], p99["mesh-plain", r], p99["direct", r],
          p99["mesh-mtls", r] - p99["direct", r], p99["mesh-mtls", r] - p99["mesh-plain", r]
      }
    }' <<<"$table"
  for s in "${SKIPPED[@]}"; do echo; echo "Skipped — $s"; done
} | tee "$OUT_DIR/table.md"
log "table: $OUT_DIR/table.md; raw results: $RESULTS"
