#!/usr/bin/env bash
# Side-by-side HTTP/2 (h2c, prior knowledge) benchmark of three paths to one h2c backend:
#   direct      h2load -> nghttpd
#   haproxy     h2load -> HAProxy (nbthread 1, 'proto h2' on the bind and the server line) -> nghttpd
#   meshwork    h2load -> Meshwork sidecar, upstream port (ServiceEntry port protocol HTTP2) -> nghttpd
# h2load (Debian nghttp2-client) is closed loop: $CONNECTIONS connections with $STREAMS concurrent
# streams each, GET of a $BODY_BYTES-byte file; the result is requests per second over $DURATION s
# after $WARMUP s of warm-up. Rounds are interleaved (direct haproxy meshwork, direct haproxy ...),
# the table gives each path's median over the rounds and Meshwork / HAProxy.
#
# Afterwards (PROFILE_SECONDS > 0) the sidecar is profiled with JFR under the same load for that
# long, and the hot methods and allocation sites are written next to the results.
#
# Proxies run on CPU $PROXY_CPU; h2load and nghttpd share $LOAD_CPU. Everything binds 127.0.0.1;
# every process started here is stopped on exit. Missing Debian packages (nghttp2-client,
# nghttp2-server, haproxy, util-linux) are installed with apt-get when run as root.
#
# Settings (environment variables or the matching --flags):
#   ROUNDS=3  DURATION=10 (s)  WARMUP=2 (s)  CONNECTIONS=4  STREAMS=10  BODY_BYTES=64  PREWARM=15 (s)
#   TARGETS="direct haproxy meshwork"  PROXY_CPU=0  LOAD_CPU=1  PROFILE_SECONDS=20  OUT_DIR=(new dir)
#   MESHWORK_LAUNCHER=./meshwork  MESHWORK_JAVA_OPTS (the sidecar JVM)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --streams) STREAMS=$2; shift 2 ;;
    --prewarm) PREWARM=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --profile-seconds) PROFILE_SECONDS=$2; shift 2 ;;
    --out) OUT_DIR=$2; shift 2 ;;
    *) echo "error: unknown option: $1 (expected: see --help)" >&2; exit 2 ;;
  esac
done

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-4}
STREAMS=${STREAMS:-10}
BODY_BYTES=${BODY_BYTES:-64}
PREWARM=${PREWARM:-15}
TARGETS=${TARGETS:-"direct haproxy meshwork"}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PROFILE_SECONDS=${PROFILE_SECONDS:-20}
if [ "$(id -u)" -eq 0 ]; then NICE=${NICE:--10}; else NICE=${NICE:-0}; fi
MESHWORK_LAUNCHER=${MESHWORK_LAUNCHER:-$ROOT/meshwork}
MESHWORK_JAVA_OPTS=${MESHWORK_JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled"}
export MESHWORK_JAVA_OPTS

for n in "$ROUNDS" "$DURATION" "$WARMUP" "$CONNECTIONS" "$STREAMS" "$BODY_BYTES" "$PREWARM" "$PROFILE_SECONDS"; do
  case "$n" in ''|*[!0-9]*) echo "error: not a whole number: '$n' (expected: rounds, durations, counts as integers)" >&2; exit 2 ;; esac
done

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
has_target() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# --- Tools -----------------------------------------------------------------------------------
missing=()
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v nghttpd >/dev/null 2>&1 || missing+=(nghttp2-server)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
has_target haproxy && ! command -v haproxy >/dev/null 2>&1 && missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages: ${missing[*]} (expected: run as root to install them, or install them first)" >&2
    exit 1
  fi
  log "installing Debian packages with apt-get: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/meshwork-h2-bench.XXXXXX)}
mkdir -p "$OUT_DIR"

CPUS=$(nproc)
if [ "$CPUS" -ge 2 ]; then
  PIN_PROXY=(nice -n "$NICE" taskset -c "$PROXY_CPU")
  PIN_LOAD=(nice -n "$NICE" taskset -c "$LOAD_CPU")
else
  log "warning: $CPUS CPU: no pinning"
  PIN_PROXY=(nice -n "$NICE")
  PIN_LOAD=(nice -n "$NICE")
fi

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

free_port() { # a port nothing listens on now (the kernel's pick)
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
h2_ok() { # PORT: one h2c request succeeds
  h2load -n 1 -c 1 "http://127.0.0.1:$1/index.html" 2>/dev/null | grep -q '1 succeeded'
}
wait_h2() { # PORT SECONDS PID
  local i
  for i in $(seq 1 $(($2 * 5))); do
    kill -0 "$3" 2>/dev/null || return 1
    h2_ok "$1" && return 0
    sleep 0.2
  done
  return 1
}

BACKEND_PORT=$(free_port); HAPROXY_PORT=$(free_port); MESH_PORT=$(free_port); MESH_ADMIN=$(free_port)
declare -A PORT_OF=([direct]=$BACKEND_PORT [haproxy]=$HAPROXY_PORT [meshwork]=$MESH_PORT)
SKIPPED=()

# --- Backend: nghttpd, h2c, one small file ---------------------------------------------------
mkdir -p "$OUT_DIR/www"
head -c "$BODY_BYTES" /dev/zero | tr '\0' 'x' >"$OUT_DIR/www/index.html"
start_bg backend "${PIN_LOAD[@]}" nghttpd --no-tls -d "$OUT_DIR/www" "$BACKEND_PORT"
wait_h2 "$BACKEND_PORT" 30 "${PIDS[-1]}" || { echo "error: nghttpd did not start; see $OUT_DIR/backend.log" >&2; exit 1; }
log "nghttpd (h2c) on 127.0.0.1:$BACKEND_PORT (cpu $LOAD_CPU)"

# --- HAProxy: HTTP/2 on both sides -----------------------------------------------------------
if has_target haproxy; then
  cat >"$OUT_DIR/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 4096

defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend bench
    bind 127.0.0.1:$HAPROXY_PORT proto h2
    default_backend h2c

backend h2c
    server s1 127.0.0.1:$BACKEND_PORT proto h2
EOF
  start_bg haproxy "${PIN_PROXY[@]}" haproxy -db -f "$OUT_DIR/haproxy.cfg"
  if wait_h2 "$HAPROXY_PORT" 30 "${PIDS[-1]}"; then
    log "haproxy on 127.0.0.1:$HAPROXY_PORT (cpu $PROXY_CPU)"
  else
    SKIPPED+=("haproxy: did not forward h2c; see $OUT_DIR/haproxy.log")
  fi
fi

# --- Meshwork: the backend as a ServiceEntry whose port speaks HTTP2 (h2c upstream) -----------
MESH_PID=""
if has_target meshwork; then
  if ! (cd "$ROOT" && "$MESHWORK_LAUNCHER" --help >"$OUT_DIR/meshwork-help.log" 2>&1); then
    SKIPPED+=("meshwork: '$MESHWORK_LAUNCHER --help' failed; see $OUT_DIR/meshwork-help.log")
  else
    mkdir -p "$OUT_DIR/mesh"
    cat >"$OUT_DIR/mesh/backend.yaml" <<EOF
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: backend
spec:
  hosts: [backend]
  ports:
  - {number: 80, name: http2, protocol: HTTP2}
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports: {http2: $BACKEND_PORT}
EOF
    # exec all the way down (setsid, nice, taskset, the launcher): the PID is the sidecar's JVM.
    start_bg meshwork "${PIN_PROXY[@]}" "$MESHWORK_LAUNCHER" sidecar --service bench-client --config "$OUT_DIR/mesh" \
      --upstream "backend=$MESH_PORT" --admin-port "$MESH_ADMIN" --io-threads 1
    MESH_PID=${PIDS[-1]}
    if wait_h2 "$MESH_PORT" 120 "$MESH_PID"; then
      log "meshwork sidecar on 127.0.0.1:$MESH_PORT (cpu $PROXY_CPU), pid $MESH_PID"
    else
      SKIPPED+=("meshwork: sidecar not forwarding h2c within 120 s; see $OUT_DIR/meshwork.log")
      tail -20 "$OUT_DIR/meshwork.log" >&2 || true
    fi
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
RESULTS="$OUT_DIR/results.txt"
: >"$RESULTS"
h2run() { # TARGET SECONDS -> h2load's output
  "${PIN_LOAD[@]}" h2load -c "$CONNECTIONS" -m "$STREAMS" -D "$2" --warm-up-time "$WARMUP" \
    "http://127.0.0.1:${PORT_OF[$1]}/index.html"
}
for t in "${ACTIVE[@]}"; do
  [ "$PREWARM" -gt 0 ] && { log "$t: pre-warm ${PREWARM}s (not recorded)"; h2run "$t" "$PREWARM" >/dev/null; }
done
for r in $(seq 1 "$ROUNDS"); do
  for t in "${ACTIVE[@]}"; do
    out=$(h2run "$t" "$DURATION")
    echo "$out" >"$OUT_DIR/h2load-$t-$r.txt"
    rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
    ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2 \3/p' <<<"$out")
    echo "RESULT target=$t round=$r rps=${rps:-0} succeeded_failed_errored=\"${ok:-?}\"" >>"$RESULTS"
    log "$t round $r: ${rps:-?} req/s (succeeded failed errored: ${ok:-?})"
  done
done

# --- Profile: JFR on the sidecar under the same load ------------------------------------------
PROFILE_NOTE=""
if [ "$PROFILE_SECONDS" -gt 0 ] && [ -n "$MESH_PID" ] && kill -0 "$MESH_PID" 2>/dev/null; then
  JAVA_BIN=$(readlink -f "/proc/$MESH_PID/exe")
  JDK_BIN=$(dirname "$JAVA_BIN")
  JFR_FILE="$OUT_DIR/meshwork-h2.jfr"
  "$JDK_BIN/jcmd" "$MESH_PID" JFR.start name=h2bench settings=profile duration="${PROFILE_SECONDS}s" \
    filename="$JFR_FILE" >"$OUT_DIR/jfr-start.log" 2>&1 || true
  log "meshwork: JFR for ${PROFILE_SECONDS}s under h2load"
  h2run meshwork "$PROFILE_SECONDS" >"$OUT_DIR/h2load-meshwork-profiled.txt"
  for _ in $(seq 1 50); do [ -s "$JFR_FILE" ] && break; sleep 0.2; done
  sleep 2
  if [ -s "$JFR_FILE" ]; then
    "$JDK_BIN/jfr" view --width 200 hot-methods "$JFR_FILE" >"$OUT_DIR/jfr-hot-methods.txt" 2>&1 || true
    "$JDK_BIN/jfr" view --width 200 allocation-by-site "$JFR_FILE" >"$OUT_DIR/jfr-allocation-by-site.txt" 2>&1 || true
    # Top frames of the execution samples, counted (works on JDKs without 'jfr view').
    "$JDK_BIN/jfr" print --events jdk.ExecutionSample --stack-depth 1 "$JFR_FILE" \
      | sed -n 's/^ *\([^ ].*line:.*\)$/\1/p' | sed 's/ *line:.*//' | sort | uniq -c | sort -rn | head -40 \
      >"$OUT_DIR/jfr-top-frames.txt" || true
    PROFILE_NOTE="JFR recording $JFR_FILE; hot methods in $OUT_DIR/jfr-hot-methods.txt, allocation sites in $OUT_DIR/jfr-allocation-by-site.txt"
  else
    PROFILE_NOTE="JFR recording did not appear; see $OUT_DIR/jfr-start.log"
  fi
  log "$PROFILE_NOTE"
fi

# --- Report ----------------------------------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo "* Run $(date -u +%Y-%m-%dT%H:%MZ), commit $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "* Machine: $CPUS × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r), $(haproxy -v 2>/dev/null | head -1 | cut -d' ' -f1-3), $(h2load --version 2>/dev/null | head -1)."
  echo "* Settings: rounds=$ROUNDS duration=${DURATION}s warmup=${WARMUP}s connections=$CONNECTIONS streams=$STREAMS body=${BODY_BYTES}B prewarm=${PREWARM}s proxy_cpu=$PROXY_CPU load_cpu=$LOAD_CPU nice=$NICE."
  echo "* Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  [ -z "$PROFILE_NOTE" ] || echo "* $PROFILE_NOTE."
  echo
  echo "| path | h2load req/s, median of $ROUNDS | rounds |"
  echo "|---|---:|---|"
  declare -A MED
  for t in "${ACTIVE[@]}"; do
    all=$(sed -n "s/^RESULT target=$t round=[0-9]* rps=\([0-9.]*\).*/\1/p" "$RESULTS")
    MED[$t]=$(median <<<"$all")
    printf '| %s | %.0f | %s |\n' "$t" "${MED[$t]}" "$(tr '\n' ' ' <<<"$all" | sed 's/ $//')"
  done
  if [ -n "${MED[meshwork]:-}" ] && [ -n "${MED[haproxy]:-}" ]; then
    awk -v m="${MED[meshwork]}" -v h="${MED[haproxy]}" 'BEGIN { if (h > 0) printf "\nMeshwork / HAProxy (medians): %.2f\n", m / h }'
  fi
  for s in "${SKIPPED[@]}"; do echo; echo "Skipped — $s"; done
} | tee "$OUT_DIR/table.md"
log "table: $OUT_DIR/table.md; raw results: $RESULTS"
