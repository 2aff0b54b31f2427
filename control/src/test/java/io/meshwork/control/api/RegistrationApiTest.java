package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.store.MutableClock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RegistrationApiTest {

    private static final String REGISTRATIONS = "/apis/meshwork.io/v1alpha1/namespaces/shop/registrations";
    private static final String ENTRIES = "/apis/networking.istio.io/v1/namespaces/shop/workloadentries";

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T10:00:00Z"));
    private ControlPlane controlPlane;
    private ApiClient api;

    @BeforeEach
    void start() {
        // Plaintext: the CA measures certificates by the same simulated clock as leases, while the JDK client
        // checks the server's certificate against the real time. This keeps the development path covered too.
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withClock(clock, Duration.ofMillis(20)).withTls(false));
        api = new ApiClient(controlPlane);
    }

    @AfterEach
    void stop() {
        api.close();
        controlPlane.close();
    }

    private ApiClient.Answer register(String address, int port, int ttl) {
        return api.post(REGISTRATIONS, """
                {"service": "orders", "address": "%s", "port": %d, "labels": {"version": "v1"}, "ttlSeconds": %d}
                """.formatted(address, port, ttl));
    }

    @Test
    void registrationCreatesAWorkloadEntryThatARepeatUpdates() {
        ApiClient.Answer first = register("10.0.0.7", 8080, 30);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text("/name")).isEqualTo("orders-10-0-0-7-8080");
        assertThat(first.body().path("ttlSeconds").asLong()).isEqualTo(30);
        assertThat(Long.parseLong(first.text("/leaseId"))).isPositive();

        JsonNode entry = api.get(ENTRIES + "/orders-10-0-0-7-8080").body();
        assertThat(entry.at("/spec/address").asText()).isEqualTo("10.0.0.7");
        assertThat(entry.at("/spec/ports/http").asInt()).isEqualTo(8080);
        assertThat(entry.at("/spec/labels/app").asText()).isEqualTo("orders");
        assertThat(entry.at("/spec/labels/version").asText()).isEqualTo("v1");
        assertThat(entry.at("/metadata/labels/app").asText()).isEqualTo("orders");

        ApiClient.Answer again = register("10.0.0.7", 8080, 60);
        assertThat(again.text("/name")).isEqualTo(first.text("/name"));
        assertThat(again.text("/leaseId")).isNotEqualTo(first.text("/leaseId"));
        assertThat(api.get(ENTRIES).body().at("/items").size()).as("an update, not a duplicate").isEqualTo(1);
    }

    @Test
    void missedKeepAlivesRemoveTheEntryAndWatchersSeeIt() throws Exception {
        String name = register("10.0.0.8", 9090, 10).text("/name");
        long rv = controlPlane.store().currentRevision();
        try (ApiClient.WatchLines w = api.watch(ENTRIES + "?watch=true&resourceVersion=" + rv)) {
            clock.advance(Duration.ofSeconds(8));
            ApiClient.Answer renewed = api.put(REGISTRATIONS + "/" + name + "/keepalive", null);
            assertThat(renewed.status()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(8));
            assertThat(api.get(ENTRIES + "/" + name).status()).as("renewed 8 s ago, ttl 10 s").isEqualTo(200);

            clock.advance(Duration.ofSeconds(3));
            JsonNode deleted = w.nextChange();
            assertThat(deleted.path("type").asText()).isEqualTo("DELETED");
            assertThat(deleted.at("/object/metadata/name").asText()).isEqualTo(name);
        }
        assertThat(api.get(ENTRIES + "/" + name).status()).isEqualTo(404);
        assertThat(api.put(REGISTRATIONS + "/" + name + "/keepalive", null).status()).isEqualTo(404);
    }

    @Test
    void deregistrationRemovesTheEntryAtOnce() {
        String name = register("10.0.0.9", 7070, 30).text("/name");
        assertThat(api.delete(REGISTRATIONS + "/" + name).status()).isEqualTo(200);
        assertThat(api.get(ENTRIES + "/" + name).status()).isEqualTo(404);
        assertThat(api.delete(REGISTRATIONS + "/" + name).status()).isEqualTo(404);
    }

    @Test
    void invalidRegistrationsAreRejectedWithTheField() {
        ApiClient.Answer badTtl = register("10.0.0.1", 80, 0);
        assertThat(badTtl.status()).isEqualTo(422);
        assertThat(badTtl.body().at("/details/causes/0/field").asText()).isEqualTo("ttlSeconds");
        assertThat(badTtl.body().at("/details/causes/0/message").asText()).isEqualTo("ttlSeconds: 0 (expected: 1..3600)");

        ApiClient.Answer badPort = register("10.0.0.1", 70000, 10);
        assertThat(badPort.status()).isEqualTo(422);
        assertThat(badPort.body().at("/details/causes/0/field").asText()).isEqualTo("ports.http");

        ApiClient.Answer noService = api.post(REGISTRATIONS, "{\"address\": \"10.0.0.1\", \"port\": 80}");
        assertThat(noService.status()).isEqualTo(422);
        assertThat(noService.body().at("/details/causes/0/field").asText()).isEqualTo("service");
    }
}
