package io.meshwork.proxy.policy;

import io.meshwork.proxy.security.authn.JwksFetcher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches JWKS and OpenID discovery documents without ever blocking the caller: {@link #fetch}
 * answers from memory and refreshes in the background once a document is older than the refresh
 * interval. Until a document has been fetched once, fetching fails, and tokens of that issuer are
 * rejected (Envoy does the same while its first remote JWKS fetch is pending). The configuration
 * compiler warms each {@code jwksUri} off the event loop with {@link #warm}.
 */
public final class RemoteJwks implements JwksFetcher {
  private static final Logger log = LoggerFactory.getLogger(RemoteJwks.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** Bounds what one endpoint can make the sidecar hold; real key sets are a few KiB. */
  static final int MAX_DOCUMENT_BYTES = 256 * 1024;

  private record Document(String body, Instant fetchedAt) {}

  private final HttpClient client;
  private final Clock clock;
  private final Duration refreshAfter;
  private final Map<URI, Document> documents = new ConcurrentHashMap<>();
  private final Map<URI, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

  public RemoteJwks(HttpClient client, Clock clock, Duration refreshAfter) {
    this.client = client;
    this.clock = clock;
    this.refreshAfter = refreshAfter;
  }

  /** One per process, so key sets survive configuration snapshots. */
  public static RemoteJwks shared() {
    return Shared.INSTANCE;
  }

  private static final class Shared {
    static final RemoteJwks INSTANCE = new RemoteJwks(
        HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build(),
        Clock.systemUTC(), Duration.ofMinutes(5));
  }

  @Override
  public String fetch(URI uri) throws IOException {
    Document document = documents.get(uri);
    if (document == null || !clock.instant().isBefore(document.fetchedAt().plus(refreshAfter))) {
      start(uri);
    }
    if (document == null) {
      throw new IOException("not fetched yet: " + uri);
    }
    return document.body();
  }

  /** Fetches {@code uri} unless held, waiting at most {@code timeout}; never call on an event loop. */
  public boolean warm(URI uri, Duration timeout) {
    if (documents.containsKey(uri)) {
      return true;
    }
    CompletableFuture<Void> done = start(uri);
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // The fetch goes on in the background and is logged when it fails.
    }
    return documents.containsKey(uri);
  }

  /** Starts a fetch of {@code uri} unless one is under way; completes (never exceptionally) when it ends. */
  private CompletableFuture<Void> start(URI uri) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> running = inFlight.putIfAbsent(uri, done);
    if (running != null) {
      return running;
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
    client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenAccept(response -> {
          if (response.statusCode() != 200) {
            log.warn("jwks {}: HTTP {}", uri, response.statusCode());
          } else if (response.body().length > MAX_DOCUMENT_BYTES) {
            log.warn("jwks {}: {} bytes (expected: at most {})", uri, response.body().length, MAX_DOCUMENT_BYTES);
          } else {
            documents.put(uri, new Document(new String(response.body(), StandardCharsets.UTF_8), clock.instant()));
          }
        })
        .whenComplete((ignored, failure) -> {
          inFlight.remove(uri, done);
          if (failure != null) {
            log.warn("jwks {}: {}", uri, failure.getMessage());
          }
          done.complete(null);
        });
    return done;
  }
}
