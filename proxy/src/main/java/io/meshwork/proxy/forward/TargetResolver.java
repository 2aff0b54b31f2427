package io.meshwork.proxy.forward;

import io.meshwork.proxy.http.ProxyError;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;

/** Derives the target of a request head; one per way in (proxy port, upstream port, inbound port). */
@FunctionalInterface
public interface TargetResolver {

  /** The outcome: a target, or an error to answer. */
  sealed interface Resolution permits Resolved, Rejected {}

  record Resolved(Target target) implements Resolution {}

  record Rejected(ProxyError error, String message) implements Resolution {}

  Resolution resolve(HttpRequest request);

  /**
   * Resolves a request from a known peer; ways in that care who calls (the outbound ports, under
   * Otoroshi's {@code SIDECAR_FROM}) override this.
   *
   * @param remote the downstream peer's address, or null when unknown
   */
  default Resolution resolve(HttpRequest request, InetSocketAddress remote) {
    return resolve(request);
  }
}
