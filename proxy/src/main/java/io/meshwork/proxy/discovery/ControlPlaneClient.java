package io.meshwork.proxy.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.Kind;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Speaks the control plane's Kubernetes-style HTTP/JSON API: resources under
 * {@code /apis/{group}/{version}/namespaces/{ns}/{plural}[/{name}]}, the all-kinds snapshot and its watch, and
 * workload registrations. Calls block the calling thread: configuration traffic is off the data path and runs on
 * threads of its own. Failures surface as {@link ControlPlaneException}, carrying the server's status and field
 * errors or telling that it did not answer. Thread-safe.
 */
public final class ControlPlaneClient implements AutoCloseable {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  static final String MESHWORK_API = "/apis/meshwork.io/v1alpha1";

  private final URI base;
  private final ControlPlaneAuth auth;
  private final String prefix;
  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final HttpClient http;

  /** A client that presents no credential, for a control plane that asks for none. */
  public ControlPlaneClient(URI base) {
    this(base, ControlPlaneAuth.NONE);
  }

  public ControlPlaneClient(URI base, ControlPlaneAuth auth) {
    this(base, auth, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
  }

  public ControlPlaneClient(URI base, ControlPlaneAuth auth, Duration connectTimeout, Duration requestTimeout) {
    Objects.requireNonNull(base, "base");
    this.auth = Objects.requireNonNull(auth, "auth");
    String scheme = base.getScheme();
    if (base.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
      throw new IllegalArgumentException("base: " + base + " (expected: an http:// or https:// URL with a host)");
    }
    if (base.getQuery() != null || base.getFragment() != null) {
      throw new IllegalArgumentException("base: " + base + " (expected: no query or fragment)");
    }
    this.base = base;
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.prefix = base.getScheme() + "://" + base.getRawAuthority() + (path.endsWith("/")
        ? path.substring(0, path.length() - 1) : path);
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    HttpClient.Builder http = HttpClient.newBuilder()
        // The API is HTTP/1.1; asking for h2c would add an Upgrade dance to every connection for nothing.
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (auth.tls() != null) {
      http.sslContext(auth.tls());
    }
    this.http = http.build();
  }

  public URI base() {
    return base;
  }

  /** The credentials this client presents; the certificate client reuses them. */
  public ControlPlaneAuth auth() {
    return auth;
  }

  /** The objects of {@code kind} in {@code namespace}, or in every namespace when it is null. */
  public ResourceList list(Kind kind, String namespace) {
    return WireFormat.list(json(send("GET", collectionPath(kind, namespace), null), 200));
  }

  /** Every object of every kind, at one revision: the state a sidecar mirrors. */
  public ResourceList snapshot() {
    return WireFormat.list(json(send("GET", MESHWORK_API + "/snapshot", null), 200));
  }

  public Optional<Resource<?>> get(Kind kind, String namespace, String name) {
    HttpResponse<byte[]> response = send("GET", itemPath(kind, namespace, name), null);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(readable(json(response, 200)));
  }

  /**
   * Creates or replaces the object (HTTP PUT). When its metadata carries a resourceVersion the write happens only
   * if the stored object is still at that version (409 otherwise).
   */
  public Applied apply(Resource<?> resource) {
    HttpResponse<byte[]> response = send("PUT", itemPath(resource.kind(), resource.namespace(), resource.name()),
        ResourceWriter.toJsonNode(resource));
    JsonNode body = json(response, 200, 201);
    return new Applied(readable(body), response.statusCode() == 201, warnings(response));
  }

  /**
   * Applies all {@code resources} in one store transaction: every one is written at the same revision, or none is
   * (a watcher never sees half of a change). Unchanged objects are not rewritten.
   */
  public BatchApplied applyAll(List<? extends Resource<?>> resources) {
    return applyAll(resources, false);
  }

  /**
   * As {@link #applyAll(List)}; with {@code dryRun} the control plane validates everything and answers what it would
   * do, writing nothing (Kubernetes' {@code dryRun=All}).
   */
  public BatchApplied applyAll(List<? extends Resource<?>> resources, boolean dryRun) {
    com.fasterxml.jackson.databind.node.ArrayNode array = WireFormat.JSON.createArrayNode();
    resources.forEach(r -> array.add(ResourceWriter.toJsonNode(r)));
    HttpResponse<byte[]> response = send("POST", MESHWORK_API + "/apply" + (dryRun ? "?dryRun=All" : ""), array);
    JsonNode body = json(response, 200);
    List<BatchApplied.Item> items = new java.util.ArrayList<>();
    for (JsonNode item : body.path("items")) {
      BatchApplied.Action action;
      try {
        action = BatchApplied.Action.valueOf(item.path("action").asText("").toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ControlPlaneException.rejected(base, response.statusCode(), "Unreadable", "action: "
            + item.path("action").asText() + " (expected: created, configured or unchanged)", List.of());
      }
      items.add(new BatchApplied.Item(item.path("kind").asText(""), item.path("namespace").asText(""),
          item.path("name").asText(""), action));
    }
    List<String> warnings = new java.util.ArrayList<>();
    body.path("warnings").forEach(w -> warnings.add(w.asText()));
    return new BatchApplied(WireFormat.revisionOf(body), items, warnings);
  }

  /** Deletes the object; false if there was none. */
  public boolean delete(Kind kind, String namespace, String name) {
    return delete(kind, namespace, name, null);
  }

  /** Deletes the object only while it is at {@code resourceVersion} (any version when null); false if absent. */
  public boolean delete(Kind kind, String namespace, String name, String resourceVersion) {
    String path = itemPath(kind, namespace, name)
        + (resourceVersion == null ? "" : "?resourceVersion=" + encode(resourceVersion));
    HttpResponse<byte[]> response = send("DELETE", path, null);
    if (response.statusCode() == 404) {
      return false;
    }
    json(response, 200, 202);
    return true;
  }

  /**
   * The store's current revision. Read from the core namespace list, the smallest list the API serves, since its
   * resourceVersion is the revision the store was read at.
   */
  public long currentRevision() {
    return WireFormat.revisionOf(json(send("GET", "/api/v1/namespaces", null), 200));
  }

  /** True when {@code /healthz} answers 200. */
  public boolean healthy() {
    try {
      return send("GET", "/healthz", null).statusCode() == 200;
    } catch (ControlPlaneException e) {
      return false;
    }
  }

  /**
   * Opens a watch of every object after {@code afterRevision} (0: first an ADDED event per existing object). Returns
   * once the server accepted it; a compacted revision fails with {@link ControlPlaneException#gone()}.
   */
  public EventStream watchSnapshot(long afterRevision) {
    HttpRequest request = request("GET", MESHWORK_API + "/snapshot?watch=true&resourceVersion=" + afterRevision,
        null);
    HttpResponse<InputStream> response = call(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      byte[] body;
      try (InputStream in = response.body()) {
        body = in.readAllBytes();
      } catch (IOException e) {
        body = new byte[0];
      }
      throw WireFormat.error(base, response.statusCode(), body);
    }
    return new EventStream(response.body());
  }

  /** Registers a workload as a WorkloadEntry under a lease of {@code workload.ttl()}. */
  public Lease register(Workload workload) {
    ObjectNode body = WireFormat.object();
    body.put("service", workload.service());
    body.put("address", workload.address());
    body.put("port", workload.port());
    ObjectNode labels = body.putObject("labels");
    workload.labels().forEach(labels::put);
    body.put("ttlSeconds", workload.ttlSeconds());
    return lease(json(send("POST", registrationsPath(workload.namespace()), body), 200, 201));
  }

  /** Renews a registration's lease; empty when the control plane no longer has it (expired or deleted). */
  public Optional<Lease> keepAlive(String namespace, String name) {
    HttpResponse<byte[]> response = send("PUT", registrationsPath(namespace) + "/" + encode(name) + "/keepalive",
        WireFormat.object());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(lease(json(response, 200)));
  }

  /** Removes a registration at once; false if there was none. */
  public boolean deregister(String namespace, String name) {
    HttpResponse<byte[]> response = send("DELETE", registrationsPath(namespace) + "/" + encode(name), null);
    if (response.statusCode() == 404) {
      return false;
    }
    json(response, 200);
    return true;
  }

  @Override
  public void close() {
    // shutdownNow, not close: close() would wait for open watch streams to end.
    http.shutdownNow();
  }

  private Lease lease(JsonNode body) {
    long rv;
    try {
      rv = Long.parseLong(body.path("resourceVersion").asText("0"));
    } catch (NumberFormatException e) {
      rv = 0;
    }
    return new Lease(body.path("namespace").asText(""), body.path("name").asText(""),
        body.path("leaseId").asText(""), body.path("ttlSeconds").asLong(), rv);
  }

  private Resource<?> readable(JsonNode object) {
    ParseResult parsed = WireFormat.decode(object);
    if (parsed.hasErrors()) {
      throw ControlPlaneException.rejected(base, 200, "Unreadable", WireFormat.keyOf(object)
          + " cannot be read by this version: " + parsed.errors().getFirst().format(), List.of());
    }
    return parsed.resources().getFirst();
  }

  private static List<String> warnings(HttpResponse<?> response) {
    // RFC 7234 §5.5: warn-code SP warn-agent SP quoted warn-text, as the Kubernetes API server sends them.
    return response.headers().allValues("Warning").stream().map(w -> {
      int open = w.indexOf('"');
      int close = w.lastIndexOf('"');
      return open >= 0 && close > open ? w.substring(open + 1, close) : w;
    }).toList();
  }

  private JsonNode json(HttpResponse<byte[]> response, int... expected) {
    int status = response.statusCode();
    for (int e : expected) {
      if (status == e) {
        try {
          return WireFormat.JSON.readTree(response.body());
        } catch (IOException ex) {
          throw ControlPlaneException.unreachable(base, "answer to " + response.request().method() + " "
              + response.request().uri().getRawPath() + " is not JSON ("
              + io.meshwork.model.codec.ResourceParser.syntaxMessage(ex) + ")", ex);
        }
      }
    }
    throw WireFormat.error(base, status, response.body());
  }

  private HttpResponse<byte[]> send(String method, String path, JsonNode body) {
    return call(request(method, path, body), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest request(String method, String path, JsonNode body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(prefix + path))
        .timeout(requestTimeout)
        .header("Accept", "application/json");
    if (auth.bearerToken() != null) {
      b.header("Authorization", "Bearer " + auth.bearerToken());
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }
    return b.build();
  }

  private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (ConnectException e) {
      throw ControlPlaneException.unreachable(base, "connection refused", e);
    } catch (javax.net.ssl.SSLException e) {
      throw ControlPlaneException.tls(base, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
          e);
    } catch (java.net.http.HttpConnectTimeoutException e) {
      // The JDK's connect timeout covers the TLS handshake too.
      throw ControlPlaneException.unreachable(base, "no connection (TCP and TLS) within "
          + connectTimeout.toMillis() + " ms", e);
    } catch (HttpTimeoutException e) {
      // Connected and sent: the control plane may still be working on the request.
      throw ControlPlaneException.timedOut(base, requestTimeout, e);
    } catch (IOException e) {
      String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (e.getCause() instanceof javax.net.ssl.SSLException) {
        throw ControlPlaneException.tls(base, what, e);
      }
      throw ControlPlaneException.unreachable(base, what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ControlPlaneException.unreachable(base, "interrupted", e);
    }
  }

  static String collectionPath(Kind kind, String namespace) {
    String api = kind.group().isEmpty()
        ? "/api/" + kind.preferredVersion()
        : "/apis/" + kind.group() + "/" + kind.preferredVersion();
    if (!kind.namespaced() || namespace == null) {
      return api + "/" + kind.plural();
    }
    return api + "/namespaces/" + encode(namespace) + "/" + kind.plural();
  }

  static String itemPath(Kind kind, String namespace, String name) {
    return collectionPath(kind, kind.namespaced() ? Objects.requireNonNull(namespace, "namespace") : null)
        + "/" + encode(name);
  }

  private static String registrationsPath(String namespace) {
    return MESHWORK_API + "/namespaces/" + encode(namespace) + "/registrations";
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
