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
import java.util.List;
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

  private String[] at(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 4);
    all[args.length] = "--control-plane";
    all[args.length + 1] = controlPlane.url();
    all[args.length + 2] = "--data-dir";
    all[args.length + 3] = dataDir.toString();
    return all;
  }

  @Test
  void listShowsATableWithoutSecretsAndRevokeTakesAUniquePrefix() {
    String orders = token(at("create", "--service", "orders", "--namespace", "shop", "--ttl", "1h")).out().strip();
    String cart = token(at("create", "--service", "cart", "--namespace", "shop")).out().strip();
    String ordersId = ((JoinTokens.Valid) controlPlane.certificateAuthority().joinTokens().verify(orders)).tokenId();

    Result list = token(at("list"));
    assertThat(list.exitCode()).as(list.err()).isZero();
    List<String> lines = list.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).matches("ID +SERVICE +NAMESPACE +CREATED +EXPIRES +STATUS");
    assertThat(lines).anySatisfy(l -> assertThat(l).matches(ordersId + " +orders +shop +\\S+Z +\\S+Z +active"));
    assertThat(list.out()).doesNotContain(orders).doesNotContain(cart)
        .doesNotContain(orders.substring(orders.lastIndexOf('.') + 1));

    Result revoked = token(at("revoke", ordersId.substring(0, 8)));
    assertThat(revoked.exitCode()).as(revoked.err()).isZero();
    assertThat(revoked.out()).isEqualTo("revoked token " + ordersId + " for spiffe://cluster.local/ns/shop/sa/orders\n");
    assertThat(controlPlane.certificateAuthority().joinTokens().verify(orders)).isInstanceOf(JoinTokens.Invalid.class);
    assertThat(token(at("list")).out()).containsPattern(ordersId + " .* revoked \\S+Z");

    Result unknown = token(at("revoke", "ffffffffff"));
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(unknown.err()).isEqualTo("meshwork: token ffffffffff: no such token (see 'meshwork token list')\n");
    Result tooShort = token(at("revoke", "ab"));
    assertThat(tooShort.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(tooShort.err()).startsWith("meshwork: ID: ab (expected: a token id from 'meshwork token list'");
  }

  @Test
  void aTokenLongerThanTheMaximumIsOneLineNamingIt() {
    Result r = token(at("create", "--service", "orders", "--ttl", "8784h"));
    assertThat(r.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.err()).isEqualTo("meshwork: ttl: 8784h is longer than the control plane's maximum token lifetime,"
        + " 720h (--max-token-ttl)\n");
  }

  @Test
  void rotateAdminPrintsTheNewTokenAndTheOldOneStopsWorking() throws Exception {
    String old = Files.readString(controlPlane.adminTokenFile()).strip();
    Result r = token(at("rotate-admin"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    String fresh = r.out().strip();
    assertThat(fresh).startsWith("mwat1.").isNotEqualTo(old);
    assertThat(Files.readString(controlPlane.adminTokenFile()).strip()).isEqualTo(fresh);
    assertThat(r.err()).startsWith("rotated the admin token");
    assertThat(token(at("list")).exitCode()).as("the CLI reads the new file").isZero();

    Path stale = Files.createDirectory(dataDir.resolve("stale"));
    Files.writeString(stale.resolve("admin-token"), old);
    Files.copy(controlPlane.trustBundleFile(), stale.resolve("ca.pem"));
    Result refused = token("list", "--control-plane", controlPlane.url(), "--data-dir", stale.toString());
    assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(refused.err()).startsWith("meshwork: the control plane refused the admin token from "
        + stale.resolve("admin-token"));
  }

  @Test
  void identityRevokeEndsTheIdentitysEarlierTokens() {
    String orders = token(at("create", "--service", "orders", "--namespace", "shop")).out().strip();
    Cli.Result r = Cli.run(at("identity", "revoke", "spiffe://cluster.local/ns/shop/sa/orders"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("revoked spiffe://cluster.local/ns/shop/sa/orders: its certificates and join"
        + " tokens issued before ");
    assertThat(controlPlane.certificateAuthority().joinTokens().verify(orders))
        .isInstanceOfSatisfying(JoinTokens.Invalid.class,
            i -> assertThat(i.failure()).isEqualTo(JoinTokens.Failure.IDENTITY_REVOKED));
    assertThat(Cli.run(at("identity", "list-revoked")).out())
        .matches("(?s)IDENTITY +REVOKED\\nspiffe://cluster.local/ns/shop/sa/orders +\\S+Z\\n");

    Cli.Result bad = Cli.run(at("identity", "revoke", "orders"));
    assertThat(bad.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(bad.err().lines()).hasSize(1);
    assertThat(bad.err()).startsWith("meshwork: identity: ");
  }
}
