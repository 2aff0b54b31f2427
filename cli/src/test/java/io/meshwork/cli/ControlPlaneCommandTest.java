package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class ControlPlaneCommandTest {

  @Test
  void listenTakesHostAndPortIncludingBracketedIpv6() {
    assertThat(ControlPlaneCommand.parseListen("127.0.0.1:15010")).isEqualTo(new InetSocketAddress("127.0.0.1", 15010));
    assertThat(ControlPlaneCommand.parseListen("[::1]:0").getPort()).isZero();
    assertThat(ControlPlaneCommand.parseListen("[::1]:0").getAddress().getHostAddress()).contains(":");
    for (String bad : new String[] {"15010", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:80", ":80"}) {
      assertThatThrownBy(() -> ControlPlaneCommand.parseListen(bad))
          .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
          .hasMessage("--listen: " + bad + " (expected: HOST:PORT, e.g. 127.0.0.1:15010)");
    }
  }

  @Test
  void aBadListenAddressIsOneLineAndAUsageExit(@TempDir Path dir) {
    Cli.Result r = Cli.run("control-plane", "--listen", "localhost", "--data-dir", dir.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).isEqualTo("meshwork: --listen: localhost (expected: HOST:PORT, e.g. 127.0.0.1:15010)\n");
  }

  @Test
  void runsUntilStoppedAndPrintsItsUrl(@TempDir Path dir) throws Exception {
    Path dataDir = dir.resolve("nested/control-plane");
    ControlPlaneCommand command = new ControlPlaneCommand();
    CommandLine cli = new CommandLine(command);
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--listen", "127.0.0.1:0",
        "--data-dir", dataDir.toString()));

    Pattern line = Pattern.compile("control plane listening on (https://127\\.0\\.0\\.1:\\d+) \\(data (.+)\\)\\n");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Matcher m = line.matcher(out.toString());
    while (!m.find()) {
      assertThat(exit).as("the command must keep running").isNotDone();
      assertThat(System.nanoTime()).as("a URL is printed within 20 s").isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(20);
      m = line.matcher(out.toString());
    }
    URI url = URI.create(m.group(1));
    assertThat(Path.of(m.group(2))).isEqualTo(dataDir.toAbsolutePath().normalize());
    assertThat(Files.exists(dataDir.resolve("ca.pem"))).isTrue();
    try (ControlPlaneClient client = new ControlPlaneClient(url,
        new ControlPlaneAuth(null, ControlPlaneAuth.trusting(dataDir.resolve("ca.pem"))))) {
      assertThat(client.healthy()).isTrue();

      command.requestStop();

      assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
      assertThat(client.healthy()).as("closed on stop").isFalse();
    }
  }

  @Test
  void aDataDirOpenToOtherUsersIsOneLineWithTheFix(@TempDir Path dir) throws Exception {
    Path dataDir = Files.createDirectory(dir.resolve("control-plane"));
    Files.setPosixFilePermissions(dataDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));

    Cli.Result r = Cli.run("control-plane", "--listen", "127.0.0.1:0", "--data-dir", dataDir.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.err()).isEqualTo("meshwork: data dir " + dataDir.toAbsolutePath() + " is mode 0750, open to other"
        + " users; it holds the CA's private key (fix: chmod 700 " + dataDir.toAbsolutePath() + ")\n");
  }

  @Test
  void aBadMaximumTokenLifetimeIsAUsageError(@TempDir Path dir) {
    Cli.Result r = Cli.run("control-plane", "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("cp").toString(),
        "--max-token-ttl", "30d");

    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).isEqualTo("meshwork: --max-token-ttl: 30d (expected: a positive duration such as 720h or"
        + " 24h)\n");
    assertThat(dir.resolve("cp")).doesNotExist();
  }

  @Test
  void aRateLimitRedisThatIsNotARedisURLIsAUsageError(@TempDir Path dir) {
    for (String bad : new String[] {"127.0.0.1:6379", "redis://", "redis://host:port:x"}) {
      Cli.Result r = Cli.run("control-plane", "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("cp").toString(),
          "--rate-limit-redis", bad);

      assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(r.err()).isEqualTo("meshwork: --rate-limit-redis: " + bad + " (expected: redis://HOST:PORT)\n");
      assertThat(dir.resolve("cp")).doesNotExist();
    }
  }

  @Test
  void aPassphraseFileOthersCanReadIsOneLineNamingTheOption(@TempDir Path dir) throws Exception {
    Path secret = Files.writeString(dir.resolve("passphrase"), "s3cret\n");
    Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    Cli.Result r = Cli.run("control-plane", "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("cp").toString(),
        "--ca-key-passphrase-file", secret.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.err()).isEqualTo("meshwork: --ca-key-passphrase-file: " + secret + " is mode 0644, open to other"
        + " users (fix: chmod 600 " + secret + ")\n");
  }
}
