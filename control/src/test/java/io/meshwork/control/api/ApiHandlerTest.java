package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.control.auth.AdminToken;
import io.meshwork.control.auth.Authenticator;
import io.meshwork.control.ca.CaConfig;
import io.meshwork.control.ca.CertificateAuthority;
import io.meshwork.control.ca.InMemoryCaStorage;
import io.meshwork.control.registry.ServiceRegistry;
import io.meshwork.control.resource.Admission;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.store.MutableClock;
import io.meshwork.control.store.SqliteStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handler without sockets: what untrusted input gets back, and that the channel survives it. Requests run on
 * the calling thread (a direct executor) so each exchange completes before {@code writeInbound} returns.
 */
class ApiHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VS = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices";

    @TempDir
    Path dir;

    private SqliteStore store;
    private ScheduledExecutorService ticker;
    private EmbeddedChannel channel;
    private static String adminToken;

    @BeforeEach
    void setUp() {
        store = SqliteStore.open(dir.resolve("meshwork.db"), new MutableClock(Instant.EPOCH), Duration.ofHours(1));
        ticker = Executors.newSingleThreadScheduledExecutor();
        ResourceStore resources = new ResourceStore(store, JSON);
        Admission admission = new Admission();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        CertificateAuthority ca = CertificateAuthority.open(new InMemoryCaStorage(), CaConfig.defaults(), clock);
        AdminToken admin = AdminToken.open(store, dir);
        adminToken = ApiClient.adminToken(admin.file());
        ApiSecurity security = new ApiSecurity(new Authenticator(admin, ca), ca, null, store, Duration.ZERO, () -> { });
        ApiServices services = new ApiServices(resources, new ResourceEndpoints(resources, admission, JSON),
                new RegistrationEndpoints(new ServiceRegistry(resources, admission, JSON), JSON), JSON,
                Runnable::run, ticker,
                Duration.ofSeconds(10), JSON.createObjectNode().put("version", "test"), security);
        channel = new EmbeddedChannel(new ApiHandler(services));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        ticker.shutdownNow();
        store.close();
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String body, String type) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body == null ? "" : body, StandardCharsets.UTF_8));
        if (type != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + adminToken);
        return r;
    }

    private record Answer(int status, JsonNode body, FullHttpResponse raw) {
    }

    private Answer exchange(FullHttpRequest request) throws Exception {
        channel.writeInbound(request);
        channel.runPendingTasks();
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response.status().code(),
                    JSON.readTree(response.content().toString(StandardCharsets.UTF_8)), response.retainedDuplicate());
        } finally {
            response.release();
        }
    }

    @Test
    void malformedHttpIsABadRequestAndClosesTheConnection() throws Exception {
        FullHttpRequest broken = request(HttpMethod.GET, "/bad", null, null);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid header")));
        Answer a = exchange(broken);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().path("message").asText()).isEqualTo("malformed HTTP request: invalid header");
        assertThat(channel.isOpen()).isFalse();
        a.raw().release();
    }

    @Test
    void errorsKeepTheConnectionUsable() throws Exception {
        Answer bad = exchange(request(HttpMethod.POST, VS, "{not json", "application/json"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.raw().headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        bad.raw().release();
        assertThat(channel.isOpen()).isTrue();

        Answer ok = exchange(request(HttpMethod.GET, VS, null, null));
        assertThat(ok.status()).isEqualTo(200);
        ok.raw().release();
    }

    @Test
    void storeFailureIsServiceUnavailableNotACrash() throws Exception {
        store.close();
        Answer a = exchange(request(HttpMethod.GET, VS, null, null));
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.body().path("message").asText()).isEqualTo("the control plane is shutting down; retry shortly");
        assertThat(channel.isOpen()).isTrue();
        a.raw().release();
    }

    @Test
    void readingPausesOnlyWhileARequestIsServed() throws Exception {
        Answer a = exchange(request(HttpMethod.GET, "/healthz", null, null));
        assertThat(a.status()).isEqualTo(200);
        assertThat(channel.config().isAutoRead()).isTrue();
        a.raw().release();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        channel.writeInbound(request(HttpMethod.GET, "/healthz", null, null), request(HttpMethod.GET, "/version", null, null),
                request(HttpMethod.GET, "/nothing", null, null));
        channel.runPendingTasks();
        FullHttpResponse first = channel.readOutbound();
        FullHttpResponse second = channel.readOutbound();
        FullHttpResponse third = channel.readOutbound();
        try {
            assertThat(first.content().toString(StandardCharsets.UTF_8)).contains("\"status\" : \"ok\"");
            assertThat(second.content().toString(StandardCharsets.UTF_8)).contains("\"version\" : \"test\"");
            assertThat(third.status().code()).isEqualTo(404);
        } finally {
            first.release();
            second.release();
            third.release();
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        FullHttpRequest r = request(HttpMethod.GET, "/healthz", null, null);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        Answer a = exchange(r);
        assertThat(a.status()).isEqualTo(200);
        assertThat(channel.isOpen()).isFalse();
        a.raw().release();
    }

    @Test
    void unknownFieldsAreAdmittedWithAWarningHeader() throws Exception {
        String body = """
                {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "w"},
                 "spec": {"hosts": ["w"], "colour": "blue", "http": [{"route": [{"destination": {"host": "w"}}]}]}}
                """;
        Answer a = exchange(request(HttpMethod.POST, VS, body, "application/json"));
        assertThat(a.status()).isEqualTo(201);
        assertThat(a.raw().headers().getAll(HttpHeaderNames.WARNING))
                .anySatisfy(w -> assertThat(w).startsWith("299 - \"spec.colour: "));
        assertThat(a.body().path("spec").has("colour")).as("pruned like Kubernetes").isFalse();
        a.raw().release();
    }

    @Test
    void deleteHonoursAPreconditionInTheBody() throws Exception {
        Answer created = exchange(request(HttpMethod.PUT, VS + "/p", """
                {"metadata": {"name": "p"}, "spec": {"hosts": ["p"], "http": [{"route": [{"destination": {"host": "p"}}]}]}}
                """, "application/json"));
        assertThat(created.status()).isEqualTo(201);
        created.raw().release();
        Answer stale = exchange(request(HttpMethod.DELETE, VS + "/p",
                "{\"preconditions\": {\"resourceVersion\": \"999\"}}", "application/json"));
        assertThat(stale.status()).isEqualTo(409);
        stale.raw().release();
        String rv = created.body().at("/metadata/resourceVersion").asText();
        Answer deleted = exchange(request(HttpMethod.DELETE, VS + "/p",
                "{\"preconditions\": {\"resourceVersion\": \"" + rv + "\"}}", "application/json"));
        assertThat(deleted.status()).isEqualTo(200);
        deleted.raw().release();
    }
}
