package io.meshwork.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.VirtualService;
import java.util.List;
import org.junit.jupiter.api.Test;

class KindTest {

  @Test
  void resolvesIstioGroupsAndVersions() {
    assertThat(Kind.of("networking.istio.io/v1alpha3", "VirtualService")).contains(Kind.VIRTUAL_SERVICE);
    assertThat(Kind.of("networking.istio.io/v1beta1", "VirtualService")).contains(Kind.VIRTUAL_SERVICE);
    assertThat(Kind.of("networking.istio.io/v1", "VirtualService")).contains(Kind.VIRTUAL_SERVICE);
    assertThat(Kind.of("security.istio.io/v1beta1", "AuthorizationPolicy")).contains(Kind.AUTHORIZATION_POLICY);
    assertThat(Kind.of("security.istio.io/v1alpha3", "AuthorizationPolicy")).isEmpty();
    assertThat(Kind.of("v1", "Namespace")).contains(Kind.NAMESPACE);
    assertThat(Kind.of("install.istio.io/v1alpha1", "IstioOperator")).contains(Kind.ISTIO_OPERATOR);
    assertThat(Kind.of("meshwork.io/v1alpha1", "ApiKey")).contains(Kind.API_KEY);
    assertThat(Kind.of("networking.istio.io/v1", "virtualservice")).isEmpty();
    assertThat(Kind.of(null, "VirtualService")).isEmpty();
  }

  @Test
  void byNameAcceptsKindPluralAndShortNames() {
    for (String name : List.of("VirtualService", "virtualservice", "virtualservices", "vs", "VS")) {
      assertThat(Kind.byName(name)).as(name).contains(Kind.VIRTUAL_SERVICE);
    }
    assertThat(Kind.byName("dr")).contains(Kind.DESTINATION_RULE);
    assertThat(Kind.byName("se")).contains(Kind.SERVICE_ENTRY);
    assertThat(Kind.byName("we")).contains(Kind.WORKLOAD_ENTRY);
    assertThat(Kind.byName("ratelimitpolicies")).contains(Kind.RATE_LIMIT_POLICY);
    assertThat(Kind.byName("sidecar")).isEmpty();
  }

  @Test
  void describesItself() {
    assertThat(Kind.VIRTUAL_SERVICE.kindName()).isEqualTo("VirtualService");
    assertThat(Kind.VIRTUAL_SERVICE.plural()).isEqualTo("virtualservices");
    assertThat(Kind.VIRTUAL_SERVICE.group()).isEqualTo("networking.istio.io");
    assertThat(Kind.VIRTUAL_SERVICE.versions()).containsExactly("v1alpha3", "v1beta1", "v1");
    assertThat(Kind.VIRTUAL_SERVICE.preferredApiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(Kind.VIRTUAL_SERVICE.specType()).isEqualTo(VirtualService.class);
    assertThat(Kind.NAMESPACE.namespaced()).isFalse();
    assertThat(Kind.NAMESPACE.preferredApiVersion()).isEqualTo("v1");
    assertThat(Kind.forSpec(DestinationRule.class)).isEqualTo(Kind.DESTINATION_RULE);
  }

  @Test
  void resourceChecksItsSpecTypeAndBuildsKeys() {
    DestinationRule dr = new DestinationRule("reviews", null, null, null, null);
    Resource<DestinationRule> r = Resource.of(ObjectMeta.of("reviews"), dr);
    assertThat(r.apiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(r.key()).isEqualTo("DestinationRule/default/reviews");
    assertThat(r.spec().subsets()).isEmpty();
    assertThatThrownBy(() -> new Resource<>(null, Kind.VIRTUAL_SERVICE, ObjectMeta.of("x"), dr))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec: DestinationRule (expected: VirtualService)");
  }

  @Test
  void parseResultDropsResourcesWhenAnyErrorExists() {
    Resource<?> r = Resource.of(ObjectMeta.of("reviews"), new DestinationRule("reviews", null, null, null, null));
    Diagnostic warning = Diagnostic.warning("a.yaml", 3, 1, "spec.x", "unknown field");
    Diagnostic error = Diagnostic.error("a.yaml", 4, 7, "spec.host", "missing (expected: a host)");
    assertThat(new ParseResult(List.of(r), List.of(warning)).resources()).containsExactly(r);
    ParseResult bad = new ParseResult(List.of(r), List.of(warning, error));
    assertThat(bad.resources()).isEmpty();
    assertThat(bad.errors()).containsExactly(error);
    assertThat(bad.warnings()).containsExactly(warning);
    assertThat(error.format()).isEqualTo("a.yaml:4:7: error: spec.host: missing (expected: a host)");
    assertThat(Diagnostic.error("a.yaml", 0, 0, "", "cannot read").format()).isEqualTo("a.yaml: error: cannot read");
  }
}
