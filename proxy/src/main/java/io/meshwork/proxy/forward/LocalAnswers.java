package io.meshwork.proxy.forward;

import io.meshwork.proxy.http.ErrorResponses;
import io.meshwork.proxy.retry.AttemptFailure;
import io.meshwork.proxy.route.RouteAction;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Responses a route answers without an upstream (Istio HTTPRedirect, HTTPDirectResponse) and the texts of upstream failures. */
final class LocalAnswers {
  private LocalAnswers() {}

  /** A redirect: 301 unless the route says otherwise, Location rebuilt from the request (Istio HTTPRedirect). */
  static FullHttpResponse redirect(RouteAction.Redirect r, HttpRequest request, Target target) {
    String authority = target.authority() != null
        ? target.authority()
        : request.headers().get(HttpHeaderNames.HOST, target.host());
    FullHttpResponse response = ErrorResponses.empty(HttpResponseStatus.valueOf(r.status() > 0 ? r.status() : 301));
    response.headers().set(HttpHeaderNames.LOCATION,
        Redirects.location(r, "http", authority, target.path(), target.query()));
    return response;
  }

  /** A fixed response (Istio HTTPDirectResponse): status, optional text body, response header operations. */
  static FullHttpResponse direct(ByteBufAllocator alloc, RouteAction.DirectResponse d) {
    FullHttpResponse response = d.body() == null || d.body().isEmpty()
        ? ErrorResponses.empty(HttpResponseStatus.valueOf(d.status()))
        : ErrorResponses.text(alloc, HttpResponseStatus.valueOf(d.status()), null, d.body());
    if (d.responseHeaders() != null) {
      d.responseHeaders().applyTo(response.headers());
    }
    return response;
  }

  /** The 503 text after the last attempt failed before a response head (Envoy's wording). */
  static String resetBeforeHeaders(AttemptFailure failure) {
    String reason = switch (failure) {
      case CONNECT_FAILURE -> "connection failure";
      case RESET -> "connection reset";
      case REFUSED_STREAM -> "refused stream";
      case PER_TRY_TIMEOUT -> "per-try timeout";
    };
    return "upstream connect error or disconnect/reset before headers (" + reason + ")";
  }
}
