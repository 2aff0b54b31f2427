package io.meshwork.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.config.LocalService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MtlsPolicyCompilerTest {
  static final LocalService PRODUCTS = new LocalService("product-service", "my-app", Map.of("version", "v1"));
  final List<String> notices = new ArrayList<>();

  static List<Resource<?>> yaml(String text) {
    ParseResult result = ResourceParser.parse("test.yaml", text);
    assertThat(result.errors()).as(result.report()).isEmpty();
    return result.resources();
  }

  static String policy(String name, String namespace, String spec) {
    return """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: %s, namespace: %s}
        spec:
        %s
        ---
        """.formatted(name, namespace, spec.indent(2));
  }

  MtlsPolicy compile(String yaml) {
    return MtlsPolicyCompiler.compile(yaml(yaml), PRODUCTS, notices::add);
  }

  @Test
  void withoutPolicyIsPermissiveAsInIstio() {
    assertThat(MtlsPolicyCompiler.compile(List.of(), PRODUCTS, notices::add)).isEqualTo(MtlsPolicy.DEFAULT);
    assertThat(MtlsPolicy.DEFAULT.modeFor(8080)).isEqualTo(PeerMode.PERMISSIVE);
  }

  @Test
  void seed004NamespaceStrictAppliesToTheNamespaceOnly() {
    String yaml = """
        apiVersion: security.istio.io/v1beta1
        kind: PeerAuthentication
        metadata:
          name: default
          namespace: my-app
        spec:
          mtls:
            mode: STRICT  # Enforce mTLS for all services
        """;
    assertThat(MtlsPolicyCompiler.compile(yaml(yaml), PRODUCTS, notices::add).mode()).isEqualTo(PeerMode.STRICT);
    assertThat(MtlsPolicyCompiler.compile(yaml(yaml), new LocalService("orders", "shop"), notices::add).mode())
        .isEqualTo(PeerMode.PERMISSIVE);
  }

  @Test
  void workloadBeatsNamespaceBeatsMesh() {
    String mesh = policy("default", "istio-system", "mtls: {mode: STRICT}");
    String namespace = policy("default", "my-app", "mtls: {mode: DISABLE}");
    String workload = policy("products", "my-app", "selector: {matchLabels: {app: product-service}}\nmtls: {mode: PERMISSIVE}");
    assertThat(compile(mesh).mode()).isEqualTo(PeerMode.STRICT);
    assertThat(compile(mesh + namespace).mode()).isEqualTo(PeerMode.DISABLE);
    assertThat(compile(mesh + namespace + workload).mode()).isEqualTo(PeerMode.PERMISSIVE);
  }

  @Test
  void unsetInheritsFromTheLevelAbove() {
    String mesh = policy("default", "istio-system", "mtls: {mode: STRICT}");
    String namespace = policy("default", "my-app", "mtls: {mode: UNSET}");
    String workload = policy("products", "my-app", "selector: {matchLabels: {version: v1}}");
    assertThat(compile(mesh + namespace + workload).mode()).isEqualTo(PeerMode.STRICT);
  }

  @Test
  void selectorThatDoesNotMatchIsIgnored() {
    String workload = policy("other", "my-app", "selector: {matchLabels: {app: reviews}}\nmtls: {mode: STRICT}");
    assertThat(compile(workload).mode()).isEqualTo(PeerMode.PERMISSIVE);
  }

  @Test
  void portLevelMtlsOverridesThePortItNames() {
    String workload = policy("products", "my-app", """
        selector: {matchLabels: {app: product-service}}
        mtls: {mode: STRICT}
        portLevelMtls:
          8080: {mode: DISABLE}
          9090: {mode: UNSET}""");
    MtlsPolicy compiled = compile(workload);
    assertThat(compiled.modeFor(8080)).isEqualTo(PeerMode.DISABLE);
    assertThat(compiled.modeFor(9090)).isEqualTo(PeerMode.STRICT);
    assertThat(compiled.modeFor(1234, 8080)).isEqualTo(PeerMode.DISABLE);
  }

  @Test
  void secondNamespacePolicyIsNoted() {
    String a = policy("a", "my-app", "mtls: {mode: STRICT}");
    String b = policy("b", "my-app", "mtls: {mode: DISABLE}");
    assertThat(compile(a + b).mode()).isEqualTo(PeerMode.STRICT);
    assertThat(notices).singleElement().asString().contains("my-app/b").contains("ignored");
  }
}
