#!/usr/bin/env bash
# Installs the third-party tools that tests run: redis-server (the state.redis and pubsub.redis tests), node and
# npm with the Dapr JavaScript SDK (docs/dapr.md), promtool (Debian's prometheus, for the telemetry tests), and the
# HTTP/2 tools of the interop module's tests
# (docs/conformance.md): nghttp and h2load (Debian's nghttp2-client) and nghttpd (nghttp2-server). Called by
# .ci/run before the build and by the tests themselves. Installs only as root with apt-get; otherwise it says what is missing, and the
# tests that need a missing tool are skipped with that reason. Exits 0 either way; prints one line per outcome.
set -u
command -v redis-server >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && { apt-get -o DPkg::Lock::Timeout=120 install -y --no-install-recommends redis-server >/dev/null 2>&1 || { apt-get -o DPkg::Lock::Timeout=120 update >/dev/null 2>&1 && apt-get -o DPkg::Lock::Timeout=120 install -y --no-install-recommends redis-server >/dev/null 2>&1; }; } && echo "ensure-tools: installed redis-server" || echo "ensure-tools: redis-server missing; the state.redis tests are skipped"; }
# The Dapr JavaScript SDK, once per version, in the user's cache (DaprJsSdkIntegrationTest looks there).
DAPR_JS_SDK_VERSION=3.18.0
dapr_js_sdk="${MESHWORK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwork}/dapr-js-sdk-$DAPR_JS_SDK_VERSION"
command -v npm >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && { apt-get -o DPkg::Lock::Timeout=120 install -y --no-install-recommends nodejs npm >/dev/null 2>&1 || { apt-get -o DPkg::Lock::Timeout=120 update >/dev/null 2>&1 && apt-get -o DPkg::Lock::Timeout=120 install -y --no-install-recommends nodejs npm >/dev/null 2>&1; }; } && echo "ensure-tools: installed nodejs and npm" || echo "ensure-tools: node or npm missing; the Dapr JavaScript SDK tests are skipped"; }
if [ ! -f "$dapr_js_sdk/node_modules/@dapr/dapr/package.json" ] && command -v npm >/dev/null 2>&1; then
  # Installed beside, then moved into place: a cut-off install never looks complete.
  mkdir -p "$(dirname "$dapr_js_sdk")" && partial=$(mktemp -d "$dapr_js_sdk.partial.XXXXXX") \
    && npm install --no-audit --no-fund --loglevel=error --prefix "$partial" "@dapr/dapr@$DAPR_JS_SDK_VERSION" >"$partial.log" 2>&1 \
    && rm -rf "$dapr_js_sdk" && mv "$partial" "$dapr_js_sdk" \
    && echo "ensure-tools: installed the Dapr JavaScript SDK $DAPR_JS_SDK_VERSION in $dapr_js_sdk" \
    || { echo "ensure-tools: npm could not install @dapr/dapr@$DAPR_JS_SDK_VERSION: $(tail -n 1 "$partial.log" 2>/dev/null)"; rm -rf "${partial:-/nonexistent}"; }
  rm -f "${partial:-/nonexistent}.log"
fi
# promtool (Debian's prometheus package) checks the sidecar's /metrics in the telemetry tests.
command -v promtool >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && { apt-get -o DPkg::Lock::Timeout=120 install -y --no-install-recommends prometheus >/dev/null 2>&1 || { apt-get -o DPkg::Lock::Timeout=120 update >/dev/null 2>&1 && apt-get -o DPkg::Lock::Timeout=120 install -y --no-install-recommends prometheus >/dev/null 2>&1; }; } && echo "ensure-tools: installed prometheus (promtool)" || echo "ensure-tools: promtool missing; promtool check metrics is skipped"; }
missing=()
for tool in nghttp h2load nghttpd; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "ensure-tools: nghttp, h2load and nghttpd are installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: missing ${missing[*]}; install nghttp2-client and nghttp2-server (needs root and apt-get)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# A lock held by another apt run is waited for rather than failed on.
apt_get() { apt-get -o DPkg::Lock::Timeout=120 "$@"; }
if ! apt_get install -y --no-install-recommends nghttp2-client nghttp2-server >/tmp/ensure-tools.$$.log 2>&1; then
  apt_get update >>/tmp/ensure-tools.$$.log 2>&1
  if ! apt_get install -y --no-install-recommends nghttp2-client nghttp2-server >>/tmp/ensure-tools.$$.log 2>&1; then
    echo "ensure-tools: apt-get could not install nghttp2-client nghttp2-server: $(tail -n 1 /tmp/ensure-tools.$$.log)"
    rm -f /tmp/ensure-tools.$$.log
    exit 0
  fi
fi
rm -f /tmp/ensure-tools.$$.log
echo "ensure-tools: installed nghttp2-client and nghttp2-server"
