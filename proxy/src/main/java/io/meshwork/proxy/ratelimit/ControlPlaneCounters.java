package io.meshwork.proxy.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's counters ({@code POST .../namespaces/{ns}/ratelimitpolicies/{name}/leases}), asked with the
 * sidecar's own credentials (join token, TLS trust) through the JDK client's asynchronous API: no thread waits, and
 * every call ends within {@code deadline}.
 */
public final class ControlPlaneCounters implements GlobalCounters, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String prefix;
  private final ControlPlaneAuth auth;
  private final Duration deadline;
  private final HttpClient http;

  public ControlPlaneCounters(URI base, ControlPlaneAuth auth, Duration deadline) {
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.prefix = base.getScheme() + "://" + base.getRawAuthority()
        + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    this.auth = auth;
    this.deadline = deadline;
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(deadline)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (auth.tls() != null) {
      b.sslContext(auth.tls());
    }
    this.http = b.build();
  }

  @Override
  public CompletableFuture<Lease> lease(String namespace, String policy, String key, long tokens) {
    ObjectNode body = JSON.createObjectNode().put("key", key).put("tokens", tokens);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(prefix + "/apis/meshwork.io/v1alpha1/namespaces/"
            + encode(namespace) + "/ratelimitpolicies/" + encode(policy) + "/leases"))
        .timeout(deadline)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (auth.bearerToken() != null) {
      request.header("Authorization", "Bearer " + auth.bearerToken());
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(ControlPlaneCounters::lease)
        // The JDK's timeout covers the response head; this bounds the whole exchange.
        .orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Lease lease(HttpResponse<byte[]> response) {
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("lease answer " + response.statusCode() + " is not JSON");
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("lease refused: " + response.statusCode() + " "
          + json.path("message").asText(""));
    }
    return new Lease(Math.max(0, json.path("granted").asLong()), Math.max(0, json.path("windowRemainingMillis").asLong()));
  }

  @Override
  public String describe() {
    return prefix;
  }

  /** Drops the connections; leases still on their way fail, and their requests get the failure mode. */
  @Override
  public void close() {
    http.shutdownNow();
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
