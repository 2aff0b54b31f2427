package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class WatchApiTest {

    private static final String VS = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices";
    private static final String DR = "/apis/networking.istio.io/v1/namespaces/shop/destinationrules";

    @TempDir
    Path dataDir;

    private ControlPlane controlPlane;
    private ApiClient api;

    @BeforeEach
    void start() {
        controlPlane = ControlPlane.start(new ControlPlaneSettings(dataDir, new InetSocketAddress("127.0.0.1", 0))
                .withBookmarkInterval(Duration.ofMillis(200)));
        api = new ApiClient(controlPlane);
    }

    @AfterEach
    void stop() {
        api.close();
        controlPlane.close();
    }

    private static long rv(ApiClient.Answer a) {
        return Long.parseLong(a.text("/metadata/resourceVersion"));
    }

    @Test
    void watchFromARevisionReceivesExactlyTheLaterEvents() throws Exception {
        long afterA = rv(api.post(VS, Manifests.virtualService("a", "a")));
        long afterB = rv(api.post(VS, Manifests.virtualService("b", "b")));
        JsonNode a = api.get(VS + "/a").body();
        api.put(VS + "/a", a.toString().replace("\"hosts\":[\"a\"]", "\"hosts\":[\"a.shop\"]"));
        api.post(DR, Manifests.destinationRule("other-kind", "a"));
        api.delete(VS + "/b");

        try (ApiClient.WatchLines w = api.watch(VS + "?watch=true&resourceVersion=" + afterA)) {
            assertThat(w.status).isEqualTo(200);
            JsonNode added = w.nextChange();
            assertThat(added.path("type").asText()).isEqualTo("ADDED");
            assertThat(added.at("/object/metadata/name").asText()).isEqualTo("b");
            assertThat(added.at("/object/metadata/resourceVersion").asLong()).isEqualTo(afterB);
            JsonNode modified = w.nextChange();
            assertThat(modified.path("type").asText()).isEqualTo("MODIFIED");
            assertThat(modified.at("/object/spec/hosts/0").asText()).isEqualTo("a.shop");
            JsonNode deleted = w.nextChange();
            assertThat(deleted.path("type").asText()).isEqualTo("DELETED");
            assertThat(deleted.at("/object/metadata/name").asText()).isEqualTo("b");
            long deletedAt = deleted.at("/object/metadata/resourceVersion").asLong();

            // Then live; a bookmark proves nothing else was queued before it.
            api.post(VS, Manifests.virtualService("c", "c"));
            JsonNode live = w.nextChange();
            assertThat(live.at("/object/metadata/name").asText()).isEqualTo("c");
            assertThat(live.at("/object/apiVersion").asText()).isEqualTo("networking.istio.io/v1");
            long liveRv = live.at("/object/metadata/resourceVersion").asLong();
            assertThat(liveRv).isGreaterThan(deletedAt);
            JsonNode bookmark = w.next();
            assertThat(bookmark.path("type").asText()).isEqualTo("BOOKMARK");
            assertThat(bookmark.at("/object/metadata/resourceVersion").asLong()).isEqualTo(liveRv);
        }
    }

    @Test
    void watchWithoutRevisionStartsWithTheCurrentObjects() throws Exception {
        api.post(VS, Manifests.virtualService("existing", "existing"));
        try (ApiClient.WatchLines w = api.watch(VS + "?watch=true")) {
            JsonNode first = w.nextChange();
            assertThat(first.path("type").asText()).isEqualTo("ADDED");
            assertThat(first.at("/object/metadata/name").asText()).isEqualTo("existing");
            api.post(VS, Manifests.virtualService("next", "next"));
            assertThat(w.nextChange().at("/object/metadata/name").asText()).isEqualTo("next");
        }
    }

    @Test
    void snapshotWatchStreamsEveryKind() throws Exception {
        long start = controlPlane.store().currentRevision();
        try (ApiClient.WatchLines w = api.watch("/apis/meshwork.io/v1alpha1/snapshot?watch=true&resourceVersion="
                + start)) {
            api.post(VS, Manifests.virtualService("v", "v"));
            api.post(DR, Manifests.destinationRule("d", "d"));
            assertThat(w.nextChange().at("/object/kind").asText()).isEqualTo("VirtualService");
            assertThat(w.nextChange().at("/object/kind").asText()).isEqualTo("DestinationRule");
        }
        JsonNode snapshot = api.get("/apis/meshwork.io/v1alpha1/snapshot").body();
        assertThat(snapshot.at("/items").findValuesAsText("kind")).contains("VirtualService", "DestinationRule");
    }

    @Test
    void compactedRevisionIsGone() {
        api.post(VS, Manifests.virtualService("x", "x"));
        api.post(VS, Manifests.virtualService("y", "y"));
        controlPlane.store().compact(controlPlane.store().currentRevision());
        ApiClient.Answer r = api.get(VS + "?watch=true&resourceVersion=1");
        assertThat(r.status()).isEqualTo(410);
        assertThat(r.text("/reason")).isEqualTo("Expired");
        assertThat(r.text("/message")).contains("too old resource version: 1");
    }

    @Test
    void idleWatchGetsBookmarksItCanResumeFrom() throws Exception {
        long rv = rv(api.post(DR, Manifests.destinationRule("quiet", "quiet")));
        long bookmarkRv;
        try (ApiClient.WatchLines w = api.watch(VS + "?watch=true&resourceVersion=" + rv)) {
            JsonNode bookmark = w.next();
            assertThat(bookmark.path("type").asText()).isEqualTo("BOOKMARK");
            assertThat(bookmark.at("/object/kind").asText()).isEqualTo("VirtualServiceList");
            bookmarkRv = bookmark.at("/object/metadata/resourceVersion").asLong();
            assertThat(bookmarkRv).isEqualTo(rv);
        }
        api.post(VS, Manifests.virtualService("after", "after"));
        try (ApiClient.WatchLines resumed = api.watch(VS + "?watch=true&resourceVersion=" + bookmarkRv)) {
            assertThat(resumed.nextChange().at("/object/metadata/name").asText()).isEqualTo("after");
        }
    }

    @Test
    void timeoutSecondsEndsTheStream() throws Exception {
        api.post(VS, Manifests.virtualService("t", "t"));
        try (ApiClient.WatchLines w = api.watch(VS + "?watch=true&timeoutSeconds=0")) {
            assertThat(w.awaitEnd()).isTrue();
        }
    }

    @Test
    void aClientThatHangsUpReleasesItsWatch() throws Exception {
        api.post(VS, Manifests.virtualService("w", "w"));
        try (ApiClient.WatchLines w = api.watch(VS + "?watch=true")) {
            w.nextChange();
            // The live store watch may be registered just after the first event is streamed.
            long registered = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (controlPlane.store().activeWatches() == 0 && System.nanoTime() < registered) {
                LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
            }
            assertThat(controlPlane.store().activeWatches()).isEqualTo(1);
        }
        api.close();
        // The server learns of the hang-up asynchronously; poll for it (a bounded wait, not a timing assumption).
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (controlPlane.store().activeWatches() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        assertThat(controlPlane.store().activeWatches()).isZero();
    }

    @Test
    void badResourceVersionIsABadRequest() {
        assertThat(api.get(VS + "?watch=true&resourceVersion=abc").status()).isEqualTo(400);
    }
}
