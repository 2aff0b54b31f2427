package io.meshwork.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.control.ControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A JDK HttpClient speaking to a control plane on 127.0.0.1, as any external client would: over HTTPS verified
 * against the data directory's {@code ca.pem} when TLS is on, with the admin token from the data directory unless
 * another bearer token (or none) is chosen.
 */
final class ApiClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final String token;

    ApiClient(ControlPlane controlPlane) {
        this(httpClient(controlPlane.tls() ? TlsClients.trusting(controlPlane.trustBundleFile()) : null),
                controlPlane.url(), adminToken(controlPlane));
    }

    private ApiClient(HttpClient http, String base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    /** The same connection settings with another bearer token; null sends no Authorization header. */
    ApiClient withToken(String bearer) {
        return new ApiClient(http, base, bearer);
    }

    static HttpClient httpClient(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        return b.build();
    }

    static String adminToken(ControlPlane controlPlane) {
        return adminToken(controlPlane.adminTokenFile());
    }

    static String adminToken(java.nio.file.Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        String text(String pointer) {
            return body.at(pointer).asText();
        }
    }

    Answer send(String method, String path, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isBlank() ? JSON.missingNode() : JSON.readTree(r.body());
            return new Answer(r.statusCode(), json, r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer get(String path) {
        return send("GET", path, null, null);
    }

    Answer post(String path, String json) {
        return send("POST", path, json, "application/json");
    }

    Answer put(String path, String json) {
        return send("PUT", path, json, "application/json");
    }

    Answer delete(String path) {
        return send("DELETE", path, null, null);
    }

    /** An open watch: its events, one JSON object per line, read on a thread of their own. */
    final class WatchLines implements AutoCloseable {
        final int status;
        private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        private final Stream<String> lines;
        private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

        WatchLines(HttpResponse<Stream<String>> response) {
            this.status = response.statusCode();
            this.lines = response.body();
            Iterator<String> it = lines.iterator();
            Thread.ofVirtual().start(() -> {
                try {
                    while (it.hasNext()) {
                        String line = it.next();
                        if (!line.isBlank()) {
                            events.add(JSON.readTree(line));
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // The stream ended or the test closed it.
                } finally {
                    ended.countDown();
                }
            });
        }

        JsonNode next() throws InterruptedException {
            JsonNode e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no watch event within 10 s");
            }
            return e;
        }

        /** Whether the server ended the stream within a few seconds. */
        boolean awaitEnd() throws InterruptedException {
            return ended.await(5, TimeUnit.SECONDS);
        }

        /** The next event that is not a BOOKMARK. */
        JsonNode nextChange() throws InterruptedException {
            JsonNode e;
            do {
                e = next();
            } while (e.path("type").asText().equals("BOOKMARK"));
            return e;
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    WatchLines watch(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpRequest req = b.build();
        try {
            return new WatchLines(http.send(req, HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        // close() would wait for watch streams the server keeps open; a test is done with them.
        http.shutdownNow();
    }
}
