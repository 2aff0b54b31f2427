package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Parses test YAML with the real parser, failing the test on any error. */
final class Resources {
  private Resources() {}

  static List<Resource<?>> yaml(String text) {
    ParseResult result = ResourceParser.parse("test.yaml", text);
    assertThat(result.errors()).as(result.report()).isEmpty();
    return result.resources();
  }

  static List<Resource<?>> classpath(String... names) {
    List<Resource<?>> all = new ArrayList<>();
    for (String name : names) {
      try (InputStream in = Resources.class.getResourceAsStream(name)) {
        all.addAll(yaml(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return all;
  }

  static String workload(String name, String ns, String app, String address, String ports, String extraLabels) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: %s
          namespace: %s
        spec:
          address: %s
          ports: {%s}
          labels: {app: %s%s}
        ---
        """.formatted(name, ns, address, ports, app, extraLabels.isEmpty() ? "" : ", " + extraLabels);
  }
}
