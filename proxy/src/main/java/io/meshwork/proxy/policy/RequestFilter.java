package io.meshwork.proxy.policy;

import io.meshwork.proxy.http.ProxyError;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Map;

/**
 * A check every request head passes once, before it is routed. It may rewrite the head (the
 * normalized path, JWT output headers) and either lets the request go on or names the error to
 * answer. Runs on the connection's event loop: it must not block.
 */
@FunctionalInterface
public interface RequestFilter {
  /** Lets every request through untouched. */
  RequestFilter NONE = (request, channel) -> Verdict.PASS;

  /**
   * @param request the head as received; the filter may change its URI and headers
   * @param channel the channel the request arrived on (an HTTP/2 stream's parent is the connection)
   */
  Verdict check(HttpRequest request, Channel channel);

  /** What to do with the request. */
  sealed interface Verdict permits Pass, Reject {
    Pass PASS = new Pass();
  }

  /** Route the request as usual. */
  record Pass() implements Verdict {}

  /**
   * Answer locally and do not route.
   *
   * @param error the status (and gRPC status) to answer with
   * @param message the body text (grpc-message for gRPC callers)
   * @param headers extra response headers, e.g. {@code www-authenticate}
   */
  record Reject(ProxyError error, String message, Map<String, String> headers) implements Verdict {
    public Reject {
      headers = Map.copyOf(headers);
    }

    public Reject(ProxyError error, String message) {
      this(error, message, Map.of());
    }
  }
}
