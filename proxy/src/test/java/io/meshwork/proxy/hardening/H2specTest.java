package io.meshwork.proxy.hardening;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the h2spec conformance tool against a sidecar's upstream port, when it is installed, and
 * reports its pass count. Debian does not package h2spec (bookworm), so on the project's machines this
 * is skipped; {@link Http2ConformanceTest} covers the same ground with raw frames.
 */
@Timeout(300)
class H2specTest {
  private static final Pattern SUMMARY = Pattern.compile("(\\d+) tests, (\\d+) passed, (\\d+) skipped, (\\d+) failed");

  @Test
  void h2specPassCount() throws Exception {
    Path h2spec = java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .map(d -> Path.of(d, "h2spec")).filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(h2spec != null, "h2spec is not installed (not packaged by Debian bookworm)");
    try (TestBackend backend = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.OK, "ok"));
        Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1)
            .withUpstreams(Map.of("hello", 0)),
            Meshes.snapshot(host("hello", forward(cluster("hello", backend.address())))))) {
      Process p = new ProcessBuilder(h2spec.toString(), "-h", "127.0.0.1", "-p",
          String.valueOf(sidecar.upstreamPort("hello")), "-o", "5").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
      Matcher m = SUMMARY.matcher(out);
      assertThat(m.find()).as("h2spec summary line in:%n%s", out).isTrue();
      System.out.println("h2spec against the upstream port: " + m.group());
      // Reported, not asserted as all-passing: the rows Netty answers differently are listed in
      // Http2ConformanceTest#knownDeviations.
      assertThat(Integer.parseInt(m.group(2))).isPositive();
    }
  }
}
