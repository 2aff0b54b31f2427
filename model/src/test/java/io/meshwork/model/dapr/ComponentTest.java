package io.meshwork.model.dapr;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.Kind;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.model.codec.ResourceWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dapr's Component documents apply as Dapr writes them; bad metadata names file, line and field. */
class ComponentTest {

  private static Diagnostic onlyError(ParseResult result) {
    assertThat(result.resources()).isEmpty();
    assertThat(result.errors()).as(result.report()).hasSize(1);
    return result.errors().getFirst();
  }

  @Test
  void daprDocumentAppliesWithScopesBesideSpec() {
    ParseResult result = ResourceParser.parse("statestore.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
          namespace: shop
        spec:
          type: state.redis
          version: v1
          metadata:
          - name: redisHost
            value: localhost:6379
          - name: redisDB
            value: 2
          - name: enableTLS
            value: false
        scopes:
        - orders
        - checkout
        """);
    assertThat(result.diagnostics()).as(result.report()).isEmpty();
    Resource<?> r = result.resources().getFirst();
    assertThat(r.kind()).isEqualTo(Kind.COMPONENT);
    Component c = (Component) r.spec();
    assertThat(c.type()).isEqualTo("state.redis");
    assertThat(c.value("redisHost")).contains("localhost:6379");
    assertThat(c.value("redisDB")).contains("2");
    assertThat(c.value("enableTLS")).contains("false");
    assertThat(c.scopes()).containsExactly("orders", "checkout");
    assertThat(c.inScope("orders")).isTrue();
    assertThat(c.inScope("payments")).isFalse();

    String yaml = ResourceWriter.toYaml(r);
    assertThat(yaml).contains("\nscopes:\n");
    ParseResult again = ResourceParser.parse("again.yaml", yaml);
    assertThat(again.diagnostics()).as(again.report()).isEmpty();
    assertThat(again.resources()).containsExactly(r);
    assertThat(Kind.byName("components")).contains(Kind.COMPONENT);
    assertThat(Kind.byName("comp")).contains(Kind.COMPONENT);
  }

  @Test
  void unknownMetadataIsAnErrorNamingTheLineAndTheKnownNames() {
    Diagnostic d = onlyError(ResourceParser.parse("statestore.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.sqlite
          metadata:
          - name: tableName
            value: state
          - name: connectionStrin
            value: data.db
        """));
    assertThat(d.format()).isEqualTo("statestore.yaml:10:5: error: spec.metadata[1].name: \"connectionStrin\""
        + " (expected: for state.sqlite, one of busyTimeout, cleanupInterval, connectionString, keyPrefix,"
        + " tableName, timeout)");
  }

  @Test
  void inMemoryPubSubTakesNoMetadata() {
    ParseResult ok = ResourceParser.parse("pubsub.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: order-pubsub
        spec:
          type: pubsub.in-memory
          version: v1
          metadata: []
        """);
    assertThat(ok.diagnostics()).as(ok.report()).isEmpty();
    assertThat(ComponentType.of("pubsub.in-memory").orElseThrow().isPubSub()).isTrue();

    Diagnostic d = onlyError(ResourceParser.parse("pubsub.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: order-pubsub
        spec:
          type: pubsub.in-memory
          metadata:
          - name: redisHost
            value: localhost:6379
        """));
    assertThat(d.format()).isEqualTo("pubsub.yaml:8:5: error: spec.metadata[0].name: \"redisHost\""
        + " (expected: no metadata: pubsub.in-memory reads none)");
  }

  @Test
  void redisPubSubNeedsAHostAndReadsOnlyItsOwnMetadata() {
    ParseResult ok = ResourceParser.parse("pubsub.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: order-pubsub
        spec:
          type: pubsub.redis
          metadata:
          - {name: redisHost, value: "redis:6379"}
          - {name: consumerID, value: orders}
          - {name: maxLenApprox, value: "10000"}
        """);
    assertThat(ok.diagnostics()).as(ok.report()).isEmpty();

    Diagnostic missing = onlyError(ResourceParser.parse("pubsub.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: order-pubsub
        spec:
          type: pubsub.redis
          metadata:
          - {name: consumerID, value: orders}
        """));
    assertThat(missing.format()).startsWith("pubsub.yaml:7:3: error: spec.metadata: missing")
        .contains("an item named redisHost for pubsub.redis");

    Diagnostic unknown = onlyError(ResourceParser.parse("pubsub.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: order-pubsub
        spec:
          type: pubsub.redis
          metadata:
          - {name: redisHost, value: "redis:6379"}
          - {name: ttlInSeconds, value: "10"}
        """));
    assertThat(unknown.format()).startsWith("pubsub.yaml:9:6: error: spec.metadata[1].name: \"ttlInSeconds\""
        + " (expected: for pubsub.redis, one of consumerID, dialTimeout,");
  }

  @Test
  void invalidValuesNameTheirFieldAndWhatWasExpected() {
    Diagnostic port = onlyError(ResourceParser.parse("redis.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: cache
        spec:
          type: state.redis
          metadata:
          - name: redisHost
            value: localhost
        """));
    assertThat(port.format()).isEqualTo("redis.yaml:9:5: error: spec.metadata[0].value: \"localhost\""
        + " (expected: host:port, e.g. localhost:6379)");

    Diagnostic table = onlyError(ResourceParser.parse("sqlite.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.sqlite
          metadata:
          - name: tableName
            value: "state; drop table x"
        """));
    assertThat(table.field()).isEqualTo("spec.metadata[0].value");
    assertThat(table.line()).isEqualTo(9);

    Diagnostic missing = onlyError(ResourceParser.parse("redis.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: cache
        spec:
          type: state.redis
        """));
    assertThat(missing.message()).isEqualTo("missing (expected: an item named redisHost for state.redis)");

    Diagnostic secret = onlyError(ResourceParser.parse("redis.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: cache
        spec:
          type: state.redis
          metadata:
          - name: redisHost
            value: localhost:6379
          - name: redisPassword
            secretKeyRef:
              name: redis
              key: password
        """));
    assertThat(secret.field()).isEqualTo("spec.metadata[1].secretKeyRef");
    assertThat(secret.message()).contains("secret stores are not supported yet");

    Diagnostic twice = onlyError(ResourceParser.parse("sqlite.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.sqlite
          metadata:
          - name: timeout
            value: 5s
          - name: timeout
            value: 10s
        """));
    assertThat(twice.format()).startsWith("sqlite.yaml:10:5: error: spec.metadata[1].name: \"timeout\"");
  }

  @Test
  void unknownTypesVersionsAndScopesAreRefused() {
    Diagnostic type = onlyError(ResourceParser.parse("c.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: broker
        spec:
          type: pubsub.kafka
        """));
    assertThat(type.format()).isEqualTo("c.yaml:6:3: error: spec.type: \"pubsub.kafka\""
        + " (expected: one of " + ComponentType.known() + ")");

    Diagnostic version = onlyError(ResourceParser.parse("c.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.sqlite
          version: v2
        """));
    assertThat(version.field()).isEqualTo("spec.version");

    Diagnostic scope = onlyError(ResourceParser.parse("c.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.sqlite
        scopes:
        - Orders_App
        """));
    assertThat(scope.format()).startsWith("c.yaml:8:3: error: scopes[0]: \"Orders_App\"");

    Diagnostic inside = onlyError(ResourceParser.parse("c.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.sqlite
          scopes: [orders]
        """));
    assertThat(inside.field()).isEqualTo("spec.scopes");
  }

  @Test
  void builtInCodeValidatesTheSame() {
    Component c = Component.of("state.sqlite", List.of(Component.MetadataItem.of("busyTimeout", "forever")));
    assertThat(io.meshwork.model.validation.ResourceValidator.validate(
        Resource.of(io.meshwork.model.ObjectMeta.of("statestore"), c)))
        .singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.metadata[0].value"));
  }
}
