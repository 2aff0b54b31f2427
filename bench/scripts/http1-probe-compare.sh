#!/usr/bin/env bash
# Replays the HTTP/1.1 probe cases (proxy/src/test/resources/io/meshwork/proxy/hardening/probe/
# http1-probe-cases.txt, the same list Http1ProbeTest runs in ./mvnw verify) against:
#   meshwork proxy / upstream / inbound   a Meshwork sidecar started in-process (its three port types)
#   haproxy                               HAProxy (Debian package), mode http, default settings
#   nginx                                 nginx (Debian package), proxy_pass with default settings
# all forwarding to one backend that counts requests, and prints a Markdown table: the first
# status code of each answer, "close" (closed without a response), "timeout" (no answer within
# the wait) or "non-http"; "SMUGGLED" marks an answer after which the backend saw the request
# sent behind the case (GET /smuggled). Meshwork cells that differ from the case list are bold.
#
# Usage: bench/scripts/http1-probe-compare.sh [--out FILE] [--quiet-millis MS]
#   --out FILE         also write the table to FILE (default: only stdout)
#   --quiet-millis MS  how long a silent server is waited for per case (default 2000)
# Everything binds 127.0.0.1 on free ports; HAProxy and nginx are stopped on exit. Missing
# packages (haproxy, nginx) are installed with apt-get when run as root. Not part of ./mvnw verify.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT_FILE=
QUIET=2000
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --out) OUT_FILE=$2; shift 2 ;;
    --quiet-millis) QUIET=$2; shift 2 ;;
    *) echo "error: unknown option: $1 (expected: --out FILE, --quiet-millis MS)" >&2; exit 2 ;;
  esac
done
case "$QUIET" in ''|*[!0-9]*) echo "error: --quiet-millis: '$QUIET' (expected: milliseconds as an integer)" >&2; exit 2 ;; esac

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# shellcheck source=../../scripts/find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
meshwork_select_jdk || { echo "error: no JDK 21 or newer found (expected: JAVA_HOME or /usr/lib/jvm/*)" >&2; exit 1; }
JAVA="$JAVA_HOME/bin/java"

missing=()
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages: ${missing[*]} (expected: run as root to install them, or install them first)" >&2
    exit 1
  fi
  log "installing Debian packages with apt-get: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d /tmp/meshwork-http1-probe.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

log "building the proxy module and its tests (no install): ./mvnw -q -B -pl proxy -am test-compile"
(cd "$ROOT" && ./mvnw -q -B -pl proxy -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath.txt" >"$WORK/build.log" 2>&1) \
  || { cat "$WORK/build.log" >&2; echo "error: build failed (log above)" >&2; exit 1; }
CP="$ROOT/proxy/target/test-classes:$ROOT/proxy/target/classes:$(cat "$WORK/classpath.txt")"

read -r BACKEND HAPROXY_PORT NGINX_PORT < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
EOF
)

cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 256
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
  timeout http-request 10s
frontend probe
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend origin
backend origin
  server origin 127.0.0.1:$BACKEND
EOF

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://127.0.0.1:$BACKEND;
      proxy_http_version 1.1;
    }
  }
}
EOF

log "starting HAProxy on 127.0.0.1:$HAPROXY_PORT and nginx on 127.0.0.1:$NGINX_PORT, backend 127.0.0.1:$BACKEND"
"$HAPROXY" -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
"$NGINX" -c "$WORK/nginx.conf" -g 'daemon off;' >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
for port in "$HAPROXY_PORT" "$NGINX_PORT"; do
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done

log "replaying the cases ($("$HAPROXY" -v | head -1 | cut -d' ' -f1-3); $("$NGINX" -v 2>&1))"
"$JAVA" -cp "$CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    io.meshwork.proxy.hardening.probe.Http1ProbeCompare \
    --backend-port "$BACKEND" --quiet-millis "$QUIET" \
    --target "haproxy=$HAPROXY_PORT" --target "nginx=$NGINX_PORT" | tee "${OUT_FILE:-/dev/null}"
