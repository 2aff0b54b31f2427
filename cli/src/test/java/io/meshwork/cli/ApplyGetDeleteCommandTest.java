package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwork apply/get/delete} against a real control plane on a free port. */
class ApplyGetDeleteCommandTest {
  private static final String ROUTES = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
      spec:
        hosts: [reviews]
        http:
          - route:
              - destination: {host: reviews, subset: v1}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: reviews
      spec:
        host: reviews
        subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata:
        name: payments
        namespace: shop
      spec:
        hosts: [payments.example.com]
        location: MESH_EXTERNAL
        resolution: STATIC
        ports: [{number: 443, name: https, protocol: TLS}]
        endpoints: [{address: 10.0.0.7}]
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata:
        name: reviews-vm1
      spec:
        address: 10.0.0.9
        ports: {http: 9080}
        labels: {app: reviews, version: v1}
      """;

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

  @BeforeEach
  void empty() {
    for (String kind : new String[] {"vs", "dr", "we"}) {
      for (String line : run("get", kind, "-A").out().lines().skip(1).toList()) {
        String[] cols = line.split("\\s+");
        run("delete", kind, cols[1], "-n", cols[0]);
      }
    }
    run("delete", "se", "payments", "-n", "shop");
  }

  private static Cli.Result run(String... args) {
    return Cli.run(withControlPlane(args));
  }

  /** The arguments plus where the control plane is and the data directory holding its admin token and ca.pem. */
  private static String[] withControlPlane(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 4);
    all[args.length] = "--control-plane";
    all[args.length + 1] = url;
    all[args.length + 2] = "--data-dir";
    all[args.length + 3] = data.toString();
    return all;
  }

  private Path file(String name, String text) throws IOException {
    Path p = files.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void appliesAMultiDocumentFileThenGetsAndDeletes() throws IOException {
    Path routes = file("routes.yaml", ROUTES);

    Cli.Result applied = run("apply", "-f", routes.toString());

    assertThat(applied.exitCode()).as(applied.err()).isZero();
    assertThat(applied.out().lines()).containsExactly(
        "virtualservice/reviews created",
        "destinationrule/reviews created",
        "serviceentry/payments created",
        "workloadentry/reviews-vm1 created");

    Cli.Result vs = run("get", "virtualservices");
    assertThat(vs.exitCode()).isZero();
    assertThat(vs.out().lines().toList()).hasSize(2);
    assertThat(vs.out().lines().findFirst().orElseThrow()).matches("NAME\\s+REVISION\\s+HOSTS");
    assertThat(vs.out().lines().skip(1).findFirst().orElseThrow()).matches("reviews\\s+\\d+\\s+reviews");

    assertThat(run("get", "DestinationRule").out()).containsPattern("reviews\\s+\\d+\\s+reviews\\s+v1,v2");
    assertThat(run("get", "we").out()).containsPattern(
        "reviews-vm1\\s+\\d+\\s+10\\.0\\.0\\.9\\s+http:9080\\s+app=reviews,version=v1");
    assertThat(run("get", "se", "-n", "shop").out()).containsPattern(
        "payments\\s+\\d+\\s+payments\\.example\\.com\\s+10\\.0\\.0\\.7");
    Cli.Result all = run("get", "serviceentry", "-A", "-o", "wide");
    assertThat(all.out().lines().findFirst().orElseThrow())
        .matches("NAMESPACE\\s+NAME\\s+REVISION\\s+HOSTS\\s+ENDPOINTS\\s+LOCATION\\s+RESOLUTION");
    assertThat(all.out()).containsPattern("shop\\s+payments\\s+\\d+\\s+payments\\.example\\.com\\s+10\\.0\\.0\\.7"
        + "\\s+MESH_EXTERNAL\\s+STATIC");

    Cli.Result yaml = run("get", "vs", "reviews", "-o", "yaml");
    assertThat(yaml.exitCode()).isZero();
    assertThat(yaml.out()).contains("kind: VirtualService", "name: reviews", "resourceVersion:", "subset: v1");
    assertThat(run("get", "vs", "reviews", "-o", "json").out()).contains("\"kind\" : \"VirtualService\"");

    Cli.Result deleted = run("delete", "vs", "reviews");
    assertThat(deleted.exitCode()).isZero();
    assertThat(deleted.out()).isEqualTo("virtualservice/reviews deleted\n");

    Cli.Result gone = run("get", "vs", "reviews");
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.err()).isEqualTo("meshwork: virtualservice \"reviews\" not found in namespace default\n");
    Cli.Result deleteAgain = run("delete", "vs", "reviews");
    assertThat(deleteAgain.exitCode()).isEqualTo(1);
    assertThat(deleteAgain.err()).contains("virtualservice \"reviews\" not found in namespace default");
    Cli.Result none = run("get", "vs");
    assertThat(none.exitCode()).isZero();
    assertThat(none.err()).contains("No resources found in default namespace.");
  }

  @Test
  void applyingTheSameFileTwiceIsUnchangedAndAnEditIsConfigured() throws IOException {
    Path routes = file("routes.yaml", ROUTES);
    assertThat(run("apply", "-f", routes.toString()).exitCode()).isZero();
    String revisionBefore = run("get", "vs", "reviews").out();

    Cli.Result again = run("apply", "-f", routes.toString());

    assertThat(again.exitCode()).isZero();
    assertThat(again.out().lines()).containsExactly(
        "virtualservice/reviews unchanged",
        "destinationrule/reviews unchanged",
        "serviceentry/payments unchanged",
        "workloadentry/reviews-vm1 unchanged");
    assertThat(run("get", "vs", "reviews").out()).isEqualTo(revisionBefore);

    Files.writeString(routes, ROUTES.replace("subset: v1}", "subset: v2}"));
    assertThat(run("apply", "-f", routes.toString()).out().lines())
        .startsWith("virtualservice/reviews configured", "destinationrule/reviews unchanged");
  }

  @Test
  void aDirectoryAndStandardInputApplyToo() throws IOException {
    Path dir = Files.createDirectories(files.resolve("dir"));
    Files.writeString(dir.resolve("a.yaml"), ROUTES.substring(0, ROUTES.indexOf("---")));
    Files.writeString(dir.resolve("notes.txt"), "not configuration");
    String workload = ROUTES.substring(ROUTES.lastIndexOf("---") + 4);

    Cli.Result fromDir = run("apply", "-f", dir.toString());
    assertThat(fromDir.out()).isEqualTo("virtualservice/reviews created\n");

    Cli.Result fromStdin = Cli.runWithInput(workload, withControlPlane("apply", "-f", "-"));
    assertThat(fromStdin.exitCode()).as(fromStdin.err()).isZero();
    assertThat(fromStdin.out()).isEqualTo("workloadentry/reviews-vm1 created\n");
  }

  @Test
  void aYamlErrorNamesFileAndLineAndAppliesNothing() throws IOException {
    Path bad = file("bad.yaml", ROUTES + "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\n"
        + "metadata:\n  name: broken\n spec: [\n");

    Cli.Result r = run("apply", "-f", bad.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).containsPattern("bad\\.yaml:\\d+:\\d+: error: invalid YAML");
    assertThat(r.err()).contains("nothing was applied");
    assertThat(r.out()).isEmpty();
    assertNothingApplied();
  }

  @Test
  void anUnknownKindAndABadFieldValueAreEachNamedAndNothingIsApplied() throws IOException {
    Path good = file("good.yaml", ROUTES);
    Path bad = file("bad.yaml", """
        apiVersion: networking.istio.io/v1
        kind: VirtualServce
        metadata:
          name: typo
        spec:
          hosts: [typo]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: weights
        spec:
          hosts: [ratings]
          http:
            - route:
                - destination: {host: ratings}
                  weight: -5
        """);

    Cli.Result r = run("apply", "-f", good.toString(), "-f", bad.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).containsPattern(bad + ":2:\\d+: error: kind: VirtualServce");
    assertThat(r.err()).containsPattern(bad + ":17:\\d+: error: spec\\.http\\[0]\\.route\\[0]\\.weight: -5");
    assertThat(r.err()).contains("meshwork: 2 errors; nothing was applied");
    assertNothingApplied();
  }

  @Test
  void unknownFieldsWarnButApply() throws IOException {
    Path p = file("extra.yaml", ROUTES.substring(0, ROUTES.indexOf("---")).replace("hosts: [reviews]",
        "hosts: [reviews]\n  colour: blue"));

    Cli.Result r = run("apply", "-f", p.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).containsPattern("extra\\.yaml:\\d+:\\d+: warning: spec\\.colour");
    assertThat(r.out()).isEqualTo("virtualservice/reviews created\n");
  }

  @Test
  void theSeedExampleAppliesUnchanged() throws IOException {
    Path seed = files.resolve("seed-004.yaml");
    try (InputStream in = ApplyGetDeleteCommandTest.class.getResourceAsStream("seed-004.yaml")) {
      Files.writeString(seed, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    Cli.Result r = run("apply", "-f", seed.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly(
        "istiooperator/istio-control-plane created",
        "namespace/my-app created",
        "virtualservice/product-service created",
        "destinationrule/product-service created",
        "authorizationpolicy/product-service-policy created",
        "peerauthentication/default created");
    assertThat(r.err()).contains("means nothing outside Kubernetes");
    assertThat(run("get", "ap", "-n", "my-app").out()).contains("product-service-policy");
    assertThat(run("get", "namespace", "my-app").exitCode()).isZero();
    assertThat(run("apply", "-f", seed.toString()).out()).doesNotContain("created", "configured");
  }

  @Test
  void anUnknownKindListsTheKnownOnes() {
    Cli.Result r = run("get", "routes");

    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).startsWith("meshwork: unknown kind \"routes\" (expected: one of ServiceEntry (se),")
        .contains("VirtualService (vs)", "DestinationRule (dr)");
  }

  @Test
  void anAbsentControlPlaneIsOneClearLine() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String nowhere = "https://127.0.0.1:" + port;

    Cli.Result r = Cli.run("get", "vs", "--control-plane", nowhere, "--data-dir", data.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("meshwork: cannot reach the control plane at " + nowhere
        + ": connection refused (start one with 'meshwork control-plane')\n");
  }

  private void assertNothingApplied() {
    for (String kind : new String[] {"vs", "dr", "we"}) {
      Cli.Result r = run("get", kind, "-A");
      assertThat(r.out()).as(kind).isEmpty();
    }
    assertThat(run("get", "se", "-n", "shop").out()).isEmpty();
  }
}
