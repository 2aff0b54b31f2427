package io.meshwork.proxy.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.SnapshotRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Otoroshi's SIDECAR_FROM / SIDECAR_STRICT on a real sidecar's outbound HTTP port. */
class OutboundCallersTest {

  private static HttpResponse<String> callOut(Sidecar sidecar, String forwardedFor) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/items"))
        .header("dapr-app-id", "products")
        .timeout(Duration.ofSeconds(5));
    if (forwardedFor != null) {
      request.header("x-forwarded-for", forwardedFor);
    }
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static Sidecar sidecar(OutboundCallers callers) {
    return Sidecar.start(SidecarSettings.defaults("orders").withOutboundCallers(callers), new SnapshotRef(null));
  }

  @Test
  void loopbackCallersMayCallOutByDefault() throws Exception {
    try (Sidecar sidecar = sidecar(OutboundCallers.LOOPBACK)) {
      // Past the caller check, the request reaches routing: no such service here, so 404.
      assertThat(callOut(sidecar, null).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aCallerOutsideFromIsRefusedWithAReason() throws Exception {
    try (Sidecar sidecar = sidecar(OutboundCallers.parse("10.1.2.3", true))) {
      HttpResponse<String> response = callOut(sidecar, "10.1.2.3");
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.body()).contains("does not proxy outbound calls for 127.0.0.1", "10.1.2.3", "SIDECAR_FROM");
      assertThat(response.headers().firstValue("x-meshwork-error")).hasValue("forbidden");
    }
  }

  @Test
  void withoutStrictTheForwardedForAddressIsTheCaller() throws Exception {
    try (Sidecar sidecar = sidecar(OutboundCallers.parse("10.1.2.3", false))) {
      assertThat(callOut(sidecar, "10.1.2.3, 127.0.0.1").statusCode()).isEqualTo(404);
      assertThat(callOut(sidecar, "10.9.9.9").statusCode()).isEqualTo(403);
      assertThat(callOut(sidecar, null).statusCode()).isEqualTo(403);
    }
  }

  @Test
  void fromMustBeAddresses() {
    assertThatThrownBy(() -> OutboundCallers.parse("app.example.com", true))
        .hasMessage("from: app.example.com (expected: an IP address such as 127.0.0.1)");
    assertThatThrownBy(() -> OutboundCallers.parse(" , ", true))
        .hasMessage("from: (none) (expected: at least one address, e.g. 127.0.0.1)");
    assertThat(OutboundCallers.parse("127.0.0.1, ::1", true).allowed()).hasSize(2);
  }
}
