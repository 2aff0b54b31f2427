package io.meshwork.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP/1.1 app for tests, on 127.0.0.1 and a free port. It answers
 * {@code {"backend":NAME,"method":M,"path":P,"bodyBytes":N}} with header {@code x-backend: NAME}, and
 * can be told to fail or stall so that tests can drive retries and timeouts.
 */
public final class TestBackend implements AutoCloseable {
  private final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger failureStatus = new AtomicInteger(503);
  private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
  private final AtomicReference<Map<String, String>> lastHeaders = new AtomicReference<>(Map.of());

  private TestBackend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  /** Starts a backend called {@code name} on a free loopback port. */
  public static TestBackend start(String name) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
      TestBackend backend = new TestBackend(name, server);
      server.createContext("/", backend::handle);
      server.setExecutor(backend.executor);
      server.start();
      return backend;
    } catch (IOException e) {
      throw new IllegalStateException("could not start test backend " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests received so far, failed ones included. */
  public int requests() {
    return requests.get();
  }

  /** The next {@code count} requests are answered with {@code status} and no other work. */
  public TestBackend failNext(int count, int status) {
    failureStatus.set(status);
    failuresLeft.set(count);
    return this;
  }

  /** Every request waits this long before it is answered. */
  public TestBackend delay(Duration d) {
    delay.set(d);
    return this;
  }

  /** The headers of the last request, names in lower case. */
  public Map<String, String> lastHeaders() {
    return lastHeaders.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      long bodyBytes;
      try (InputStream in = exchange.getRequestBody()) {
        bodyBytes = in.transferTo(OutputStream.nullOutputStream());
      }
      Map<String, String> headers = new java.util.TreeMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
      lastHeaders.set(Map.copyOf(headers));
      Duration d = delay.get();
      if (!d.isZero()) {
        try {
          Thread.sleep(d);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      exchange.getResponseHeaders().set("x-backend", name);
      if (failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        byte[] body = ("failing on purpose\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(failureStatus.get(), body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      byte[] body = ("{\"backend\":\"" + name + "\",\"method\":\"" + exchange.getRequestMethod()
          + "\",\"path\":\"" + exchange.getRequestURI() + "\",\"bodyBytes\":" + bodyBytes + "}\n")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
