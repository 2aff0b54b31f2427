package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The lease endpoint of GLOBAL rate limits over the real API (TLS): quota from the store, workloads of the namespace. */
@Timeout(30)
class RateLimitLeaseApiTest {
    private static final String POLICIES = "/apis/meshwork.io/v1alpha1/namespaces/shop/ratelimitpolicies";
    private static final String LEASES = POLICIES + "/orders-global/leases";

    @TempDir
    Path dataDir;
    private ControlPlane controlPlane;
    private ApiClient admin;

    @BeforeEach
    void start() {
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0)));
        admin = new ApiClient(controlPlane);
        assertThat(admin.post(POLICIES, policy("orders-global", "GLOBAL")).status()).isEqualTo(201);
        assertThat(admin.post(POLICIES, policy("orders-local", "LOCAL")).status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        admin.close();
        controlPlane.close();
    }

    private static String policy(String name, String scope) {
        return """
                {"apiVersion": "meshwork.io/v1alpha1", "kind": "RateLimitPolicy",
                 "metadata": {"name": "%s", "namespace": "shop"},
                 "spec": {"scope": "%s", "requestsPerUnit": 10, "unit": "MINUTE"}}
                """.formatted(name, scope);
    }

    @Test
    void aWorkloadOfTheNamespaceLeasesTokensOfTheStoredQuota() {
        ApiClient orders = admin.withToken(controlPlane.joinToken("orders", "shop", Duration.ofHours(1)));
        ApiClient.Answer first = orders.post(LEASES, "{\"key\": \"\", \"tokens\": 6}");
        assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
        assertThat(first.body().path("granted").asLong()).isEqualTo(6);
        assertThat(first.body().path("quota").asLong()).isEqualTo(10);
        assertThat(first.body().path("windowRemainingMillis").asLong()).isBetween(55_000L, 60_000L);
        // A caller asking for more than the quota gets what is left of it, never more.
        assertThat(orders.post(LEASES, "{\"key\": \"\", \"tokens\": 100}").body().path("granted").asLong())
                .isEqualTo(4);
        assertThat(orders.post(LEASES, "{\"key\": \"\", \"tokens\": 1}").body().path("granted").asLong()).isZero();
        assertThat(orders.post(LEASES, "{\"key\": \"tenant-b\", \"tokens\": 1}").body().path("granted").asLong())
                .isEqualTo(1);
    }

    @Test
    void leasesNeedAWorkloadOfThePolicysNamespaceAndAGlobalPolicy() {
        assertThat(admin.withToken(null).post(LEASES, "{\"key\": \"\", \"tokens\": 1}").status()).isEqualTo(401);
        ApiClient other = admin.withToken(controlPlane.joinToken("orders", "billing", Duration.ofHours(1)));
        ApiClient.Answer foreign = other.post(LEASES, "{\"key\": \"\", \"tokens\": 1}");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.text("/message")).contains("may not lease tokens in namespace shop");

        // A policy with a selector lends only to the workloads it applies to: no other may drain a caller's quota.
        assertThat(admin.post(POLICIES, """
                {"apiVersion": "meshwork.io/v1alpha1", "kind": "RateLimitPolicy",
                 "metadata": {"name": "products-v2", "namespace": "shop"},
                 "spec": {"scope": "GLOBAL", "requestsPerUnit": 10, "unit": "MINUTE",
                          "selector": {"matchLabels": {"app": "products", "version": "v2"}}}}
                """).status()).isEqualTo(201);
        String v2Leases = POLICIES + "/products-v2/leases";
        ApiClient orders = admin.withToken(controlPlane.joinToken("orders", "shop", Duration.ofHours(1)));
        ApiClient.Answer notSelected = orders.post(v2Leases, "{\"key\": \"\", \"tokens\": 1}");
        assertThat(notSelected.status()).as(notSelected.raw().body()).isEqualTo(403);
        assertThat(notSelected.text("/message")).contains("may not lease tokens of RateLimitPolicy shop/products-v2");
        ApiClient products = admin.withToken(controlPlane.joinToken("products", "shop", Duration.ofHours(1)));
        // app=products alone is not enough; the registration carries version=v2.
        assertThat(products.post(v2Leases, "{\"key\": \"\", \"tokens\": 1}").status()).isEqualTo(403);
        ApiClient.Answer registered = products.post("/apis/meshwork.io/v1alpha1/namespaces/shop/registrations", """
                {"service": "products", "address": "127.0.0.1", "port": 8080, "labels": {"version": "v2"}, "ttlSeconds": 60}
                """);
        assertThat(registered.status()).as(registered.raw().body()).isIn(200, 201);
        ApiClient.Answer selected = products.post(v2Leases, "{\"key\": \"\", \"tokens\": 1}");
        assertThat(selected.status()).as(selected.raw().body()).isEqualTo(200);
        assertThat(selected.body().path("granted").asLong()).isEqualTo(1);

        assertThat(admin.post(POLICIES + "/orders-local/leases", "{\"key\": \"\", \"tokens\": 1}").text("/message"))
                .isEqualTo("RateLimitPolicy shop/orders-local has scope LOCAL (expected: GLOBAL to lease tokens)");
        assertThat(admin.post(POLICIES + "/missing/leases", "{\"key\": \"\", \"tokens\": 1}").status())
                .isEqualTo(404);
        ApiClient.Answer invalid = admin.post(LEASES, "{\"key\": \"\", \"tokens\": 0}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.text("/message")).isEqualTo("lease is invalid: tokens: 0 (expected: an integer > 0)");
        assertThat(admin.send("GET", LEASES, null, null).status()).isEqualTo(405);
    }
}
