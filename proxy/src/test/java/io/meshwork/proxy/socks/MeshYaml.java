package io.meshwork.proxy.socks;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import java.net.InetSocketAddress;

/** Compiles test YAML with the real parser and compiler, for a sidecar of {@code frontend} in {@code default}. */
final class MeshYaml {
  static final LocalService FRONTEND = new LocalService("frontend", "default");

  private MeshYaml() {}

  static MeshSnapshot compile(String yaml) {
    ParseResult parsed = ResourceParser.parse("test.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    return new SnapshotCompiler().compile(1, parsed.resources(), FRONTEND);
  }

  /** A registered workload of {@code app} listening on {@code address}. */
  static String workload(String name, String app, InetSocketAddress address) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %s, namespace: default}
        spec:
          address: %s
          ports: {http: %d}
          labels: {app: %s}
        ---
        """.formatted(name, address.getAddress().getHostAddress(), address.getPort(), app);
  }

  /** Istio ROUND_ROBIN for {@code host}, so tests can predict the endpoint order. */
  static String roundRobin(String host) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: default}
        spec:
          host: %s
          trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
        ---
        """.formatted(host, host);
  }
}
