package io.meshwork.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.Diagnostic.Severity;
import io.meshwork.model.ParseResult;
import io.meshwork.model.networking.VirtualService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rejected input names the source, line, column, field and what was expected. */
class ResourceParserErrorsTest {

  private static final String VS_HEAD = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
      spec:
        hosts:
        - reviews
        http:
        - route:
          - destination:
              host: reviews
      """;

  private static Diagnostic onlyError(ParseResult result) {
    assertThat(result.resources()).isEmpty();
    assertThat(result.errors()).as(result.report()).hasSize(1);
    return result.errors().getFirst();
  }

  @Test
  void badYamlSyntaxIsOneErrorAtTheProblem() {
    ParseResult result = ResourceParser.parse("routes.yaml", """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts: reviews: ratings
        """);
    Diagnostic d = onlyError(result);
    assertThat(d.format()).isEqualTo("routes.yaml:6:17: error: invalid YAML: a second ': ' on one line"
        + " (expected: one key per line; quote a value that contains ': ')");

    Diagnostic unclosed = onlyError(ResourceParser.parse("routes.yaml", "spec:\n  hosts: [a,\n"));
    assertThat(unclosed.line()).isEqualTo(3);
    assertThat(unclosed.message())
        .isEqualTo("invalid YAML: the text ends too early (expected: a value) (inside [...] or {...})");
  }

  @Test
  void integerOverflowNamesTheRange() {
    Diagnostic d = onlyError(ResourceParser.parse("routes.yaml", VS_HEAD + "      weight: 99999999999\n"));
    assertThat(d.field()).isEqualTo("spec.http[0].route[0].weight");
    assertThat(d.message()).isEqualTo("99999999999 (expected: an integer -2147483648..2147483647)");
  }

  @Test
  void badJsonSyntaxIsReportedAsJson() {
    Diagnostic d = onlyError(ResourceParser.parse("vs.json", "{\"apiVersion\": \"v1\",\n \"kind\": }"));
    assertThat(d.line()).isEqualTo(2);
    assertThat(d.message()).startsWith("invalid JSON: ");
  }

  @Test
  void unknownKindListsTheKnownOnes() {
    Diagnostic d = onlyError(ResourceParser.parse("x.yaml", """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: s
        spec: {}
        """));
    assertThat(d.line()).isEqualTo(2);
    assertThat(d.column()).isEqualTo(1);
    assertThat(d.field()).isEqualTo("kind");
    assertThat(d.message()).startsWith("Sidecar (expected: one of ServiceEntry, WorkloadEntry")
        .contains("VirtualService", "RateLimitPolicy", "ApiKey");
  }

  @Test
  void knownKindAtUnknownVersionNamesTheVersions() {
    Diagnostic d = onlyError(ResourceParser.parse("x.yaml", VS_HEAD.replace("networking.istio.io/v1", "networking.istio.io/v2")));
    assertThat(d.field()).isEqualTo("apiVersion");
    assertThat(d.line()).isEqualTo(1);
    assertThat(d.message()).isEqualTo("networking.istio.io/v2 (expected: for VirtualService, one of "
        + "networking.istio.io/v1alpha3, networking.istio.io/v1beta1, networking.istio.io/v1)");
  }

  @Test
  void wrongTypeNamesValueAndExpectation() {
    ParseResult result = ResourceParser.parse("routes.yaml", VS_HEAD + "      weight: abc\n");
    Diagnostic d = onlyError(result);
    assertThat(d.line()).isEqualTo(12);
    assertThat(d.column()).isEqualTo(7);
    assertThat(d.field()).isEqualTo("spec.http[0].route[0].weight");
    assertThat(d.format()).isEqualTo(
        "routes.yaml:12:7: error: spec.http[0].route[0].weight: \"abc\" (expected: an integer)");
  }

  @Test
  void outOfRangeWeight() {
    Diagnostic d = onlyError(ResourceParser.parse("routes.yaml", VS_HEAD + "      weight: -5\n"));
    assertThat(d.format()).isEqualTo(
        "routes.yaml:12:7: error: spec.http[0].route[0].weight: -5 (expected: an integer 0..100)");
  }

  @Test
  void badDurationAndEnum() {
    ParseResult timeout = ResourceParser.parse("r.yaml", VS_HEAD + "    timeout: 10 seconds\n");
    Diagnostic d = onlyError(timeout);
    assertThat(d.field()).isEqualTo("spec.http[0].timeout");
    assertThat(d.line()).isEqualTo(12);
    assertThat(d.message()).isEqualTo("\"10 seconds\" (expected: " + DurationFormat.EXPECTED + ")");

    ParseResult lb = ResourceParser.parse("dr.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer:
              simple: FASTEST
        """);
    Diagnostic e = onlyError(lb);
    assertThat(e.field()).isEqualTo("spec.trafficPolicy.loadBalancer.simple");
    assertThat(e.line()).isEqualTo(8);
    assertThat(e.message()).isEqualTo("\"FASTEST\" (expected: one of UNSPECIFIED, LEAST_CONN, RANDOM, "
        + "PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST)");

    Diagnostic direction = onlyError(ResourceParser.parse("limits.yaml", """
        apiVersion: meshwork.io/v1alpha1
        kind: RateLimitPolicy
        metadata: {name: calls-out}
        spec:
          requestsPerUnit: 10
          direction: OUT
        """));
    assertThat(direction.field()).isEqualTo("spec.direction");
    assertThat(direction.line()).isEqualTo(6);
    assertThat(direction.message()).isEqualTo("\"OUT\" (expected: one of INBOUND, OUTBOUND)");
  }

  @Test
  void missingRequiredFields() {
    ParseResult noName = ResourceParser.parse("a.yaml", """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          namespace: shop
        spec:
          mtls: {mode: STRICT}
        """);
    Diagnostic d = onlyError(noName);
    assertThat(d.field()).isEqualTo("metadata.name");
    assertThat(d.line()).isEqualTo(3);
    assertThat(d.message()).startsWith("missing (expected: a DNS-1123 subdomain");

    ParseResult noKind = ResourceParser.parse("b.yaml", "apiVersion: v1\nmetadata: {name: x}\n");
    assertThat(onlyError(noKind).field()).isEqualTo("kind");

    ParseResult noHosts = ResourceParser.parse("c.yaml", VS_HEAD.replace("  hosts:\n  - reviews\n", ""));
    Diagnostic h = onlyError(noHosts);
    assertThat(h.field()).isEqualTo("spec.hosts");
    assertThat(h.line()).isEqualTo(5);
    assertThat(h.message()).isEqualTo("missing (expected: at least one host)");
  }

  @Test
  void unknownFieldIsAWarningWithItsLineAndTheResourceStillApplies() {
    ParseResult result = ResourceParser.parse("routes.yaml", VS_HEAD + "    retrys:\n      attempts: 3\n");
    assertThat(result.errors()).isEmpty();
    assertThat(result.resources()).hasSize(1);
    assertThat(result.warnings()).singleElement().satisfies(w -> {
      assertThat(w.severity()).isEqualTo(Severity.WARNING);
      assertThat(w.field()).isEqualTo("spec.http[0].retrys");
      assertThat(w.line()).isEqualTo(12);
      assertThat(w.column()).isEqualTo(5);
      assertThat(w.message()).startsWith("unknown field, ignored (expected: one of name, match, route,");
    });
    assertThat(((VirtualService) result.resources().getFirst().spec()).http().getFirst().retries()).isNull();
  }

  @Test
  void oneBadDocumentRejectsTheWholeFile() {
    String good = VS_HEAD;
    String bad = VS_HEAD.replace("name: reviews", "name: ratings") + "      weight: 200\n";
    ParseResult result = ResourceParser.parse("three.yaml", good + "---\n" + bad + "---\n" + good.replace("reviews", "details"));
    assertThat(result.resources()).isEmpty();
    Diagnostic d = onlyError(result);
    assertThat(d.line()).isEqualTo(13 + 11);
    assertThat(d.field()).isEqualTo("spec.http[0].route[0].weight");
    assertThat(d.message()).isEqualTo("200 (expected: an integer 0..100)");
  }

  @Test
  void emptyDocumentsAreSkippedAndListsAndArraysAreRead() {
    ParseResult yaml = ResourceParser.parse("m.yaml", "---\n# nothing\n---\n" + VS_HEAD + "---\n");
    assertThat(yaml.errors()).isEmpty();
    assertThat(yaml.resources()).hasSize(1);

    String json = ResourceWriter.toJson(yaml.resources().getFirst());
    ParseResult array = ResourceParser.parse("a.json", "[" + json + "," + json.replace("reviews", "ratings") + "]");
    assertThat(array.errors()).as(array.report()).isEmpty();
    assertThat(array.resources()).extracting(r -> r.name()).containsExactly("reviews", "ratings");

    ParseResult list = ResourceParser.parse("l.yaml", "apiVersion: v1\nkind: List\nitems:\n"
        + VS_HEAD.indent(2).replaceFirst("  apiVersion", "- apiVersion") + "- kind: Nope\n  apiVersion: v1\n");
    Diagnostic d = onlyError(list);
    assertThat(d.field()).isEqualTo("items[1].kind");
    assertThat(d.line()).isEqualTo(15);
  }

  @Test
  void customAuthorizationIsRejectedWithTheAgreedMessage() {
    Diagnostic d = onlyError(ResourceParser.parse("ap.yaml", """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext, namespace: shop}
        spec:
          action: CUSTOM
          provider: {name: opa}
          rules:
          - to:
            - operation: {paths: ["/admin/*"]}
        """));
    assertThat(d.format()).isEqualTo(
        "ap.yaml:5:3: error: spec.action: CUSTOM (expected: ALLOW, DENY or AUDIT; CUSTOM providers are not supported yet)");
  }

  @Test
  void fromJsonThrowsWithDiagnostics() {
    assertThatThrownBy(() -> ResourceParser.fromJson("{\"apiVersion\":\"networking.istio.io/v1\","
        + "\"kind\":\"DestinationRule\",\"metadata\":{\"name\":\"Bad_Name\"},\"spec\":{\"host\":\"r\"}}"))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("metadata.name: \"Bad_Name\" (expected: a DNS-1123 subdomain");
    assertThat(ResourceParser.fromJson("{\"apiVersion\":\"networking.istio.io/v1\","
        + "\"kind\":\"DestinationRule\",\"metadata\":{\"name\":\"r\"},\"spec\":{\"host\":\"r\"}}").key())
        .isEqualTo("DestinationRule/default/r");
  }

  @Test
  void directoryRejectsOnlyTheBadFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.yaml"), VS_HEAD);
    Files.writeString(dir.resolve("b.yml"), VS_HEAD.replace("reviews", "ratings") + "      weight: x\n");
    Files.writeString(dir.resolve("notes.txt"), "not config");
    var result = ResourceParser.parseDirectory(dir);
    assertThat(result.files().keySet()).extracting(p -> p.getFileName().toString()).containsExactly("a.yaml", "b.yml");
    assertThat(result.hasErrors()).isTrue();
    assertThat(result.resources()).extracting(r -> r.name()).containsExactly("reviews");
    assertThat(result.errors()).singleElement().satisfies(e -> assertThat(e.source()).endsWith("b.yml"));
  }

  @Test
  void aResourceTwiceInOneSourceWarnsAndTheLaterWins() {
    ParseResult result = ResourceParser.parse("twice.yaml", VS_HEAD + "---\n" + VS_HEAD.replace("host: reviews", "host: v2"));
    assertThat(result.errors()).isEmpty();
    assertThat(result.resources()).singleElement().satisfies(r ->
        assertThat(((VirtualService) r.spec()).http().getFirst().route().getFirst().destination().host()).isEqualTo("v2"));
    assertThat(result.warnings()).singleElement().satisfies(w -> {
      assertThat(w.field()).isEqualTo("metadata.name");
      assertThat(w.line()).isEqualTo(16);
      assertThat(w.message()).contains("VirtualService/default/reviews appears twice");
    });
  }
}
