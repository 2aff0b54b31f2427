#!/usr/bin/env bash
# gRPC unary benchmark, two paths to one grpc-java server (io.meshwork.bench.grpc.GrpcEchoServer):
#   direct      client -> server (h2c)
#   mesh-mtls   client -> sidecar A, upstream port (h2c) -> mutual TLS -> sidecar B, inbound port
#               -> server (h2c); mesh mode: a local control plane issues both sidecars their SPIFFE
#               certificates, PeerAuthentication STRICT (so an answered call cannot have gone A -> B
#               in plaintext), as in proxy-bench.sh's mesh-mtls path
# The client (io.meshwork.bench.grpc.GrpcUnaryLoad) is closed loop: $CONCURRENCY calls in flight on
# one HTTP/2 connection, $PAYLOAD_BYTES bytes each way; it reports calls/s and p50/p99 latency.
# Rounds are interleaved; the table gives medians over the rounds.
#
# Both sidecars run on CPU $PROXY_CPU; client, server and control plane share $LOAD_CPU.
#
# Settings (environment variables):
#   ROUNDS=3  DURATION=10 (s)  WARMUP=3 (s)  CONCURRENCY=16  PAYLOAD_BYTES=64  PREWARM=15 (s)
#   TARGETS="direct mesh-mtls"  PROXY_CPU=0  LOAD_CPU=1  OUT_DIR=(new dir)  MESHWORK_BUILD_DIR=target
#   MESHWORK_LAUNCHER=./meshwork  MESHWORK_JAVA_OPTS (sidecars, control plane)  BENCH_JAVA_OPTS (client, server)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONCURRENCY=${CONCURRENCY:-16}
PAYLOAD_BYTES=${PAYLOAD_BYTES:-64}
PREWARM=${PREWARM:-15}
TARGETS=${TARGETS:-"direct mesh-mtls"}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
if [ "$(id -u)" -eq 0 ]; then NICE=${NICE:--10}; else NICE=${NICE:-0}; fi
BUILD_DIR=${MESHWORK_BUILD_DIR:-target}
MESHWORK_LAUNCHER=${MESHWORK_LAUNCHER:-$ROOT/meshwork}
MESHWORK_JAVA_OPTS=${MESHWORK_JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled"}
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:-"-Xms512m -Xmx512m --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=disabled"}
export MESHWORK_JAVA_OPTS
for n in "$ROUNDS" "$DURATION" "$WARMUP" "$CONCURRENCY" "$PAYLOAD_BYTES" "$PREWARM"; do
  case "$n" in ''|*[!0-9]*) echo "error: not a whole number: '$n' (expected: rounds, durations, counts as integers)" >&2; exit 2 ;; esac
done

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
has_target() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

. "$ROOT/scripts/find-jdk.sh"
meshwork_select_jdk || exit 1
JAVA="$JAVA_HOME/bin/java"

BENCH_JAR=$(ls "$ROOT"/bench/"$BUILD_DIR"/meshwork-bench-*.jar 2>/dev/null | head -1 || true)
if [ -z "$BENCH_JAR" ] || [ ! -d "$ROOT/bench/$BUILD_DIR/lib" ] \
    || [ -n "$(find "$ROOT/bench/src/main" "$ROOT/bench/pom.xml" -newer "$BENCH_JAR" -print -quit)" ]; then
  log "building: ./mvnw -q -B -DskipTests package"
  (cd "$ROOT" && ./mvnw -q -B -DskipTests -Dmeshwork.buildDir="$BUILD_DIR" package)
  BENCH_JAR=$(ls "$ROOT"/bench/"$BUILD_DIR"/meshwork-bench-*.jar | head -1)
fi
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/meshwork-grpc-bench.XXXXXX)}
mkdir -p "$OUT_DIR/classpath"
cp "$BENCH_JAR" "$ROOT/bench/$BUILD_DIR"/lib/*.jar "$OUT_DIR/classpath/"
# shellcheck disable=SC2206
JAVA_CMD=("$JAVA" $BENCH_JAVA_OPTS -cp "$OUT_DIR/classpath/*")

if [ "$(nproc)" -ge 2 ]; then
  PIN_PROXY=(nice -n "$NICE" taskset -c "$PROXY_CPU")
  PIN_LOAD=(nice -n "$NICE" taskset -c "$LOAD_CPU")
else
  PIN_PROXY=(nice -n "$NICE"); PIN_LOAD=(nice -n "$NICE")
fi

PIDS=()
start_bg() { local name=$1; shift; setsid "$@" >"$OUT_DIR/$name.log" 2>&1 & PIDS+=("$!"); }
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

wait_http() { # URL SECONDS PID
  local i
  for i in $(seq 1 $(($2 * 5))); do
    kill -0 "$3" 2>/dev/null || return 1
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
load() { # PORT DURATION WARMUP -> the client's output
  "${PIN_LOAD[@]}" "${JAVA_CMD[@]}" io.meshwork.bench.grpc.GrpcUnaryLoad --port "$1" --concurrency "$CONCURRENCY" \
    --payload "$PAYLOAD_BYTES" --duration "$2" --warmup "$3"
}
answers() { # PORT SECONDS: 0 once a short run has successful calls
  local i
  for i in $(seq 1 "$2"); do
    load "$1" 1 0 2>/dev/null | grep -Eq '^RESULT .* succeeded=[1-9]' && return 0
    sleep 1
  done
  return 1
}

mapfile -t PORTS < <("${JAVA_CMD[@]}" io.meshwork.bench.harness.FreePorts 6)
SERVER_PORT=${PORTS[0]}; CP_PORT=${PORTS[1]}; A_PORT=${PORTS[2]}; A_ADMIN=${PORTS[3]}; B_INBOUND=${PORTS[4]}; B_ADMIN=${PORTS[5]}
declare -A PORT_OF=([direct]=$SERVER_PORT [mesh-mtls]=$A_PORT)
SKIPPED=()
NOTES=()

start_bg server "${PIN_LOAD[@]}" "${JAVA_CMD[@]}" io.meshwork.bench.grpc.GrpcEchoServer "$SERVER_PORT"
answers "$SERVER_PORT" 30 || { echo "error: gRPC server did not answer; see $OUT_DIR/server.log" >&2; exit 1; }
log "gRPC server on 127.0.0.1:$SERVER_PORT (cpu $LOAD_CPU)"

if has_target mesh-mtls; then
  CP_URL="https://127.0.0.1:$CP_PORT"
  CP_DIR="$OUT_DIR/cp"
  mtls_started() {
    start_bg control-plane "${PIN_LOAD[@]}" "$MESHWORK_LAUNCHER" control-plane --data-dir "$CP_DIR" --listen "127.0.0.1:$CP_PORT"
    local pid=${PIDS[-1]} i
    for i in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || { WHY="control plane exited; see $OUT_DIR/control-plane.log"; return 1; }
      [ -s "$CP_DIR/admin-token" ] && [ -s "$CP_DIR/ca.pem" ] && grep -q 'control plane listening' "$OUT_DIR/control-plane.log" && break
      sleep 0.2
    done
    cat >"$OUT_DIR/strict.yaml" <<EOF
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: default}
spec:
  mtls: {mode: STRICT}
EOF
    "$MESHWORK_LAUNCHER" apply -f "$OUT_DIR/strict.yaml" --data-dir "$CP_DIR" --control-plane "$CP_URL" \
      >"$OUT_DIR/apply.log" 2>&1 || { WHY="applying PeerAuthentication STRICT failed; see $OUT_DIR/apply.log"; return 1; }
    start_bg mesh-mtls-b "${PIN_PROXY[@]}" "$MESHWORK_LAUNCHER" sidecar --service backend --io-threads 1 \
      --target "http://127.0.0.1:$SERVER_PORT" --control-plane "$CP_URL" --data-dir "$CP_DIR" \
      --inbound-port "$B_INBOUND" --admin-port "$B_ADMIN"
    local pid_b=${PIDS[-1]}
    start_bg mesh-mtls-a "${PIN_PROXY[@]}" "$MESHWORK_LAUNCHER" sidecar --service client --io-threads 1 \
      --control-plane "$CP_URL" --data-dir "$CP_DIR" --upstream "backend=$A_PORT" --admin-port "$A_ADMIN"
    local pid_a=${PIDS[-1]}
    wait_http "http://127.0.0.1:$B_ADMIN/ready" 120 "$pid_b" || { WHY="sidecar B not ready; see $OUT_DIR/mesh-mtls-b.log"; return 1; }
    wait_http "http://127.0.0.1:$A_ADMIN/ready" 120 "$pid_a" || { WHY="sidecar A not ready; see $OUT_DIR/mesh-mtls-a.log"; return 1; }
    answers "$A_PORT" 60 || { WHY="no gRPC call answered through sidecar A within 60 s"; return 1; }
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$B_INBOUND/" || true)
    [ "$code" = 000 ] || { WHY="plaintext straight to B's inbound port got HTTP $code (expected: refused)"; return 1; }
    NOTES+=("mesh-mtls: plaintext straight to B's inbound port is refused (PeerAuthentication STRICT), so every answered call crossed A -> B over mutual TLS")
    return 0
  }
  WHY=""
  if mtls_started; then
    log "mesh-mtls: sidecar A 127.0.0.1:$A_PORT -> (mTLS) sidecar B inbound 127.0.0.1:$B_INBOUND (cpu $PROXY_CPU)"
  else
    SKIPPED+=("mesh-mtls: $WHY")
    tail -20 "$OUT_DIR"/mesh-mtls-*.log >&2 2>/dev/null || true
  fi
fi

ACTIVE=()
for t in $TARGETS; do
  skip=0
  for s in "${SKIPPED[@]}"; do case "$s" in "$t:"*) skip=1 ;; esac; done
  [ $skip -eq 0 ] && ACTIVE+=("$t")
done
for s in "${SKIPPED[@]}"; do log "SKIPPED $s"; done

RESULTS="$OUT_DIR/results.txt"
: >"$RESULTS"
for t in "${ACTIVE[@]}"; do
  [ "$PREWARM" -gt 0 ] && { log "$t: pre-warm ${PREWARM}s"; load "${PORT_OF[$t]}" "$PREWARM" 0 >/dev/null; }
done
for r in $(seq 1 "$ROUNDS"); do
  for t in "${ACTIVE[@]}"; do
    out=$(load "${PORT_OF[$t]}" "$DURATION" "$WARMUP")
    grep '^RESULT ' <<<"$out" | sed "s/^RESULT /RESULT target=$t round=$r /" >>"$RESULTS"
    log "$t round $r: $(grep -v '^RESULT' <<<"$out" | tail -1)"
  done
done

median_of() { # TARGET FIELD
  sed -n "s/^RESULT target=$1 .* $2=\([0-9.]*\).*/\1/p" "$RESULTS" | sort -n \
    | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
{
  echo "* Run $(date -u +%Y-%m-%dT%H:%MZ), commit $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "* Machine: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $("$JAVA" -version 2>&1 | head -1), grpc-java $(ls "$OUT_DIR/classpath" | sed -n 's/^grpc-core-\(.*\)\.jar$/\1/p')."
  echo "* Settings: rounds=$ROUNDS duration=${DURATION}s warmup=${WARMUP}s concurrency=$CONCURRENCY payload=${PAYLOAD_BYTES}B prewarm=${PREWARM}s proxy_cpu=$PROXY_CPU load_cpu=$LOAD_CPU nice=$NICE."
  echo "* Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  for n in "${NOTES[@]}"; do echo "* $n."; done
  echo
  echo "| path | calls/s | p50 µs | p99 µs | errors (sum) |"
  echo "|---|---:|---:|---:|---:|"
  for t in "${ACTIVE[@]}"; do
    errs=$(sed -n "s/^RESULT target=$t .* errors=\([0-9]*\).*/\1/p" "$RESULTS" | awk '{ s += $1 } END { print s + 0 }')
    printf '| %s | %.0f | %.0f | %.0f | %s |\n' "$t" "$(median_of "$t" rps)" "$(median_of "$t" p50_us)" "$(median_of "$t" p99_us)" "$errs"
  done
  echo
  echo "(medians over $ROUNDS rounds; every round in $RESULTS)"
  for s in "${SKIPPED[@]}"; do echo; echo "Skipped — $s"; done
} | tee "$OUT_DIR/table.md"
