package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.net.InetSocketAddress;
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
        ControlPlaneSettings settings = new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0));
        String rv;
        long revision;
        try (ControlPlane first = ControlPlane.start(settings); ApiClient api = new ApiClient(first.port())) {
            api.post(VS, Manifests.virtualService("orders", "orders"));
            rv = api.post(VS, Manifests.virtualService("cart", "cart")).text("/metadata/resourceVersion");
            api.delete(VS + "/orders");
            revision = first.store().currentRevision();
        }
        try (ControlPlane second = ControlPlane.start(settings); ApiClient api = new ApiClient(second.port())) {
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
        try (ControlPlane cp = ControlPlane.start(settings); ApiClient api = new ApiClient(cp.port())) {
            for (int i = 0; i < 5; i++) {
                api.post(VS, Manifests.virtualService("vs" + i, "h" + i));
            }
            assertThat(cp.compactHistory()).isEqualTo(3);
            assertThat(api.get(VS + "?watch=true&resourceVersion=2").status()).isEqualTo(410);
            try (ApiClient.WatchLines w = api.watch(VS + "?watch=true&resourceVersion=3")) {
                assertThat(w.status).isEqualTo(200);
            }
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
}
