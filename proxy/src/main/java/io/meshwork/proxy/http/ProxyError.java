package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The errors the proxy answers itself, each with its HTTP status, the gRPC status a gRPC caller
 * sees instead (Envoy's mapping: 404 → 12 UNIMPLEMENTED, 503 → 14 UNAVAILABLE, 400 → 13 INTERNAL)
 * and the reason code sent in {@code x-meshwork-error}.
 */
public enum ProxyError {
  BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, 13, "bad_request"),
  URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, 13, "uri_too_long"),
  HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, 13, "headers_too_large"),
  REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, 4, "request_header_timeout"),
  NOT_IMPLEMENTED(HttpResponseStatus.NOT_IMPLEMENTED, 12, "not_implemented"),
  VERSION_NOT_SUPPORTED(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, 13, "http_version_not_supported"),
  UNAUTHENTICATED(HttpResponseStatus.UNAUTHORIZED, 16, "unauthenticated"),
  FORBIDDEN(HttpResponseStatus.FORBIDDEN, 7, "forbidden"),
  METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, 12, "method_not_allowed"),
  UNKNOWN_HOST(HttpResponseStatus.NOT_FOUND, 12, "unknown_host"),
  NO_ROUTE(HttpResponseStatus.NOT_FOUND, 12, "no_route"),
  NO_HEALTHY_UPSTREAM(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "no_healthy_upstream"),
  UPSTREAM_CONNECT(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "upstream_connect_error"),
  UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, 4, "upstream_timeout"),
  UPSTREAM_PROTOCOL(HttpResponseStatus.BAD_GATEWAY, 14, "upstream_protocol_error"),
  /** A host outside the registry under REGISTRY_ONLY (Istio's BlackHoleCluster answers 502). */
  REGISTRY_ONLY(HttpResponseStatus.BAD_GATEWAY, 14, "registry_only"),
  /** A passthrough or tunnel that would reach this sidecar's own ports. */
  EGRESS_LOOP(HttpResponseStatus.BAD_GATEWAY, 14, "egress_loop"),
  /** A passthrough or tunnel host that does not resolve (Envoy's dynamic forward proxy answers 503). */
  DNS_RESOLUTION_FAILURE(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "dns_resolution_failure"),
  DRAINING(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "draining"),
  INTERNAL(HttpResponseStatus.INTERNAL_SERVER_ERROR, 13, "internal_error");

  private final HttpResponseStatus status;
  private final int grpcStatus;
  private final String reason;

  ProxyError(HttpResponseStatus status, int grpcStatus, String reason) {
    this.status = status;
    this.grpcStatus = grpcStatus;
    this.reason = reason;
  }

  public HttpResponseStatus status() {
    return status;
  }

  public int grpcStatus() {
    return grpcStatus;
  }

  public String reason() {
    return reason;
  }
}
