package io.meshwork.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.Kind;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.StringMatch;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.security.MutualTLS;
import io.meshwork.model.security.PeerAuthentication;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** parse → write → parse gives equal records, for every kind and every field the fixture sets. */
class RoundTripTest {
  private static List<Resource<?>> resources;

  @BeforeAll
  static void parseFixture() throws IOException {
    String text;
    try (InputStream in = RoundTripTest.class.getResourceAsStream("/kinds/all-kinds.yaml")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ParseResult result = ResourceParser.parse("all-kinds.yaml", text);
    assertThat(result.diagnostics()).as(result.report()).isEmpty();
    resources = result.resources();
  }

  @Test
  void fixtureCoversEveryMeaningfulKind() {
    assertThat(resources).extracting(Resource::kind).containsExactlyInAnyOrderElementsOf(
        Arrays.stream(Kind.values()).filter(Kind::meaningful).toList());
  }

  @Test
  void yamlRoundTripIsExact() {
    String yaml = ResourceWriter.toYaml(resources);
    ParseResult again = ResourceParser.parse("written.yaml", yaml);
    assertThat(again.diagnostics()).as(again.report() + "\n" + yaml).isEmpty();
    assertThat(again.resources()).isEqualTo(resources);
  }

  @Test
  void jsonRoundTripIsExactForEachResource() {
    for (Resource<?> r : resources) {
      String json = ResourceWriter.toJson(r);
      assertThat(ResourceParser.fromJson(json)).as(json).isEqualTo(r);
      assertThat(ResourceParser.parse("pretty.json", ResourceWriter.toPrettyJson(r)).resources()).containsExactly(r);
    }
  }

  @Test
  void seedRoundTripsToo() throws Exception {
    Path dir = Path.of(RoundTripTest.class.getResource("/seed-004").toURI());
    List<Resource<?>> seed = ResourceParser.parseDirectory(dir).resources();
    assertThat(seed).hasSize(6);
    ParseResult again = ResourceParser.parse("seed.yaml", ResourceWriter.toYaml(seed));
    assertThat(again.errors()).isEmpty();
    assertThat(again.resources()).isEqualTo(seed);
  }

  @Test
  void writerUsesIstioShapes() {
    Resource<?> vs = resources.stream().filter(r -> r.kind() == Kind.VIRTUAL_SERVICE).findFirst().orElseThrow();
    var node = ResourceWriter.toJsonNode(vs);
    assertThat(node.get("apiVersion").asText()).isEqualTo("networking.istio.io/v1");
    assertThat(node.get("kind").asText()).isEqualTo("VirtualService");
    var canary = node.at("/spec/http/0");
    assertThat(canary.at("/timeout").asText()).isEqualTo("1.5s");
    assertThat(canary.at("/retries/perTryTimeout").asText()).isEqualTo("500ms");
    assertThat(canary.at("/match/0/uri/prefix").asText()).isEqualTo("/api/");
    assertThat(canary.at("/corsPolicy/maxAge").asText()).isEqualTo("24h");
    // Absent and empty fields are not written.
    assertThat(canary.has("redirect")).isFalse();
    assertThat(node.at("/spec/http/1").has("route")).isFalse();
    assertThat(node.at("/spec").has("exportTo")).isFalse();

    VirtualService spec = (VirtualService) vs.spec();
    assertThat(spec.http().getFirst().match().getFirst().headers().get("x-user"))
        .isEqualTo(new StringMatch.Regex("^(alice|bob)$"));
    assertThat(spec.http().getFirst().fault().delay().fixedDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(spec.http().getFirst().fault().delay().percentage().value()).isEqualTo(12.5);
  }

  @Test
  void typedMapKeysAndNestedPolicies() {
    PeerAuthentication pa = (PeerAuthentication) resources.stream()
        .filter(r -> r.kind() == Kind.PEER_AUTHENTICATION).findFirst().orElseThrow().spec();
    assertThat(pa.portLevelMtls()).containsEntry(9090, new MutualTLS(MutualTLS.Mode.PERMISSIVE));

    DestinationRule dr = (DestinationRule) resources.stream()
        .filter(r -> r.kind() == Kind.DESTINATION_RULE).findFirst().orElseThrow().spec();
    assertThat(dr.trafficPolicy().loadBalancer().consistentHash().httpCookie().ttl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(dr.trafficPolicy().connectionPool().tcp().tcpKeepalive().time()).isEqualTo(Duration.ofHours(1));
    assertThat(dr.subsets().get(1).trafficPolicy().loadBalancer().consistentHash().maglev().tableSize())
        .isEqualTo(65537L);
  }
}
