package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import org.junit.jupiter.api.Test;

/** meshConfig.outboundTrafficPolicy compiled into the snapshot: Istio's default, the mode set, and conflicts. */
class MeshConfigsTest {
  private static final LocalService LOCAL = new LocalService("orders", "shop");

  private static String operator(String name, String policy) {
    return """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: {name: %s, namespace: istio-system}
        spec:
          meshConfig:
            outboundTrafficPolicy: %s
        ---
        """.formatted(name, policy);
  }

  private static MeshSnapshot compile(String yaml) {
    ParseResult parsed = ResourceParser.parse("mesh.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    return new SnapshotCompiler().compile(1, parsed.resources(), LOCAL);
  }

  @Test
  void allowAnyWhenNothingSaysOtherwise() {
    MeshSnapshot s = compile(operator("a", "{}"));
    assertThat(s.outboundTrafficPolicy()).isEqualTo(OutboundTrafficPolicy.ALLOW_ANY);
    assertThat(s.summary()).containsEntry("outboundTrafficPolicy", java.util.Map.of("mode", "ALLOW_ANY"));
    assertThat(s.notices()).isEmpty();
  }

  @Test
  void theFirstOperatorByNameWinsAndTheOthersGetANotice() {
    MeshSnapshot s = compile(operator("b", "{mode: ALLOW_ANY}") + operator("a", "{mode: REGISTRY_ONLY}"));
    assertThat(s.outboundTrafficPolicy()).isEqualTo(OutboundTrafficPolicy.REGISTRY_ONLY);
    assertThat(s.notices()).containsExactly("IstioOperator istio-system/b: spec.meshConfig.outboundTrafficPolicy.mode"
        + " ALLOW_ANY is ignored: IstioOperator istio-system/a sets REGISTRY_ONLY for the mesh");
  }

  @Test
  void egressProxyIsNamedAsNotEnforced() {
    MeshSnapshot s = compile(operator("a", "{mode: REGISTRY_ONLY, egressProxy: {host: egress.example, port: {number: 80}}}"));
    assertThat(s.notices()).containsExactly("IstioOperator istio-system/a: spec.meshConfig.outboundTrafficPolicy.egressProxy"
        + " is accepted but not enforced yet");
  }

  private static String accessLog(String name, String fields) {
    return """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: {name: %s, namespace: istio-system}
        spec:
          meshConfig: %s
        ---
        """.formatted(name, fields);
  }

  @Test
  void accessLogsAreOffByDefault() {
    assertThat(compile(operator("a", "{}")).accessLog()).isEqualTo(io.meshwork.proxy.telemetry.AccessLogConfig.OFF);
  }

  @Test
  void seed004TurnsOnStdoutAccessLogsInIstiosDefaultTextFormat() throws Exception {
    String yaml;
    try (var in = MeshConfigsTest.class.getResourceAsStream("seed-004.yaml")) {
      yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    MeshSnapshot s = compile(yaml);
    assertThat(s.accessLog().path()).isEqualTo("/dev/stdout");
    assertThat(s.accessLog().format().encoding()).isEqualTo(io.meshwork.proxy.telemetry.AccessLogFormat.Encoding.TEXT);
    assertThat(s.summary()).containsEntry("accessLog", java.util.Map.of("path", "/dev/stdout", "encoding", "TEXT"));
    assertThat(s.notices()).noneMatch(n -> n.contains("accessLog"))
        .contains("IstioOperator default/istio-control-plane: spec.meshConfig.enableTracing is accepted but not"
            + " enforced yet");
  }

  @Test
  void aFormatThatDoesNotCompileIsANoticeAndTheDefaultFormatIsUsed() {
    MeshSnapshot s = compile(accessLog("a", "{accessLogFile: /tmp/a.log, accessLogEncoding: JSON,"
        + " accessLogFormat: '{\"m\": \"%METHOD%\"}'}"));
    assertThat(s.accessLog().path()).isEqualTo("/tmp/a.log");
    assertThat(s.notices()).containsExactly("IstioOperator istio-system/a: spec.meshConfig.accessLogFormat key \"m\":"
        + " at offset 0: %METHOD% is not a command operator this proxy knows; Istio's default JSON format is used");
  }

  @Test
  void theFirstOperatorSettingAnAccessLogWins() {
    MeshSnapshot s = compile(accessLog("b", "{accessLogFile: /tmp/b.log}") + accessLog("a", "{accessLogFile: /tmp/a.log}"));
    assertThat(s.accessLog().path()).isEqualTo("/tmp/a.log");
    assertThat(s.notices()).containsExactly("IstioOperator istio-system/b: spec.meshConfig.accessLogFile is ignored:"
        + " IstioOperator istio-system/a sets the mesh's access log");
  }
}
