package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh across three hosts, each a Linux network namespace with its own address on a private link
 * (10.213.0.0/24, inside the namespaces only): {@code scripts/netns-mesh.sh} starts a control plane on one host,
 * service-a with {@code meshwork run} on the two others, and checks routing across hosts, mTLS STRICT, failover
 * when one host's instance is killed, and that nothing but the inbound ports and the control plane's API listens
 * beyond loopback. It needs root (network namespaces); elsewhere it is skipped and says why.
 */
class NetnsMeshTest {
  private static final int CANNOT_RUN_HERE = 77;
  private static final List<String> CHECKS = List.of(
      "ok: PeerAuthentication default/default (mtls STRICT)",
      "ok: each instance registered its host's address (10.213.0.2 and 10.213.0.3), found without --advertise-address",
      "ok: from h1, service-a answers on h1 and on h2",
      "ok: STRICT: plaintext from cp to h2's inbound port is refused",
      "ok: only the inbound ports (10.213.0.2:15006, 10.213.0.3:15006) and the control plane's API"
          + " (10.213.0.1:15010) listen beyond loopback",
      "ok: h2's meshwork run killed with SIGKILL under load: 30 of 30 requests answered 200",
      "ok: h2's app died with its runner (no process left in h2)");

  @TempDir Path dir;

  @Test
  void aMeshAcrossThreeHostsRoutesEnforcesMutualTlsAndFailsOver() throws Exception {
    assumeTrue(uid() == 0, "skipped: creating network namespaces needs root (run ./mvnw verify as root, or"
        + " sudo scripts/netns-mesh.sh)");
    Path script = script();
    Finished check = bash(script, "--check");
    assumeTrue(check.exit() != CANNOT_RUN_HERE, () -> "skipped: " + check.output().strip());
    assertThat(check.exit()).as(check.output()).isZero();

    Finished mesh = bash(script);
    System.out.println(mesh.output());
    assumeTrue(mesh.exit() != CANNOT_RUN_HERE, () -> "skipped: " + mesh.output().strip());
    assertThat(mesh.exit()).as(mesh.output()).isZero();
    assertThat(mesh.output()).contains(CHECKS).doesNotContain("FAIL:");
  }

  private record Finished(int exit, String output) {}

  private Finished bash(Path script, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "netns-mesh", ".out");
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
        .redirectOutput(out.toFile());
    builder.command().addAll(List.of(args));
    // The JVMs in the namespaces run this test's java and class path (the cli jar is not built before tests).
    builder.environment().put("JAVA", ProcessHandle.current().info().command().orElseThrow());
    builder.environment().put("MESHWORK_CLASSPATH", System.getProperty("java.class.path"));
    builder.environment().put("MESHWORK_NETNS_LOGS", Files.createDirectories(dir.resolve("logs")).toString());
    Process p = builder.start();
    if (!p.waitFor(400, TimeUnit.SECONDS)) {
      p.destroy(); // SIGTERM: the script removes its namespaces and processes
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      throw new AssertionError("scripts/netns-mesh.sh did not finish within 400 s:\n" + Files.readString(out)
          + logs());
    }
    String output = Files.readString(out);
    return new Finished(p.exitValue(), p.exitValue() == 0 || p.exitValue() == CANNOT_RUN_HERE ? output
        : output + logs());
  }

  private String logs() throws IOException {
    StringBuilder text = new StringBuilder();
    Path logs = dir.resolve("logs");
    if (Files.isDirectory(logs)) {
      try (var files = Files.list(logs)) {
        for (Path log : files.sorted().toList()) {
          String body = Files.readString(log);
          text.append("\n--- ").append(log.getFileName()).append(" ---\n")
              .append(body.length() > 4000 ? body.substring(body.length() - 4000) : body);
        }
      }
    }
    return text.toString();
  }

  private static Path script() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve("scripts/netns-mesh.sh");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("scripts/netns-mesh.sh not found above " + Path.of("").toAbsolutePath());
  }

  private static int uid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }
}
