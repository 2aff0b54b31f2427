package io.meshwork.model.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpiffeIdTest {

  @Test
  void parsesAnIstioWorkloadIdentity() {
    SpiffeId id = SpiffeId.of("spiffe://cluster.local/ns/shop/sa/orders");

    assertThat(id.trustDomain()).isEqualTo("cluster.local");
    assertThat(id.path()).isEqualTo("/ns/shop/sa/orders");
    assertThat(id.principal()).isEqualTo("cluster.local/ns/shop/sa/orders");
    assertThat(id.namespace()).contains("shop");
    assertThat(id.serviceAccount()).contains("orders");
    assertThat(id).hasToString("spiffe://cluster.local/ns/shop/sa/orders");
  }

  @Test
  void forWorkloadBuildsTheIstioShape() {
    SpiffeId id = SpiffeId.forWorkload("cluster.local", "my-app", "order-service");

    assertThat(id).isEqualTo(SpiffeId.of("spiffe://cluster.local/ns/my-app/sa/order-service"));
    assertThat(id.principal()).isEqualTo("cluster.local/ns/my-app/sa/order-service");
  }

  @Test
  void trustDomainOnlyAndOtherShapesHaveNoNamespace() {
    assertThat(SpiffeId.of("spiffe://example.org").path()).isEmpty();
    assertThat(SpiffeId.of("spiffe://example.org").namespace()).isEmpty();
    assertThat(SpiffeId.of("spiffe://example.org/db/primary").serviceAccount()).isEmpty();
    assertThat(SpiffeId.of("spiffe://example.org/ns/a/sa/b/extra").namespace()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                                     | SPIFFE ID: empty",
      "https://cluster.local/ns/a/sa/b        | scheme: https (expected: spiffe://)",
      "SPIFFE://cluster.local/ns/a/sa/b       | scheme: SPIFFE (expected: spiffe://)",
      "cluster.local/ns/a/sa/b                | scheme: (none)",
      "spiffe://                              | trust domain: empty",
      "spiffe:///ns/a                         | trust domain: empty",
      "spiffe://Cluster.local/ns/a            | upper case is not allowed",
      "spiffe://cluster.local:8443/ns/a       | a port is not allowed",
      "spiffe://user@cluster.local/ns/a       | userinfo is not allowed",
      "spiffe://cluster.local?x=1             | a query is not allowed",
      "spiffe://cluster.local/ns/a#frag       | a fragment is not allowed",
      "spiffe://cluster.local/ns/a?x=1        | a query is not allowed",
      "spiffe://cluster.local/               | path: empty segment",
      "spiffe://cluster.local/ns//sa/b        | path: empty segment",
      "spiffe://cluster.local/ns/./sa         | path: segment '.'",
      "spiffe://cluster.local/ns/../sa        | path: segment '..'",
      "spiffe://cluster.local/ns/%41          | percent-encoding is not allowed",
      "spiffe://cluster.local/ns/a b          | character ' '",
  })
  void rejectsWithAPreciseReason(String input, String reason) {
    SpiffeId.Result result = SpiffeId.parse(input);

    assertThat(result).isInstanceOfSatisfying(SpiffeId.Invalid.class,
        invalid -> assertThat(invalid.reason()).contains(reason));
    assertThatThrownBy(() -> SpiffeId.of(input)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
  }

  @Test
  void enforcesTheLengthLimits() {
    String longPath = "/" + "a".repeat(SpiffeId.MAX_LENGTH_BYTES);
    assertThat(SpiffeId.parse("spiffe://td" + longPath))
        .isInstanceOfSatisfying(SpiffeId.Invalid.class, i -> assertThat(i.reason()).contains("(expected: <= 2048)"));
    assertThat(SpiffeId.parse("spiffe://" + "a".repeat(256)))
        .isInstanceOfSatisfying(SpiffeId.Invalid.class, i -> assertThat(i.reason()).contains("(expected: <= 255)"));
    String atLimit = "spiffe://td/" + "a".repeat(SpiffeId.MAX_LENGTH_BYTES - "spiffe://td/".length());
    assertThat(SpiffeId.parse(atLimit)).isInstanceOf(SpiffeId.Valid.class);
  }

  @Test
  void canonicalConstructorValidatesToo() {
    assertThatThrownBy(() -> new SpiffeId("td", "no-slash")).hasMessageContaining("expected: to start with '/'");
    assertThatThrownBy(() -> SpiffeId.forWorkload("cluster.local", "", "sa")).hasMessageContaining("namespace:");
    assertThatThrownBy(() -> SpiffeId.forWorkload("cluster.local", "ns", "a/b")).hasMessageContaining("serviceAccount:");
  }
}
