package io.meshwork.proxy.config;

import static io.meshwork.proxy.config.Resources.workload;
import static io.meshwork.proxy.config.Resources.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.cluster.Endpoint;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceDirectoryTest {
  private static final LocalService FRONTEND = new LocalService("frontend", "shop");
  private static final String ORDERS = workload("orders-1", "shop", "orders", "10.0.0.1", "http: 8081", "")
      + workload("orders-2", "shop", "orders", "10.0.0.2", "http: 8082", "");

  private static ServiceDirectory compile(String text) {
    return new SnapshotCompiler().compile(1, yaml(text), FRONTEND).services();
  }

  private static String cluster(Optional<ServiceTarget> target) {
    assertThat(target).get().isInstanceOf(ServiceTarget.Balanced.class);
    return ((ServiceTarget.Balanced) target.get()).cluster().name();
  }

  @Test
  void everyAliasOfARegisteredServiceResolvesOnAnyPort() {
    ServiceDirectory d = compile(ORDERS);
    for (String host : new String[] {"orders", "ORDERS", "orders.shop", "orders.shop.svc", "orders.shop.svc.cluster.local."}) {
      assertThat(cluster(d.resolve(host, 80))).isEqualTo("outbound|80||orders.shop.svc.cluster.local");
      // The service's port is virtual: a client naming the app's own port means the same service.
      assertThat(cluster(d.resolve(host, 8081))).isEqualTo("outbound|80||orders.shop.svc.cluster.local");
    }
    assertThat(d.resolve("payments", 80)).isEmpty();
    assertThat(d.resolve("example.com", 443)).isEmpty();
    assertThat(d.resolve("orders", 0)).isEmpty();
  }

  @Test
  void shortNamesResolveOnlyInTheSidecarsNamespace() {
    ServiceDirectory d = compile(workload("pay", "billing", "payments", "10.0.1.1", "http: 80", ""));
    assertThat(d.resolve("payments", 80)).isEmpty();
    assertThat(cluster(d.resolve("payments.billing", 80))).isEqualTo("outbound|80||payments.billing.svc.cluster.local");
  }

  @Test
  void endpointAddressesArePinnedAndOtherAddressesRefused() {
    ServiceDirectory d = compile(ORDERS);
    Optional<ServiceTarget> pinned = d.resolve("10.0.0.2", 8082);
    assertThat(pinned).get().isInstanceOf(ServiceTarget.Pinned.class);
    Endpoint endpoint = ((ServiceTarget.Pinned) pinned.get()).endpoint();
    assertThat(endpoint.authority()).isEqualTo("10.0.0.2:8082");
    assertThat(d.resolve("10.0.0.2", 9999)).isEmpty();
    assertThat(d.resolve("10.0.0.3", 8082)).isEmpty();
    assertThat(d.resolve("::1", 8082)).isEmpty();
  }

  @Test
  void externalDnsEntryAllowsItsDeclaredPortsThroughItsCluster() {
    ServiceDirectory d = compile("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: httpbin, namespace: shop}
        spec:
          hosts: [httpbin.org]
          location: MESH_EXTERNAL
          resolution: DNS
          ports: [{number: 443, name: tls, protocol: TLS}, {number: 80, name: http, protocol: HTTP}]
        """);
    ServiceTarget.Balanced tls = (ServiceTarget.Balanced) d.resolve("httpbin.org", 443).orElseThrow();
    assertThat(tls.cluster().endpoints()).extracting(Endpoint::authority).containsExactly("httpbin.org:443");
    assertThat(cluster(d.resolve("HTTPBIN.org", 80))).isEqualTo("outbound|80||httpbin.org");
    assertThat(d.resolve("httpbin.org", 22)).isEmpty();
  }

  @Test
  void resolutionNoneAndWildcardsPassTheOriginalDestinationThrough() {
    ServiceDirectory d = compile("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: partners, namespace: shop}
        spec:
          hosts: [api.partner.example, "*.wikipedia.org"]
          addresses: [192.0.2.0/24]
          location: MESH_EXTERNAL
          resolution: NONE
          ports: [{number: 443, name: tls, protocol: TLS}]
        """);
    assertThat(d.resolve("api.partner.example", 443)).contains(new ServiceTarget.OriginalDestination(
        InetSocketAddress.createUnresolved("api.partner.example", 443), "ServiceEntry shop/partners"));
    ServiceTarget wiki = d.resolve("en.wikipedia.org", 443).orElseThrow();
    assertThat(((ServiceTarget.OriginalDestination) wiki).address().getHostString()).isEqualTo("en.wikipedia.org");
    assertThat(d.resolve("wikipedia.org", 443)).isEmpty();
    assertThat(d.resolve("en.wikipedia.org", 80)).isEmpty();
    ServiceTarget.OriginalDestination byAddress =
        (ServiceTarget.OriginalDestination) d.resolve("192.0.2.77", 443).orElseThrow();
    assertThat(byAddress.address()).isEqualTo(new InetSocketAddress("192.0.2.77", 443));
    assertThat(d.resolve("192.0.3.1", 443)).isEmpty();
  }

  @Test
  void staticEntryWithoutRoutableEndpointResolvesToAnEmptyCluster() {
    ServiceDirectory d = compile("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: legacy, namespace: shop}
        spec:
          hosts: [legacy.internal]
          location: MESH_INTERNAL
          resolution: STATIC
          endpoints: [{address: "unix:///var/run/legacy.sock"}]
          ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
        """);
    ServiceTarget.Balanced legacy = (ServiceTarget.Balanced) d.resolve("legacy.internal", 5432).orElseThrow();
    assertThat(legacy.cluster().endpoints()).isEmpty();
  }

  @Test
  void oldConstructorGivesAnEmptyDirectory() {
    MeshSnapshot s = new MeshSnapshot(1, null, java.util.Map.of(), java.util.List.of(), java.util.Map.of());
    assertThat(s.services()).isSameAs(ServiceDirectory.EMPTY);
    assertThat(s.services().resolve("orders", 80)).isEmpty();
  }
}
