package io.meshwork.proxy.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.model.Kind;
import io.meshwork.model.ObjectMeta;
import io.meshwork.model.Resource;
import io.meshwork.model.networking.VirtualService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControlPlaneClientTest {
  private HttpServer server;
  private ControlPlaneClient client;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String body = "{}";
  private volatile String warning;

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String sent = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + (sent.isEmpty() ? "" : " " + sent));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      if (warning != null) {
        ex.getResponseHeaders().add("Warning", "299 - \"" + warning + "\"");
      }
      ex.sendResponseHeaders(status, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    client = new ControlPlaneClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.stop(0);
  }

  private static Resource<VirtualService> reviews() {
    return Resource.of(ObjectMeta.of("reviews", "shop"),
        new VirtualService(List.of("reviews"), null, null, null, null, null));
  }

  @Test
  void pathsFollowKubernetesForNamespacedClusterScopedAndAllNamespaceCollections() {
    assertThat(ControlPlaneClient.itemPath(Kind.VIRTUAL_SERVICE, "shop", "reviews"))
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/shop/virtualservices/reviews");
    assertThat(ControlPlaneClient.collectionPath(Kind.DESTINATION_RULE, null))
        .isEqualTo("/apis/networking.istio.io/v1/destinationrules");
    assertThat(ControlPlaneClient.itemPath(Kind.NAMESPACE, "ignored", "istio-system"))
        .isEqualTo("/api/v1/namespaces/istio-system");
  }

  @Test
  void applyPutsTheCanonicalDocumentAndReadsBackCreatedAndWarnings() {
    status = 201;
    warning = "spec.foo: unknown field (ignored)";
    body = FakeControlPlane.virtualService("reviews", 8, "reviews").replace("\"default\"", "\"shop\"");

    Applied applied = client.apply(reviews());

    assertThat(applied.created()).isTrue();
    assertThat(applied.resource().metadata().resourceVersion()).isEqualTo("8");
    assertThat(applied.warnings()).containsExactly("spec.foo: unknown field (ignored)");
    assertThat(requests).singleElement().asString()
        .startsWith("PUT /apis/networking.istio.io/v1/namespaces/shop/virtualservices/reviews ")
        .contains("\"kind\":\"VirtualService\"", "\"hosts\":[\"reviews\"]");
  }

  @Test
  void anInvalidObjectIsReportedWithStatusAndFieldCauses() {
    status = 422;
    body = "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Invalid\",\"code\":422,"
        + "\"message\":\"VirtualService.networking.istio.io \\\"reviews\\\" is invalid\","
        + "\"details\":{\"causes\":[{\"reason\":\"FieldValueInvalid\",\"field\":\"spec.hosts\","
        + "\"message\":\"[] (expected: at least one host)\"}]}}";

    assertThatThrownBy(() -> client.apply(reviews()))
        .isInstanceOfSatisfying(ControlPlaneException.class, e -> {
          assertThat(e.status()).isEqualTo(422);
          assertThat(e.reason()).isEqualTo("Invalid");
          assertThat(e.unreachable()).isFalse();
          assertThat(e.causes()).containsExactly(
              new ControlPlaneException.Cause("spec.hosts", "[] (expected: at least one host)"));
          assertThat(e.describe()).isEqualTo("VirtualService.networking.istio.io \"reviews\" is invalid\n"
              + "  spec.hosts: [] (expected: at least one host)");
        });
  }

  @Test
  void absentObjectsAreEmptyOrFalseNotErrors() {
    status = 404;
    body = FakeControlPlane.status(404, "not found");

    assertThat(client.get(Kind.VIRTUAL_SERVICE, "shop", "reviews")).isEmpty();
    assertThat(client.delete(Kind.VIRTUAL_SERVICE, "shop", "reviews")).isFalse();
    assertThat(client.keepAlive("shop", "orders-1")).isEmpty();
  }

  @Test
  void conditionalDeleteSendsTheResourceVersion() {
    body = "{\"kind\":\"Status\",\"status\":\"Success\",\"code\":200}";

    assertThat(client.delete(Kind.VIRTUAL_SERVICE, "shop", "reviews", "42")).isTrue();

    assertThat(requests).containsExactly(
        "DELETE /apis/networking.istio.io/v1/namespaces/shop/virtualservices/reviews?resourceVersion=42");
  }

  @Test
  void aControlPlaneThatIsNotThereIsUnreachable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (ControlPlaneClient nobody = new ControlPlaneClient(URI.create("http://127.0.0.1:" + port))) {
      assertThatThrownBy(() -> nobody.list(Kind.VIRTUAL_SERVICE, "default"))
          .isInstanceOfSatisfying(ControlPlaneException.class, e -> {
            assertThat(e.unreachable()).isTrue();
            assertThat(e.status()).isZero();
            assertThat(e.getMessage()).isEqualTo("cannot reach the control plane at http://127.0.0.1:" + port
                + ": connection refused");
          });
      assertThat(nobody.healthy()).isFalse();
    }
  }

  @Test
  void aBaseUrlMustBeHttp() {
    assertThatThrownBy(() -> new ControlPlaneClient(URI.create("ftp://x:1")))
        .hasMessage("base: ftp://x:1 (expected: an http:// or https:// URL with a host)");
  }
}
