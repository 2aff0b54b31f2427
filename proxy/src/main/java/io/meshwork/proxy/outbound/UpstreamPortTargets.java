package io.meshwork.proxy.outbound;

import io.meshwork.proxy.forward.RequestUris;
import io.meshwork.proxy.forward.TargetResolver;
import io.meshwork.proxy.http.ProxyError;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;

/**
 * An upstream port ({@code --upstream NAME=PORT}, Consul Connect's way): every request on it
 * targets service NAME, whatever its Host says; the upstream sees Host NAME.
 */
public final class UpstreamPortTargets implements TargetResolver {
  private final String service;

  public UpstreamPortTargets(String service) {
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("service: " + service + " (expected: a service name)");
    }
    this.service = service.toLowerCase(Locale.ROOT);
  }

  @Override
  public Resolution resolve(HttpRequest request) {
    if (HttpMethod.CONNECT.equals(request.method())) {
      return new Rejected(ProxyError.METHOD_NOT_ALLOWED, "CONNECT is not supported on upstream port of " + service);
    }
    String uri = request.uri();
    String originForm = RequestUris.isAbsolute(uri) ? uri.substring(RequestUris.pathStart(uri)) : uri;
    return new Resolved(RequestUris.originForm(service, 0, service, originForm.isEmpty() ? "/" : originForm));
  }
}
