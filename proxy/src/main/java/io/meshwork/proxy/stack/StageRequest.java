package io.meshwork.proxy.stack;

import io.meshwork.proxy.route.RouteDecision;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

/** What a stage sees of the request it runs for. */
public interface StageRequest {

  /** The head as received; a stage may change its URI and headers (a normalized path, JWT claims). */
  HttpRequest head();

  /** The channel the request arrived on (an HTTP/2 stream's parent is the connection). */
  Channel channel();

  /** Whether the caller speaks gRPC. */
  boolean grpc();

  /**
   * The route decision for the request, from the snapshot the request started on; made on first
   * call and kept, so a stage that rewrites the path must come before any stage that asks. Null
   * when the port refused the request's target (the router then answers that).
   */
  RouteDecision route();

  /** The request's record, for a stage that marks what it did (a response flag). */
  RequestRecord record();
}
