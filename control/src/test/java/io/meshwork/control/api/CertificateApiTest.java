package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.ca.TestCsrs;
import io.meshwork.control.store.MutableClock;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA over HTTPS: join tokens, CSRs, renewal over mutual TLS, the trust bundle and root rotation. */
class CertificateApiTest {

    private static final String BASE = "/apis/meshwork.io/v1alpha1";
    private static final String ORDERS = "spiffe://cluster.local/ns/shop/sa/orders";

    @TempDir
    Path dataDir;

    // Real time, so the JDK client accepts the server certificate; the test moves it forward by minutes only.
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private ControlPlane controlPlane;
    private ApiClient admin;

    @BeforeEach
    void start() {
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withClock(clock, Duration.ofMillis(500)).withRootActivationDelay(Duration.ofMinutes(2)));
        admin = new ApiClient(controlPlane);
    }

    @AfterEach
    void stop() {
        admin.close();
        controlPlane.close();
    }

    private String joinToken(String service, String namespace) {
        ApiClient.Answer made = admin.post(BASE + "/tokens",
                "{\"service\": \"" + service + "\", \"namespace\": \"" + namespace + "\", \"ttl\": \"1h\"}");
        assertThat(made.status()).isEqualTo(201);
        return made.text("/token");
    }

    private static String csrBody(KeyPair keys, String... uris) throws Exception {
        return ApiClient.JSON.createObjectNode().put("csr", TestCsrs.csr(keys, "CN=ignored", uris)).toString();
    }

    @Test
    void aJoinTokenBuysAnSvidThatVerifiesAgainstTheTrustBundle() throws Exception {
        ApiClient.Answer made = admin.post(BASE + "/tokens", "{\"service\": \"orders\", \"namespace\": \"shop\"}");
        assertThat(made.status()).isEqualTo(201);
        assertThat(made.text("/identity")).isEqualTo(ORDERS);
        assertThat(Instant.parse(made.text("/expiresAt"))).isEqualTo(clock.instant().plus(Duration.ofHours(24)));

        KeyPair keys = TestCsrs.ec("secp256r1");
        ApiClient.Answer issued = admin.withToken(made.text("/token")).post(BASE + "/certificates",
                csrBody(keys, ORDERS));

        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.text("/identity")).isEqualTo(ORDERS);
        X509Certificate leaf = certificates(issued.text("/certificateChain")).get(0);
        List<X509Certificate> bundle = certificates(issued.text("/trustBundle"));
        assertThat(bundle).isEqualTo(certificates(Files.readString(controlPlane.trustBundleFile())));
        assertThat(pkix(leaf, bundle)).isTrue();
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(uriSans(leaf)).containsExactly(ORDERS);
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(Instant.parse(issued.text("/notAfter"))).isEqualTo(leaf.getNotAfter().toInstant())
                .isEqualTo(clock.instant().plus(Duration.ofHours(24)));
    }

    @Test
    void noTokenIs401AForeignIdentityIs403AndABrokenCsrIs400() throws Exception {
        ApiClient anonymous = admin.withToken(null);
        ApiClient.Answer none = anonymous.post(BASE + "/certificates", csrBody(TestCsrs.ec("secp256r1"), ORDERS));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.raw().headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"meshwork\"");
        assertThat(none.text("/message")).contains("meshwork token create");

        ApiClient forged = admin.withToken("mwjt1.Zm9v.YmFy");
        assertThat(forged.post(BASE + "/certificates", csrBody(TestCsrs.ec("secp256r1"))).status()).isEqualTo(401);

        ApiClient cart = admin.withToken(joinToken("cart", "shop"));
        ApiClient.Answer mismatch = cart.post(BASE + "/certificates", csrBody(TestCsrs.ec("secp256r1"), ORDERS));
        assertThat(mismatch.status()).isEqualTo(403);
        assertThat(mismatch.text("/message")).contains("spiffe://cluster.local/ns/shop/sa/cart");

        assertThat(cart.post(BASE + "/certificates", "{\"csr\": \"not a csr\"}").status()).isEqualTo(400);
        assertThat(cart.post(BASE + "/certificates", "{\"ttl\": \"1h\"}").status()).isEqualTo(400);
        assertThat(cart.post(BASE + "/certificates", "{\"csr\": " + ApiClient.JSON.writeValueAsString(
                TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x")) + ", \"ttl\": \"forever\"}").status()).isEqualTo(400);
        // The admin token names no workload.
        assertThat(admin.post(BASE + "/certificates", csrBody(TestCsrs.ec("secp256r1"))).status()).isEqualTo(403);
    }

    @Test
    void aWorkloadRenewsWithItsCertificateOverMutualTls() throws Exception {
        KeyPair keys = TestCsrs.ec("secp256r1");
        ApiClient.Answer first = admin.withToken(joinToken("orders", "shop")).post(BASE + "/certificates",
                csrBody(keys, ORDERS));
        X509Certificate leaf = certificates(first.text("/certificateChain")).get(0);

        var mtls = ApiClient.httpClient(TlsClients.context(controlPlane.trustBundleFile(), keys.getPrivate(),
                new X509Certificate[] {leaf}));
        KeyPair next = TestCsrs.ec("secp256r1");
        HttpResponse<String> renewed = mtls.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + BASE
                        + "/certificates")).POST(HttpRequest.BodyPublishers.ofString(csrBody(next, ORDERS)))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(201);
        JsonNode body = ApiClient.JSON.readTree(renewed.body());
        assertThat(body.path("identity").asText()).isEqualTo(ORDERS);
        assertThat(certificates(body.path("certificateChain").asText()).get(0).getPublicKey())
                .isEqualTo(next.getPublic());

        // The certificate proves orders, and only orders.
        HttpResponse<String> other = mtls.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + BASE
                        + "/certificates")).POST(HttpRequest.BodyPublishers.ofString(
                                csrBody(TestCsrs.ec("secp256r1"), "spiffe://cluster.local/ns/shop/sa/cart")))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(403);
        // It is also a read credential.
        HttpResponse<String> read = mtls.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + BASE
                + "/snapshot")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        mtls.shutdownNow();
    }

    @Test
    void theServerCertificateNamesTheControlPlaneAndVerifiesByLocalhostToo() throws Exception {
        var client = ApiClient.httpClient(TlsClients.trusting(controlPlane.trustBundleFile()));
        HttpResponse<String> byName = client.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + controlPlane.port() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(byName.statusCode()).isEqualTo(200);
        X509Certificate served = (X509Certificate) byName.sslSession().orElseThrow().getPeerCertificates()[0];
        assertThat(uriSans(served)).containsExactly("spiffe://cluster.local/ns/meshwork-system/sa/control-plane");
        assertThat(served.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                .contains("localhost", "127.0.0.1");
        client.shutdownNow();

        // A client that does not trust ca.pem refuses the server.
        var stranger = ApiClient.httpClient(null);
        try {
            stranger.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("an untrusted server certificate was accepted");
        } catch (javax.net.ssl.SSLHandshakeException expected) {
            assertThat(expected).hasMessageContaining("PKIX");
        } finally {
            stranger.shutdownNow();
        }
    }

    @Test
    void aRotationPublishesTheNewRootBeforeItSignsAndOldLeavesStayValid() throws Exception {
        String token = joinToken("orders", "shop");
        ApiClient orders = admin.withToken(token);
        X509Certificate oldLeaf = certificates(orders.post(BASE + "/certificates",
                csrBody(TestCsrs.ec("secp256r1"))).text("/certificateChain")).get(0);
        ApiClient.Answer before = admin.withToken(null).get(BASE + "/trustbundle");
        assertThat(before.body().path("roots")).hasSize(1);
        String etag = before.raw().headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"" + before.text("/version") + "\"");
        HttpResponse<String> unchanged = ApiClient.httpClient(TlsClients.trusting(controlPlane.trustBundleFile()))
                .send(HttpRequest.newBuilder(URI.create(controlPlane.url() + BASE + "/trustbundle"))
                        .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();

        assertThat(orders.post(BASE + "/ca/rotate", "{}").status()).isEqualTo(403);
        ApiClient.Answer rotated = admin.post(BASE + "/ca/rotate", "{}");
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(Instant.parse(rotated.text("/activatesAt"))).isEqualTo(clock.instant().plus(Duration.ofMinutes(2)));

        // Phase one: the bundle (API and ca.pem) trusts both roots; leaves still come from the old one.
        ApiClient.Answer published = admin.withToken(null).send("GET", BASE + "/trustbundle", null, null);
        assertThat(published.raw().headers().firstValue("ETag")).isNotEqualTo(java.util.Optional.of(etag));
        assertThat(published.body().path("roots")).hasSize(2);
        assertThat(published.text("/version")).isNotEqualTo(before.text("/version"));
        assertThat(Long.parseLong(published.text("/resourceVersion")))
                .isGreaterThan(Long.parseLong(before.text("/resourceVersion")));
        List<X509Certificate> bundle = certificates(published.text("/trustBundle"));
        assertThat(certificates(Files.readString(controlPlane.trustBundleFile()))).isEqualTo(bundle);
        X509Certificate duringStaging = certificates(orders.post(BASE + "/certificates",
                csrBody(TestCsrs.ec("secp256r1"))).text("/certificateChain")).get(0);
        assertThat(duringStaging.getIssuerX500Principal()).isEqualTo(oldLeaf.getIssuerX500Principal());
        duringStaging.verify(bundle.get(0).getPublicKey());

        // Phase two: once due, the new root signs; leaves of the old one still verify under the new bundle.
        clock.advance(Duration.ofMinutes(2));
        controlPlane.maintainCa();
        X509Certificate afterActivation = certificates(orders.post(BASE + "/certificates",
                csrBody(TestCsrs.ec("secp256r1"))).text("/certificateChain")).get(0);
        List<X509Certificate> after = certificates(Files.readString(controlPlane.trustBundleFile()));
        assertThat(after).containsExactlyInAnyOrderElementsOf(bundle);
        afterActivation.verify(bundle.get(1).getPublicKey());
        assertThat(pkix(oldLeaf, after)).isTrue();
        assertThat(pkix(duringStaging, after)).isTrue();
        assertThat(pkix(afterActivation, after)).isTrue();
        assertThat(pkix(afterActivation, List.of(bundle.get(0)))).isFalse();
        // The API still answers over TLS with the certificate the old root signed.
        assertThat(admin.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void restartKeepsTheRootAndTheAdminToken() throws Exception {
        String bundle = Files.readString(controlPlane.trustBundleFile());
        String token = ApiClient.adminToken(controlPlane);
        String joinToken = joinToken("orders", "shop");
        admin.close();
        controlPlane.close();

        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withClock(clock, Duration.ofMillis(500)));
        admin = new ApiClient(controlPlane);
        assertThat(Files.readString(controlPlane.trustBundleFile())).isEqualTo(bundle);
        assertThat(ApiClient.adminToken(controlPlane)).isEqualTo(token);
        assertThat(admin.post(BASE + "/tokens", "{\"service\": \"cart\"}").status()).isEqualTo(201);
        // Join tokens made before the restart still verify: the HMAC key lives in the store too.
        assertThat(admin.withToken(joinToken).post(BASE + "/certificates", csrBody(TestCsrs.ec("secp256r1")))
                .status()).isEqualTo(201);
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(X509Certificate.class::cast).toList();
    }

    static List<String> uriSans(X509Certificate certificate) throws Exception {
        GeneralNames names = GeneralNames.fromExtensions(
                new JcaX509CertificateHolder(certificate).getExtensions(), Extension.subjectAlternativeName);
        return java.util.Arrays.stream(names.getNames())
                .filter(n -> n.getTagNo() == GeneralName.uniformResourceIdentifier)
                .map(n -> n.getName().toString()).toList();
    }

    private boolean pkix(X509Certificate leaf, List<X509Certificate> roots) throws Exception {
        Set<TrustAnchor> anchors = roots.stream().map(r -> new TrustAnchor(r, null)).collect(Collectors.toSet());
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(clock.instant()));
        try {
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
            return true;
        } catch (CertPathValidatorException e) {
            return false;
        }
    }
}
