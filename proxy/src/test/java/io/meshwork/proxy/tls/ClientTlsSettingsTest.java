package io.meshwork.proxy.tls;

import static io.meshwork.proxy.tls.MeshFixture.compile;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.cluster.UpstreamTls;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DestinationRule tls compiled into each cluster's {@link UpstreamTls}, with auto-mTLS when no rule sets it. */
class ClientTlsSettingsTest {
  static final LocalService ORDERS = new LocalService("orders", "shop");
  static final String PRODUCTS = MeshFixture.workload("products-1", "products", 8080, MeshFixture.MESH_LABEL);
  static final String CLUSTER = "outbound|80||products.shop.svc.cluster.local";

  static String rule(String trafficPolicy) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: products, namespace: shop}
        spec:
          host: products
          trafficPolicy: %s
        """.formatted(trafficPolicy);
  }

  static UpstreamTls tls(MeshSnapshot snapshot) {
    assertThat(snapshot.clusters()).containsKey(CLUSTER);
    return snapshot.clusters().get(CLUSTER).tls();
  }

  @Test
  void withoutARuleTrafficIsAutoMutual() {
    assertThat(tls(compile(PRODUCTS, ORDERS))).isEqualTo(new UpstreamTls.IstioMutual(List.of(), true));
  }

  @Test
  void ruleModesMapOneToOne() {
    assertThat(tls(compile(PRODUCTS + rule("{tls: {mode: DISABLE}}"), ORDERS))).isEqualTo(UpstreamTls.PLAINTEXT);
    assertThat(tls(compile(PRODUCTS + rule(
        "{tls: {mode: ISTIO_MUTUAL, subjectAltNames: [spiffe://cluster.local/ns/shop/sa/products]}}"), ORDERS)))
        .isEqualTo(new UpstreamTls.IstioMutual(List.of("spiffe://cluster.local/ns/shop/sa/products"), false));
    assertThat(tls(compile(PRODUCTS + rule("{tls: {mode: SIMPLE, sni: products.example, caCertificates: /etc/ca.pem}}"),
        ORDERS))).isEqualTo(new UpstreamTls.Simple("products.example", "/etc/ca.pem", List.of(), false));
    assertThat(tls(compile(PRODUCTS + rule(
        "{tls: {mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, insecureSkipVerify: true}}"), ORDERS)))
        .isEqualTo(new UpstreamTls.Mutual(null, null, List.of(), true, "/c.pem", "/k.pem"));
  }

  @Test
  void portLevelTlsOverridesTheRule() {
    MeshSnapshot snapshot = compile(PRODUCTS + rule(
        "{tls: {mode: DISABLE}, portLevelSettings: [{port: {number: 80}, tls: {mode: ISTIO_MUTUAL}}]}"), ORDERS);
    assertThat(tls(snapshot)).isEqualTo(new UpstreamTls.IstioMutual(List.of(), false));
    assertThat(snapshot.notices()).noneMatch(n -> n.contains(".tls"));
  }
}
