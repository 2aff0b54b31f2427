package io.meshwork.model.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import org.junit.jupiter.api.Test;

/** IstioOperator {@code meshConfig.outboundTrafficPolicy}: a typed mode, and a precise error for any other value. */
class OutboundTrafficPolicyTest {
  private static String operator(String mode) {
    return """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: {name: mesh, namespace: istio-system}
        spec:
          meshConfig:
            outboundTrafficPolicy:
              mode: %s
        """.formatted(mode);
  }

  @Test
  void modeIsBound() {
    ParseResult result = ResourceParser.parse("iop.yaml", operator("REGISTRY_ONLY"));
    assertThat(result.errors()).isEmpty();
    IstioOperator iop = (IstioOperator) result.resources().getFirst().spec();
    assertThat(iop.meshConfig().outboundTrafficPolicy().mode()).isEqualTo(OutboundTrafficPolicy.Mode.REGISTRY_ONLY);
    assertThat(result.warnings()).singleElement()
        .satisfies(w -> assertThat(w.message()).contains(
            "outboundTrafficPolicy.mode, accessLogFile, accessLogEncoding and accessLogFormat are honoured;"
                + " enableTracing is stored but sidecars do not apply it yet"));
  }

  @Test
  void anotherModeIsAnErrorNamingTheField() {
    ParseResult result = ResourceParser.parse("iop.yaml", operator("SOMETIMES"));
    assertThat(result.resources()).isEmpty();
    assertThat(result.errors()).singleElement().satisfies(e -> {
      assertThat(e.line()).isEqualTo(7);
      assertThat(e.field()).isEqualTo("spec.meshConfig.outboundTrafficPolicy.mode");
      assertThat(e.message()).isEqualTo("\"SOMETIMES\" (expected: one of REGISTRY_ONLY, ALLOW_ANY)");
    });
  }
}
