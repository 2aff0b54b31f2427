package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.time.Duration;
import java.util.List;

/** Istio CorsPolicy (the Fetch standard's CORS protocol). */
public record CorsPolicy(
    List<StringMatch> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    Duration maxAge,
    Boolean allowCredentials) {
  public CorsPolicy {
    allowOrigins = Copies.list(allowOrigins);
    allowMethods = Copies.list(allowMethods);
    allowHeaders = Copies.list(allowHeaders);
    exposeHeaders = Copies.list(exposeHeaders);
  }
}
