package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class HostNamesTest {
  private final HostNames names = new HostNames(Set.of("shop", "billing"));

  @Test
  void shortNamesResolveInTheResourcesNamespace() {
    assertThat(names.resolve("orders", "shop")).isEqualTo("orders.shop.svc.cluster.local");
    assertThat(names.resolve("Orders", "billing")).isEqualTo("orders.billing.svc.cluster.local");
  }

  @Test
  void namespaceQualifiedFormsAreAliases() {
    assertThat(names.resolve("orders.shop", "billing")).isEqualTo("orders.shop.svc.cluster.local");
    assertThat(names.resolve("orders.shop.svc", "billing")).isEqualTo("orders.shop.svc.cluster.local");
    assertThat(names.resolve("orders.shop.svc.cluster.local.", "billing")).isEqualTo("orders.shop.svc.cluster.local");
  }

  @Test
  void otherNamesAreTakenAsWritten() {
    // "example.com" has one dot too, but "com" is no namespace of the mesh.
    assertThat(names.resolve("example.com", "shop")).isEqualTo("example.com");
    assertThat(names.resolve("api.example.com", "shop")).isEqualTo("api.example.com");
    assertThat(names.resolve("*.example.com", "shop")).isEqualTo("*.example.com");
  }

  @Test
  void theShortNameIsADomainOnlyForCallersInTheSameNamespace() {
    assertThat(HostNames.domains("orders.shop.svc.cluster.local", "shop"))
        .containsExactly("orders.shop.svc.cluster.local", "orders.shop.svc", "orders.shop", "orders");
    assertThat(HostNames.domains("orders.shop.svc.cluster.local", "billing"))
        .containsExactly("orders.shop.svc.cluster.local", "orders.shop.svc", "orders.shop");
    assertThat(HostNames.domains("api.example.com", "shop")).containsExactly("api.example.com");
  }
}
