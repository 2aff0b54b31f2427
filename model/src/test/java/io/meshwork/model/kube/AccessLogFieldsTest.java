package io.meshwork.model.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import org.junit.jupiter.api.Test;

/** IstioOperator {@code meshConfig} access-log fields: bound as typed, a precise error for an unknown encoding. */
class AccessLogFieldsTest {
  private static String operator(String encoding) {
    return """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: {name: mesh, namespace: istio-system}
        spec:
          meshConfig:
            accessLogFile: /dev/stdout
            accessLogEncoding: %s
            accessLogFormat: "%%REQ(:METHOD)%% %%RESPONSE_CODE%%"
        """.formatted(encoding);
  }

  @Test
  void fieldsAreBound() {
    ParseResult result = ResourceParser.parse("iop.yaml", operator("JSON"));
    assertThat(result.errors()).isEmpty();
    MeshConfig mc = ((IstioOperator) result.resources().getFirst().spec()).meshConfig();
    assertThat(mc.accessLogFile()).isEqualTo("/dev/stdout");
    assertThat(mc.accessLogEncoding()).isEqualTo(MeshConfig.AccessLogEncoding.JSON);
    assertThat(mc.accessLogFormat()).isEqualTo("%REQ(:METHOD)% %RESPONSE_CODE%");
  }

  @Test
  void anotherEncodingIsAnErrorNamingTheField() {
    ParseResult result = ResourceParser.parse("iop.yaml", operator("XML"));
    assertThat(result.resources()).isEmpty();
    assertThat(result.errors()).singleElement().satisfies(e -> {
      assertThat(e.line()).isEqualTo(7);
      assertThat(e.field()).isEqualTo("spec.meshConfig.accessLogEncoding");
      assertThat(e.message()).isEqualTo("\"XML\" (expected: one of TEXT, JSON)");
    });
  }
}
