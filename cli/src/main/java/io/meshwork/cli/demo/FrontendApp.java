package io.meshwork.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The demo frontend: {@code GET /service-a} and {@code GET /service-b} call those services through
 * the local sidecar and return their answer. The app knows only service names; the sidecar's
 * HTTP proxy port ({@code HTTP_PROXY}) finds the instances.
 *
 * <p>Usage: {@code FrontendApp PORT} with {@code HTTP_PROXY} (or {@code MESH_HTTP_PORT}) set.
 */
public final class FrontendApp {
  private static final List<String> PROPAGATED = List.of(
      "x-canary", "x-request-id", "traceparent", "tracestate", "baggage", "x-b3-traceid", "x-b3-spanid",
      "x-b3-parentspanid", "x-b3-sampled");

  private FrontendApp() {}

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    InetSocketAddress proxy = proxyAddress();
    HttpClient client = HttpClient.newBuilder()
        .proxy(ProxySelector.of(proxy))
        .connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1)
        .build();
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 128);
    server.createContext("/", exchange -> {
      try (exchange) {
        serve(client, exchange);
      }
    });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    System.out.println("frontend listening on port " + server.getAddress().getPort() + ", calling services through " + proxy);
  }

  private static void serve(HttpClient client, HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String service = path.length() > 1 ? path.substring(1).split("/", 2)[0] : "";
    if (service.isEmpty()) {
      reply(exchange, 200, "try /service-a or /service-b\n");
      return;
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + service + "/"))
        .timeout(Duration.ofSeconds(15));
    // A mesh routes on headers the app passes on: the canary flag, and the request and trace ids.
    for (String name : PROPAGATED) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      reply(exchange, response.statusCode(), response.body());
    } catch (IOException e) {
      reply(exchange, 502, "frontend could not reach " + service + ": " + e.getMessage() + "\n");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(exchange, 503, "interrupted\n");
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static InetSocketAddress proxyAddress() {
    String proxy = System.getenv("HTTP_PROXY");
    if (proxy != null && !proxy.isBlank()) {
      URI uri = URI.create(proxy.trim());
      return new InetSocketAddress(uri.getHost(), uri.getPort());
    }
    String port = System.getenv("MESH_HTTP_PORT");
    if (port != null) {
      return new InetSocketAddress("127.0.0.1", Integer.parseInt(port.trim()));
    }
    throw new IllegalStateException("HTTP_PROXY or MESH_HTTP_PORT must name the sidecar's HTTP port");
  }
}
