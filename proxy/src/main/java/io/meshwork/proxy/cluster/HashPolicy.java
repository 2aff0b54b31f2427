package io.meshwork.proxy.cluster;

import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;

/**
 * Derives the consistent-hash key of a request (Istio consistentHash: httpHeaderName,
 * httpCookie, useSourceIp, httpQueryParameterName).
 */
public interface HashPolicy {
  /** Returned when the request carries no key: the balancer then picks as if unhashed. */
  long NO_HASH = Long.MIN_VALUE;

  HashPolicy NONE = (request, remote) -> NO_HASH;

  /** The key's hash, or {@link #NO_HASH}. */
  long hash(HttpRequest request, InetSocketAddress remote);
}
