package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.model.Kind;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code meshwork apply} and {@code delete -f} do with large, odd and wrong input, against a real control plane
 * on a free port.
 */
class ApplyInputTest {
  @TempDir static Path data;
  @TempDir Path files;
  private static ControlPlane plane;
  private static String url;

  @BeforeAll
  static void startControlPlane() {
    plane = ControlPlane.start(new ControlPlaneSettings(data, new InetSocketAddress("127.0.0.1", 0)));
    url = plane.url();
  }

  @AfterAll
  static void stopControlPlane() {
    plane.close();
  }

  private static Cli.Result run(String... args) {
    return Cli.run(withControlPlane(url, args));
  }

  private static String[] withControlPlane(String controlPlane, String... args) {
    String[] all = Arrays.copyOf(args, args.length + 4);
    all[args.length] = "--control-plane";
    all[args.length + 1] = controlPlane;
    all[args.length + 2] = "--data-dir";
    all[args.length + 3] = data.toString();
    return all;
  }

  private static String serviceEntry(String name, String namespaceLine) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: %s
        %s
        spec:
          hosts: [%s.example]
          ports:
          - {number: 80, name: http, protocol: HTTP}
          resolution: DNS
        """.formatted(name, namespaceLine, name);
  }

  private static int count(Kind kind, String namespace) {
    ControlPlaneAuth auth = new ControlPlaneAuth(AdminCredential.find(k -> null, data).token(),
        AdminCredential.find(k -> null, data).sslContext());
    try (ControlPlaneClient client = new ControlPlaneClient(URI.create(url), auth)) {
      return client.list(kind, namespace).items().size();
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void twentyThousandDocumentsApplyInBatchesWithProgress() throws IOException {
    Path big = files.resolve("big.yaml");
    try (Writer w = Files.newBufferedWriter(big)) {
      for (int i = 0; i < 20_000; i++) {
        w.write(serviceEntry("bulk-" + i, "  namespace: bulk"));
        w.write("---\n");
      }
    }

    Cli.Result applied = run("apply", "-f", big.toString());

    assertThat(applied.exitCode()).as(applied.err()).isZero();
    assertThat(applied.out().lines()).hasSize(20_000).allMatch(l -> l.endsWith(" created"));
    assertThat(applied.err()).contains("applied 500 of 20000 resources (batch 1 of 40)")
        .contains("applied 20000 of 20000 resources (batch 40 of 40)");
    assertThat(count(Kind.SERVICE_ENTRY, "bulk")).isEqualTo(20_000);

    Cli.Result again = run("apply", "-f", big.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out().lines()).allMatch(l -> l.endsWith(" unchanged"));

    Cli.Result deleted = run("delete", "-f", big.toString());
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(count(Kind.SERVICE_ENTRY, "bulk")).isZero();
  }

  /** A control plane that accepts the connection and the request, and never answers. */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aSlowControlPlaneIsATimeoutNotUnreachable() throws Exception {
    Path file = Files.writeString(files.resolve("one.yaml"), serviceEntry("slow", ""));
    List<Socket> held = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
        try {
          while (true) {
            Socket s = silent.accept();
            held.add(s);
            InputStream in = s.getInputStream();
            Thread.ofPlatform().daemon().start(() -> {
              try {
                in.transferTo(java.io.OutputStream.nullOutputStream());
              } catch (IOException ignored) {
                // The test is over.
              }
            });
          }
        } catch (IOException e) {
          // Closed at the end of the test.
        }
      });
      String silentUrl = "http://127.0.0.1:" + silent.getLocalPort();

      Cli.Result result = Cli.run(withControlPlane(silentUrl, "apply", "-f", file.toString(), "--timeout", "1s"));

      assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE);
      assertThat(result.err()).contains("meshwork: timed out waiting for the control plane at " + silentUrl
          + " after 1 s; the apply may still complete — check with 'meshwork get se'");
      assertThat(result.err()).doesNotContain("cannot reach");
      acceptor.interrupt();
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void dryRunPrintsTheOutcomeAndChangesNothing() throws IOException {
    Path file = Files.writeString(files.resolve("dry.yaml"), serviceEntry("dry-a", "  namespace: dry"));
    assertThat(run("apply", "-f", file.toString()).exitCode()).isZero();
    Files.writeString(file, serviceEntry("dry-a", "  namespace: dry").replace("resolution: DNS", "resolution: NONE")
        + "---\n" + serviceEntry("dry-b", "  namespace: dry"));

    Cli.Result dry = run("apply", "-f", file.toString(), "--dry-run");

    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out().lines()).containsExactly("serviceentry/dry-a configured (dry run)",
        "serviceentry/dry-b created (dry run)");
    assertThat(count(Kind.SERVICE_ENTRY, "dry")).isEqualTo(1);
    Cli.Result real = run("apply", "-f", file.toString());
    assertThat(real.out().lines()).containsExactly("serviceentry/dry-a configured", "serviceentry/dry-b created");
  }

  @Test
  void namespaceFlagAppliesToDocumentsWithoutOne() throws IOException {
    Path file = Files.writeString(files.resolve("ns.yaml"), serviceEntry("ns-a", "") + "---\n"
        + serviceEntry("ns-b", "  namespace: elsewhere"));

    Cli.Result applied = run("apply", "-f", file.toString(), "-n", "staging");

    assertThat(applied.exitCode()).as(applied.err()).isZero();
    assertThat(run("get", "se", "ns-a", "-n", "staging").exitCode()).isZero();
    assertThat(run("get", "se", "ns-b", "-n", "elsewhere").exitCode()).isZero();
    assertThat(run("get", "se", "ns-a", "-n", "default").exitCode()).isNotZero();
  }

  @Test
  void fieldsAcceptedButNotEnforcedArePrintedAtTheirLine() throws IOException {
    Path file = Files.writeString(files.resolve("dr.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: noted
        spec:
          host: noted
          trafficPolicy:
            loadBalancer:
              warmupDurationSecs: 30s
        """);

    Cli.Result applied = run("apply", "-f", file.toString());

    assertThat(applied.exitCode()).as(applied.err()).isZero();
    assertThat(applied.err()).contains(file + ":9:7: notice: spec.trafficPolicy.loadBalancer.warmupDurationSecs is accepted but"
        + " not enforced yet");
  }

  @Test
  void aFileThatIsNotUtf8IsRejectedAtItsLine() throws IOException {
    Path file = Files.write(files.resolve("latin1.yaml"),
        serviceEntry("caf\u00e9", "").getBytes(StandardCharsets.ISO_8859_1));

    Cli.Result applied = run("apply", "-f", file.toString());

    assertThat(applied.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(applied.err()).contains(file + ":4:12: error: byte 0xE9 is not UTF-8")
        .contains("meshwork: 1 error; nothing was applied");
  }

  @Test
  void theSameResourceInTwoFilesNamesBoth() throws IOException {
    Path dir = Files.createDirectories(files.resolve("mesh"));
    Path a = Files.writeString(dir.resolve("a.yaml"), serviceEntry("twice", ""));
    Path b = Files.writeString(dir.resolve("b.yaml"), serviceEntry("other", "") + "---\n" + serviceEntry("twice", ""));

    Cli.Result applied = run("apply", "-f", dir.toString());

    assertThat(applied.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(applied.err()).contains(b + ":12:1: error: metadata.name: \"twice\" (expected: each resource defined"
        + " once; ServiceEntry/default/twice is also defined at " + a + ":1)");
    assertThat(count(Kind.SERVICE_ENTRY, "default")).isZero();

    Cli.Result twoArguments = run("apply", "-f", a.toString(), "-f", a.toString());
    assertThat(twoArguments.err()).contains(a + ":1:1: error: metadata.name: \"twice\"")
        .contains("is also defined at " + a + ":1");
  }

  @Test
  void syntaxErrorsAreInTheProjectsWords() throws IOException {
    Path file = Files.writeString(files.resolve("bad.json"), "{\"kind\": \"ServiceEntry\", // no comments\n}");

    Cli.Result applied = run("apply", "-f", file.toString());

    assertThat(applied.err()).contains(file + ":1:26: error: invalid JSON: unexpected '/' (comments are not allowed"
        + " in JSON; use YAML for comments)");
    assertThat(applied.err()).doesNotContain("Feature").doesNotContain("ALLOW_COMMENTS");
  }

  @Test
  void deleteByFileReportsWhatWasNotThere() throws IOException {
    Path file = Files.writeString(files.resolve("del.yaml"), serviceEntry("del-a", "  namespace: del") + "---\n"
        + serviceEntry("del-b", "  namespace: del"));
    assertThat(run("apply", "-f", file.toString()).exitCode()).isZero();
    assertThat(run("delete", "se", "del-b", "-n", "del").exitCode()).isZero();

    Cli.Result deleted = run("delete", "-f", file.toString());

    assertThat(deleted.out().lines()).containsExactly("serviceentry/del-a deleted");
    assertThat(deleted.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(deleted.err()).contains("serviceentry \"del-b\" not found in namespace del")
        .contains("meshwork: 1 of 2 resources were not found (--ignore-not-found to accept that)");
    assertThat(run("delete", "-f", file.toString(), "--ignore-not-found").exitCode()).isZero();
  }
}
