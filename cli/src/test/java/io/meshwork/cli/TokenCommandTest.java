package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.ca.JoinTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code meshwork token create} against a real control plane over HTTPS. */
class TokenCommandTest {
  @TempDir Path dataDir;

  private ControlPlane controlPlane;

  record Result(int exitCode, String out, String err) {}

  @BeforeEach
  void start() {
    controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  /** Runs {@code meshwork token ...} and maps failures the way Main does. */
  private static Result token(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new TokenCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("meshwork: " + e.getMessage());
      return ExitCode.USAGE;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("meshwork: " + e.getMessage());
      return e instanceof UserError u ? u.exitCode() : ExitCode.FAILURE;
    });
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void createPrintsATokenForTheIdentityOnStdoutAndItsExpiryOnStderr() {
    Instant before = Instant.now();
    Result r = token("create", "--service", "orders", "--namespace", "shop", "--ttl", "30m",
        "--control-plane", controlPlane.url(), "--data-dir", dataDir.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    String token = r.out().strip();
    assertThat(r.out().lines()).hasSize(1);
    JoinTokens.Valid valid = (JoinTokens.Valid) controlPlane.certificateAuthority().joinTokens().verify(token);
    assertThat(valid.identity().toString()).isEqualTo("spiffe://cluster.local/ns/shop/sa/orders");
    assertThat(valid.expiresAt()).isBetween(before.plus(Duration.ofMinutes(29)), before.plus(Duration.ofMinutes(31)));
    assertThat(r.err()).contains("spiffe://cluster.local/ns/shop/sa/orders").contains(valid.expiresAt().toString());
  }

  @Test
  void aWrongAdminTokenIsOneLineSayingWhereItCameFrom() throws Exception {
    Path elsewhere = Files.createDirectory(dataDir.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("admin-token"), "mwat1.wrong");
    Files.copy(controlPlane.trustBundleFile(), elsewhere.resolve("ca.pem"));

    Result r = token("create", "--service", "orders", "--control-plane", controlPlane.url(),
        "--data-dir", elsewhere.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("meshwork: the control plane refused the admin token from "
        + elsewhere.resolve("admin-token"));
  }

  @Test
  void anUntrustedControlPlaneIsRefused() throws Exception {
    Path noBundle = Files.createDirectory(dataDir.resolve("nobundle"));
    Files.copy(controlPlane.adminTokenFile(), noBundle.resolve("admin-token"));

    Result r = token("create", "--service", "orders", "--control-plane", controlPlane.url(),
        "--data-dir", noBundle.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.err()).startsWith("meshwork: cannot verify the control plane at " + controlPlane.url());
  }

  @Test
  void badInputIsAUsageError() {
    Result ttl = token("create", "--service", "orders", "--ttl", "soon", "--data-dir", dataDir.toString(),
        "--control-plane", controlPlane.url());
    assertThat(ttl.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(ttl.err()).startsWith("meshwork: --ttl: soon (expected: a duration such as");

    Result missing = token("create");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(missing.err()).contains("--service");
  }
}
