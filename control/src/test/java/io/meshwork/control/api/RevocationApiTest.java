package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.ca.TestCsrs;
import io.meshwork.control.store.MutableClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials end: join tokens are listed and revoked, live at most the control plane's maximum, a revoked identity
 * renews and enrols no more with its old credentials, and the admin token is rotated.
 */
class RevocationApiTest {

    private static final String BASE = "/apis/meshwork.io/v1alpha1";
    private static final String ORDERS = "spiffe://cluster.local/ns/shop/sa/orders";

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private ControlPlane controlPlane;
    private ApiClient admin;

    @BeforeEach
    void start() {
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withClock(clock, Duration.ofMillis(500)).withMaxTokenTtl(Duration.ofHours(48)));
        admin = new ApiClient(controlPlane);
    }

    @AfterEach
    void stop() {
        admin.close();
        controlPlane.close();
    }

    private ApiClient.Answer createToken(String service, String ttl) {
        return admin.post(BASE + "/tokens", "{\"service\": \"" + service + "\", \"namespace\": \"shop\""
                + (ttl == null ? "" : ", \"ttl\": \"" + ttl + "\"") + "}");
    }

    private static String csrBody(KeyPair keys) throws Exception {
        return ApiClient.JSON.createObjectNode().put("csr", TestCsrs.csr(keys, "CN=ignored")).toString();
    }

    @Test
    void tokensAreListedWithoutTheirSecretAndARevokedOneEnrolsNobody() throws Exception {
        String orders = createToken("orders", "1h").text("/token");
        String cart = createToken("cart", null).text("/token");

        ApiClient.Answer list = admin.get(BASE + "/tokens");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.raw().body()).doesNotContain(orders.substring(orders.lastIndexOf('.') + 1))
                .doesNotContain(cart.substring(cart.lastIndexOf('.') + 1));
        JsonNode items = list.body().path("items");
        assertThat(items).hasSize(2);
        JsonNode ordersItem = items.get(0).path("service").asText().equals("orders") ? items.get(0) : items.get(1);
        assertThat(ordersItem.path("namespace").asText()).isEqualTo("shop");
        assertThat(ordersItem.path("identity").asText()).isEqualTo(ORDERS);
        assertThat(ordersItem.path("status").asText()).isEqualTo("active");
        assertThat(Instant.parse(ordersItem.path("createdAt").asText())).isEqualTo(clock.instant());
        assertThat(Instant.parse(ordersItem.path("expiresAt").asText())).isEqualTo(clock.instant().plusSeconds(3600));
        String id = ordersItem.path("id").asText();
        assertThat(id).matches("[0-9a-f]{24}");
        assertThat(admin.withToken(orders).get(BASE + "/tokens").status()).as("admin only").isEqualTo(403);

        ApiClient.Answer revoked = admin.delete(BASE + "/tokens/" + id);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.text("/status")).isEqualTo("revoked");
        ApiClient.Answer refused = admin.withToken(orders).post(BASE + "/certificates",
                csrBody(TestCsrs.ec("secp256r1")));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("/message")).isEqualTo("token " + id + ": revoked at " + clock.instant());
        assertThat(admin.withToken(orders).get(BASE + "/snapshot").status()).isEqualTo(401);
        assertThat(admin.withToken(cart).post(BASE + "/certificates", csrBody(TestCsrs.ec("secp256r1"))).status())
                .as("the other token still works").isEqualTo(201);
        assertThat(admin.delete(BASE + "/tokens/0123456789abcdef01234567").status()).isEqualTo(404);
        assertThat(admin.delete(BASE + "/tokens/not-an-id").status()).isEqualTo(400);

    }

    @Test
    void aTokenLongerThanTheMaximumIsRefusedNamingIt() {
        ApiClient.Answer tooLong = createToken("orders", "49h");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.text("/message")).isEqualTo("ttl: 49h is longer than the control plane's maximum token"
                + " lifetime, 48h (--max-token-ttl)");
        assertThat(createToken("orders", "48h").status()).isEqualTo(201);
    }

    @Test
    void theDefaultMaximumIsThirtyDays() throws Exception {
        controlPlane.close();
        try (ControlPlane cp = ControlPlane.start(new ControlPlaneSettings(dataDir,
                new InetSocketAddress("127.0.0.1", 0))); ApiClient api = new ApiClient(cp)) {
            assertThat(api.post(BASE + "/tokens", "{\"service\": \"orders\", \"ttl\": \"8784h\"}").text("/message"))
                    .isEqualTo("ttl: 8784h is longer than the control plane's maximum token lifetime, 720h"
                            + " (--max-token-ttl)");
            assertThat(api.post(BASE + "/tokens", "{\"service\": \"orders\", \"ttl\": \"720h\"}").status())
                    .isEqualTo(201);
        }
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
        admin.close();
        admin = new ApiClient(controlPlane);
    }

    @Test
    void aRevokedIdentityNoLongerRenewsOrEnrolsWithOldCredentialsButANewTokenWorks() throws Exception {
        String oldToken = createToken("orders", "1h").text("/token");
        KeyPair keys = TestCsrs.ec("secp256r1");
        X509Certificate oldLeaf = CertificateApiTest.certificates(admin.withToken(oldToken)
                .post(BASE + "/certificates", csrBody(keys)).text("/certificateChain")).get(0);
        HttpClient oldMtls = ApiClient.httpClient(TlsClients.context(controlPlane.trustBundleFile(), keys.getPrivate(),
                new X509Certificate[] {oldLeaf}));
        assertThat(renew(oldMtls).statusCode()).as("renewal works before").isEqualTo(201);

        ApiClient.Answer revoked = admin.post(BASE + "/revokedidentities", "{\"identity\": \"" + ORDERS + "\"}");
        assertThat(revoked.status()).isEqualTo(200);
        Instant cutoff = clock.instant().plusSeconds(1);
        assertThat(Instant.parse(revoked.text("/revokedAt"))).isEqualTo(cutoff);
        assertThat(admin.get(BASE + "/revokedidentities").body().path("items").get(0).path("identity").asText())
                .isEqualTo(ORDERS);

        HttpResponse<String> renewal = renew(oldMtls);
        assertThat(renewal.statusCode()).isEqualTo(403);
        assertThat(ApiClient.JSON.readTree(renewal.body()).path("message").asText())
                .startsWith("client certificate: " + ORDERS + " was revoked at " + cutoff);
        assertThat(oldMtls.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + BASE + "/snapshot")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("no reads either").isEqualTo(403);
        ApiClient.Answer enrol = admin.withToken(oldToken).post(BASE + "/certificates", csrBody(keys));
        assertThat(enrol.status()).isEqualTo(403);
        assertThat(enrol.text("/message")).contains("identity " + ORDERS + " was revoked at");
        oldMtls.shutdownNow();

        // The real workload gets a fresh token; what it is issued now renews.
        clock.advance(Duration.ofSeconds(1));
        String fresh = createToken("orders", "1h").text("/token");
        KeyPair newKeys = TestCsrs.ec("secp256r1");
        ApiClient.Answer issued = admin.withToken(fresh).post(BASE + "/certificates", csrBody(newKeys));
        assertThat(issued.status()).isEqualTo(201);
        X509Certificate newLeaf = CertificateApiTest.certificates(issued.text("/certificateChain")).get(0);
        assertThat(newLeaf.getNotBefore().toInstant()).as("backdated to the cut-off, no earlier").isEqualTo(cutoff);
        HttpClient newMtls = ApiClient.httpClient(TlsClients.context(controlPlane.trustBundleFile(),
                newKeys.getPrivate(), new X509Certificate[] {newLeaf}));
        assertThat(renew(newMtls).statusCode()).isEqualTo(201);
        newMtls.shutdownNow();

        assertThat(admin.post(BASE + "/revokedidentities", "{\"identity\": \"spiffe://other.org/ns/a/sa/b\"}")
                .status()).isEqualTo(400);
        // A restart keeps the revocation.
        controlPlane.close();
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withClock(clock, Duration.ofMillis(500)));
        admin.close();
        admin = new ApiClient(controlPlane);
        assertThat(admin.withToken(oldToken).post(BASE + "/certificates", csrBody(keys)).status()).isEqualTo(403);
    }

    @Test
    void theAdminTokenRotatesAndTheOldOneStopsWorking() throws Exception {
        String old = ApiClient.adminToken(controlPlane);
        ApiClient.Answer rotated = admin.post(BASE + "/admintoken/rotate", "");
        assertThat(rotated.status()).isEqualTo(200);
        String fresh = rotated.text("/token");
        assertThat(fresh).startsWith("mwat1.").isNotEqualTo(old);
        Path file = controlPlane.adminTokenFile();
        assertThat(Files.readString(file).strip()).isEqualTo(fresh);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        assertThat(admin.post(BASE + "/tokens", "{\"service\": \"orders\"}").status()).isEqualTo(403);
        assertThat(admin.withToken(fresh).post(BASE + "/tokens", "{\"service\": \"orders\"}").status())
                .isEqualTo(201);
        String join = admin.withToken(fresh).post(BASE + "/tokens", "{\"service\": \"x\"}").text("/token");
        assertThat(admin.withToken(join).post(BASE + "/admintoken/rotate", "").status()).as("workloads may not")
                .isEqualTo(403);

        controlPlane.close();
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
        admin.close();
        admin = new ApiClient(controlPlane);
        assertThat(ApiClient.adminToken(controlPlane)).as("kept across a restart").isEqualTo(fresh);
        assertThat(admin.post(BASE + "/tokens", "{\"service\": \"orders\"}").status()).isEqualTo(201);
    }

    private HttpResponse<String> renew(HttpClient mtls) throws Exception {
        return mtls.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + BASE + "/certificates"))
                .POST(HttpRequest.BodyPublishers.ofString(csrBody(TestCsrs.ec("secp256r1"))))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }
}
