package io.meshwork.proxy.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.codec.DurationFormat;
import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.TrustAnchors;
import io.meshwork.proxy.security.WorkloadCsr;
import io.meshwork.proxy.tls.CertificateAuthority;
import io.meshwork.proxy.tls.WorkloadCredentials;
import io.meshwork.proxy.tls.WorkloadIdentity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The control plane's CA as a {@link CertificateAuthority}: {@code POST certificates} with the join
 * token for the first certificate; renewals present the current certificate over mutual TLS when
 * the control plane speaks HTTPS (its API certificate chains to the mesh's trust bundle), falling
 * back to the join token. {@code GET trustbundle} is polled with {@code If-None-Match} (RFC 9110 §13.1.2).
 */
public final class CertificateClient implements CertificateAuthority {
  private static final String API = "/apis/meshwork.io/v1alpha1";

  private final String prefix;
  private final boolean https;
  private final ControlPlaneAuth auth;
  private final Supplier<String> joinToken;
  private final Duration requestTimeout;
  private final HttpClient http;

  public CertificateClient(URI base, ControlPlaneAuth auth) {
    this(base, auth, auth::bearerToken);
  }

  /**
   * A client whose join token is read anew for every first certificate request, so that a token
   * replaced after a refusal takes effect at the next retry.
   *
   * @param joinToken the current join token, or null for none
   */
  public CertificateClient(URI base, ControlPlaneAuth auth, Supplier<String> joinToken) {
    Objects.requireNonNull(base, "base");
    this.auth = Objects.requireNonNull(auth, "auth");
    this.joinToken = Objects.requireNonNull(joinToken, "joinToken");
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.prefix = base.getScheme() + "://" + base.getRawAuthority()
        + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    this.https = "https".equals(base.getScheme());
    this.requestTimeout = ControlPlaneClient.DEFAULT_REQUEST_TIMEOUT;
    HttpClient.Builder builder = client();
    if (auth.tls() != null) {
      builder.sslContext(auth.tls());
    }
    this.http = builder.build();
  }

  /**
   * The workload identity of {@code service} in {@code namespace} from the control plane's CA, kept
   * renewed. A control-plane sidecar must have one: when the first request fails (no join token, a
   * token for another workload, the CA unreachable) the identity has no certificate, says why, and
   * keeps asking with backoff; the sidecar meanwhile fails closed.
   */
  public static WorkloadIdentity obtain(ControlPlaneClient client, String namespace, String service, Duration ttl) {
    return obtain(client, namespace, service, ttl, () -> client.auth().bearerToken());
  }

  /** As {@link #obtain(ControlPlaneClient, String, String, Duration)}, the join token read at every first request. */
  public static WorkloadIdentity obtain(ControlPlaneClient client, String namespace, String service, Duration ttl,
      Supplier<String> joinToken) {
    CertificateClient ca = new CertificateClient(client.base(), client.auth(), joinToken);
    return WorkloadIdentity.renewing(ca, () -> ca.workloadId(namespace, service), ttl);
  }

  /** The mesh's trust domain, as the CA announces it with its bundle. */
  public String trustDomain() throws IOException {
    JsonNode body = json(send(http, get("/trustbundle").build()), 200);
    String domain = body.path("trustDomain").asText("");
    if (domain.isEmpty()) {
      throw new IOException("trust bundle of " + prefix + " names no trustDomain");
    }
    return domain;
  }

  /** The SPIFFE ID a join token for {@code service} in {@code namespace} yields: {@code spiffe://TD/ns/NS/sa/SERVICE}. */
  public SpiffeId workloadId(String namespace, String service) throws IOException {
    return SpiffeId.forWorkload(trustDomain(), namespace, service);
  }

  @Override
  public Issued issue(WorkloadCsr csr, Duration ttl, WorkloadCredentials current) throws IOException {
    ObjectNode request = WireFormat.JSON.createObjectNode();
    request.put("csr", csr.csrPem());
    request.put("ttl", DurationFormat.format(ttl));
    IOException renewalFailure = null;
    if (current != null && https) {
      try (HttpClient mutual = client().sslContext(presenting(current)).build()) {
        return issued(json(send(mutual, post(request).build()), 201));
      } catch (IOException e) {
        renewalFailure = e;
      }
    }
    String token = joinToken.get();
    if (token == null || token.isBlank()) {
      throw renewalFailure != null ? renewalFailure
          : new IOException("no join token to request a certificate with (expected: --token or MESHWORK_TOKEN)");
    }
    HttpRequest.Builder withToken = post(request).header("Authorization", "Bearer " + token.strip());
    return issued(json(send(http, withToken.build()), 201));
  }

  @Override
  public Optional<Bundle> trustBundle(String etag) throws IOException {
    HttpRequest.Builder request = get("/trustbundle");
    if (etag != null) {
      request.header("If-None-Match", etag);
    }
    HttpResponse<byte[]> response = send(http, request.build());
    if (response.statusCode() == 304) {
      return Optional.empty();
    }
    JsonNode body = json(response, 200);
    return Optional.of(new Bundle(anchors(body.path("trustBundle").asText()),
        response.headers().firstValue("ETag").orElse(null)));
  }

  private HttpClient.Builder client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(ControlPlaneClient.DEFAULT_CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(prefix + API + path)).timeout(requestTimeout)
        .header("Accept", "application/json").GET();
  }

  private HttpRequest.Builder post(ObjectNode body) {
    return HttpRequest.newBuilder(URI.create(prefix + API + "/certificates")).timeout(requestTimeout)
        .header("Accept", "application/json").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
  }

  /** A TLS client context presenting the current SVID and trusting the mesh's roots. */
  private static SSLContext presenting(WorkloadCredentials current) throws IOException {
    try {
      char[] password = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("svid", current.key(), password, current.chain().toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore roots = KeyStore.getInstance("PKCS12");
      roots.load(null, null);
      int i = 0;
      for (X509Certificate root : current.bundle().roots()) {
        roots.setCertificateEntry("root-" + i++, root);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(roots);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot present the current certificate: " + e.getMessage(), e);
    }
  }

  private static Issued issued(JsonNode body) throws IOException {
    List<X509Certificate> chain = certificates(body.path("certificateChain").asText());
    if (chain.isEmpty()) {
      throw new IOException("certificate answer has no certificateChain");
    }
    return new Issued(chain, anchors(body.path("trustBundle").asText()));
  }

  private static TrustAnchors anchors(String pem) throws IOException {
    try {
      return TrustAnchors.fromPem(pem);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static List<X509Certificate> certificates(String pem) throws IOException {
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream().map(X509Certificate.class::cast).toList();
    } catch (CertificateException e) {
      throw new IOException("certificateChain: " + e.getMessage() + " (expected: PEM certificates)", e);
    }
  }

  private HttpResponse<byte[]> send(HttpClient client, HttpRequest request) throws IOException {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The reason and message of a Kubernetes-style Status answer, else the start of the body. */
  private static String refusal(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode status = WireFormat.JSON.readTree(body);
      if (status != null && status.path("message").isTextual()) {
        String reason = status.path("reason").asText("");
        return (reason.isEmpty() ? "" : reason + ": ") + status.path("message").asText();
      }
    } catch (IOException e) {
      // Not JSON: the text itself says what happened.
    }
    return text.length() > 300 ? text.substring(0, 300) : text;
  }

  private JsonNode json(HttpResponse<byte[]> response, int expected) throws IOException {
    if (response.statusCode() != expected) {
      throw new IOException(response.request().method() + " " + response.request().uri().getRawPath() + ": "
          + response.statusCode() + " " + refusal(response.body()));
    }
    return WireFormat.JSON.readTree(response.body());
  }
}
