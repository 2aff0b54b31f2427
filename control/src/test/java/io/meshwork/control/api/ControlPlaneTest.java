package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.net.InetSocketAddress;
import io.meshwork.control.ca.TestCsrs;
import java.nio.file.Files;
import java.nio.file.Path;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {

    private static final String VS = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices";

    @TempDir
    Path dataDir;

    @Test
    void restartedControlPlaneKeepsResourcesAndRevisions() throws Exception {
        // A clock that stands still: the API certificate a restart issues then expires exactly when the last one
        // did, so the CA has no new expiry to record and the revision stays put.
        ControlPlaneSettings settings = new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withClock(new io.meshwork.control.store.MutableClock(java.time.Instant.now()),
                        ControlPlaneSettings.DEFAULT_LEASE_CHECK_INTERVAL);
        String rv;
        long revision;
        try (ControlPlane first = ControlPlane.start(settings); ApiClient api = new ApiClient(first)) {
            api.post(VS, Manifests.virtualService("orders", "orders"));
            rv = api.post(VS, Manifests.virtualService("cart", "cart")).text("/metadata/resourceVersion");
            api.delete(VS + "/orders");
            revision = first.store().currentRevision();
        }
        try (ControlPlane second = ControlPlane.start(settings); ApiClient api = new ApiClient(second)) {
            assertThat(second.store().currentRevision()).isEqualTo(revision);
            ApiClient.Answer cart = api.get(VS + "/cart");
            assertThat(cart.status()).isEqualTo(200);
            assertThat(cart.text("/metadata/resourceVersion")).isEqualTo(rv);
            assertThat(api.get(VS + "/orders").status()).isEqualTo(404);
            assertThat(api.get(VS).text("/metadata/resourceVersion")).isEqualTo(Long.toString(revision));

            // A client that saw revision rv before the restart resumes and gets the delete it missed.
            try (ApiClient.WatchLines w = api.watch(VS + "?watch=true&resourceVersion=" + rv)) {
                var deleted = w.nextChange();
                assertThat(deleted.path("type").asText()).isEqualTo("DELETED");
                assertThat(deleted.at("/object/metadata/name").asText()).isEqualTo("orders");
            }
            assertThat(Long.parseLong(api.post(VS, Manifests.virtualService("new", "new"))
                    .text("/metadata/resourceVersion"))).isEqualTo(revision + 1);
        }
    }

    @Test
    void historyBeyondTheRetainedRevisionsIsCompacted() {
        ControlPlaneSettings settings = new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withHistoryRevisions(2);
        try (ControlPlane cp = ControlPlane.start(settings); ApiClient api = new ApiClient(cp)) {
            // The CA's first start wrote its own keys; history counts from there.
            long start = cp.store().currentRevision();
            for (int i = 0; i < 5; i++) {
                api.post(VS, Manifests.virtualService("vs" + i, "h" + i));
            }
            assertThat(cp.compactHistory()).isEqualTo(start + 3);
            assertThat(api.get(VS + "?watch=true&resourceVersion=" + (start + 2)).status()).isEqualTo(410);
            try (ApiClient.WatchLines w = api.watch(VS + "?watch=true&resourceVersion=" + (start + 3))) {
                assertThat(w.status).isEqualTo(200);
            }
        }
    }

    @Test
    void anOperatorSuppliedRootSignsInTheConfiguredTrustDomain() throws Exception {
        Path first = dataDir.resolve("first");
        String rootCert;
        try (ControlPlane generated = ControlPlane.start(new ControlPlaneSettings(first,
                new InetSocketAddress("127.0.0.1", 0)).withTrustDomain("example.org"))) {
            rootCert = generated.store().get("/meshwork/ca/root-cert.pem").orElseThrow().valueAsString();
            Files.writeString(dataDir.resolve("root.pem"), rootCert);
            Files.writeString(dataDir.resolve("root-key.pem"),
                    generated.store().get("/meshwork/ca/root-key.pem").orElseThrow().valueAsString());
        }
        ControlPlaneSettings imported = new ControlPlaneSettings(dataDir.resolve("second"),
                new InetSocketAddress("127.0.0.1", 0)).withTrustDomain("example.org")
                .withCaFiles(dataDir.resolve("root.pem"), dataDir.resolve("root-key.pem"));
        try (ControlPlane cp = ControlPlane.start(imported); ApiClient api = new ApiClient(cp)) {
            assertThat(Files.readString(cp.trustBundleFile())).isEqualTo(rootCert);
            String token = api.post("/apis/meshwork.io/v1alpha1/tokens", "{\"service\": \"orders\"}").text("/token");
            ApiClient.Answer issued = api.withToken(token).post("/apis/meshwork.io/v1alpha1/certificates",
                    ApiClient.JSON.createObjectNode().put("csr", TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x"))
                            .toString());
            assertThat(issued.status()).isEqualTo(201);
            assertThat(issued.text("/identity")).isEqualTo("spiffe://example.org/ns/default/sa/orders");
            CertificateApiTest.certificates(issued.text("/certificateChain")).get(0)
                    .verify(CertificateApiTest.certificates(rootCert).get(0).getPublicKey());
        }
    }

    @Test
    void aMissingRootFileOrHalfAPairFailsAtStart() {
        ControlPlaneSettings settings = new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0));
        assertThatThrownBy(() -> settings.withCaFiles(dataDir.resolve("root.pem"), null))
                .hasMessageStartingWith("caKeyFile: null with caCertFile: ");
        assertThatThrownBy(() -> ControlPlane.start(settings.withCaFiles(dataDir.resolve("absent.pem"),
                dataDir.resolve("absent-key.pem"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("caCertFile: " + dataDir.resolve("absent.pem"));
        assertThatThrownBy(() -> settings.withTrustDomain("Not A Domain"))
                .hasMessage("trustDomain: Not A Domain (expected: a trust domain such as cluster.local)");
    }

    @Test
    void aDeletedAdminTokenFileIsReplacedByANewTokenAtStart() throws Exception {
        ControlPlaneSettings settings = new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0));
        String old;
        try (ControlPlane cp = ControlPlane.start(settings)) {
            old = ApiClient.adminToken(cp);
        }
        Files.delete(dataDir.resolve("admin-token"));
        try (ControlPlane cp = ControlPlane.start(settings); ApiClient api = new ApiClient(cp)) {
            assertThat(ApiClient.adminToken(cp)).isNotEqualTo(old);
            assertThat(api.post(VS, Manifests.virtualService("orders", "orders")).status()).isEqualTo(201);
            assertThat(api.withToken(old).post(VS, Manifests.virtualService("cart", "cart")).status()).isEqualTo(403);
        }
    }

    @Test
    void anAddressInUseFailsWithTheAddress() {
        try (ControlPlane first = ControlPlane.start(
                new ControlPlaneSettings(dataDir.resolve("a"), new InetSocketAddress("127.0.0.1", 0)))) {
            InetSocketAddress taken = new InetSocketAddress("127.0.0.1", first.port());
            assertThatThrownBy(() -> ControlPlane.start(new ControlPlaneSettings(dataDir.resolve("b"), taken)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("listen: " + taken);
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        ControlPlane cp = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
        cp.close();
        cp.close();
    }
}
