package io.meshwork.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.fixtures.ManualClock;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.policy.RequestFilter.Reject;
import io.meshwork.proxy.policy.RequestFilter.Verdict;
import io.meshwork.proxy.security.authn.JwksCache;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Remote key sets: fetched off the request path, served from memory, refreshed in the background. */
@Timeout(30)
class RemoteJwksTest {
  final AtomicReference<String> published = new AtomicReference<>(new JWKSet(PolicyFixtures.KEY.toPublicJWK()).toString());
  final ManualClock clock = new ManualClock(PolicyFixtures.NOW);
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void fetchNeverWaitsAndRefreshesAStaleDocumentInTheBackground() throws Exception {
    try (TestBackend idp = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, published.get()))) {
      URI uri = URI.create("http://127.0.0.1:" + idp.address().getPort() + "/jwks");
      RemoteJwks jwks = new RemoteJwks(client, clock, Duration.ofMinutes(5));

      assertThatThrownBy(() -> jwks.fetch(uri)).isInstanceOf(IOException.class).hasMessageContaining("not fetched yet");
      assertThat(jwks.warm(uri, Duration.ofSeconds(5))).isTrue();
      String first = jwks.fetch(uri);
      assertThat(first).isEqualTo(published.get());
      int fetches = idp.requests.get();

      published.set("{\"keys\":[]}");
      assertThat(jwks.fetch(uri)).as("fresh: served from memory").isEqualTo(first);
      assertThat(idp.requests.get()).isEqualTo(fetches);

      clock.advance(Duration.ofMinutes(6));
      assertThat(jwks.fetch(uri)).as("stale: still answered at once").isEqualTo(first);
      assertThat(waitFor(jwks, uri, "{\"keys\":[]}")).isTrue();
    }
  }

  @Test
  void aJwksUriIsWarmedWhenThePolicyCompilesAndItsKeysVerifyTokens() {
    try (TestBackend idp = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, published.get()))) {
      String yaml = """
          apiVersion: security.istio.io/v1
          kind: RequestAuthentication
          metadata: {name: jwt, namespace: my-app}
          spec:
            jwtRules:
            - issuer: %s
              jwksUri: http://127.0.0.1:%d/jwks
          """.formatted(PolicyFixtures.ISSUER, idp.address().getPort());
      RemoteJwks remote = new RemoteJwks(client, clock, Duration.ofMinutes(5));
      List<String> notices = new ArrayList<>();
      InboundPolicy policy = InboundPolicyCompiler.compile(PolicyFixtures.yaml(yaml),
          new LocalService("product-service", "my-app"), notices::add,
          new JwksCache(remote, clock, JwksCache.DEFAULT_TTL), remote, clock);
      assertThat(notices).isEmpty();

      EmbeddedChannel channel = new EmbeddedChannel();
      InboundPolicyFilter filter = new InboundPolicyFilter(() -> policy);
      assertThat(filter.check(get("Bearer " + PolicyFixtures.token("alice")), channel)).isEqualTo(Verdict.PASS);
      assertThat(filter.check(get("Bearer " + PolicyFixtures.token(PolicyFixtures.STRANGER, "eve",
          PolicyFixtures.NOW.plusSeconds(60))), channel)).isInstanceOf(Reject.class);
      assertThat(idp.requests.get()).isEqualTo(1);
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void anUnreachableJwksUriRejectsItsTokens() throws Exception {
    int dead = io.meshwork.proxy.fixtures.Meshes.deadAddress().getPort();
    String yaml = """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: my-app}
        spec:
          jwtRules:
          - issuer: %s
            jwksUri: http://127.0.0.1:%d/jwks
        """.formatted(PolicyFixtures.ISSUER, dead);
    RemoteJwks remote = new RemoteJwks(client, clock, Duration.ofMinutes(5));
    List<String> notices = new ArrayList<>();
    InboundPolicy policy = InboundPolicyCompiler.compile(PolicyFixtures.yaml(yaml),
        new LocalService("product-service", "my-app"), notices::add,
        new JwksCache(remote, clock, JwksCache.DEFAULT_TTL), remote, clock);
    assertThat(notices).as("notices do not depend on the network").isEmpty();
    EmbeddedChannel channel = new EmbeddedChannel();
    assertThat(new InboundPolicyFilter(() -> policy).check(get("Bearer " + PolicyFixtures.token("alice")), channel))
        .isInstanceOfSatisfying(Reject.class, r -> assertThat(r.message()).contains("unavailable"));
    channel.finishAndReleaseAll();
  }

  private static boolean waitFor(RemoteJwks jwks, URI uri, String expected) throws IOException {
    // The refresh is a real request on another thread; bounded polling, no timing logic under test.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (jwks.fetch(uri).equals(expected)) {
        return true;
      }
      Thread.onSpinWait();
    }
    return false;
  }

  private static HttpRequest get(String authorization) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a");
    request.headers().set("authorization", authorization);
    return request;
  }
}
