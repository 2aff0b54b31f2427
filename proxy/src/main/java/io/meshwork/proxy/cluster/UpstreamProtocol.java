package io.meshwork.proxy.cluster;

/** How the proxy speaks to a cluster's endpoints. */
public enum UpstreamProtocol {
  /** HTTP/1.1 over TCP. */
  HTTP1,
  /** HTTP/2 with prior knowledge (h2c), multiplexed on one connection per endpoint and event loop. */
  HTTP2,
  /** Whatever the downstream spoke: HTTP/2 callers get HTTP/2 upstreams (Istio's default). */
  USE_DOWNSTREAM
}
