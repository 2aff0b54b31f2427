package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static io.meshwork.proxy.fixtures.Meshes.prefix;
import static io.meshwork.proxy.fixtures.Meshes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.route.HeaderOps;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.Route;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP/1.1 through the proxy port and an upstream port, over real sockets. */
@Timeout(30)
class Http1ForwardingTest {
  static TestBackend hello;
  static TestBackend bulk;
  static Sidecar sidecar;
  static HttpClient client;
  static HttpClient proxyClient;

  @BeforeAll
  static void start() throws Exception {
    hello = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.OK, "hello " + req.uri() + " #" + n));
    bulk = TestBackend.bulk();
    Map<String, List<Route>> hosts = new HashMap<>();
    hosts.putAll(host("hello", forward(cluster("hello", hello.address()))));
    hosts.putAll(host("bulk", forward(cluster("bulk", bulk.address()))));
    hosts.put("shop", List.of(
        route("redirect", prefix("/old"), new RouteAction.Redirect("/new", null, null, 0, 0)),
        route("direct", prefix("/teapot"), new RouteAction.DirectResponse(418, "short and stout", HeaderOps.NONE)),
        route("api", prefix("/api"), forward(cluster("shop", hello.address())))));
    hosts.putAll(host("empty", forward(cluster("empty"))));
    hosts.putAll(host("dead", forward(cluster("dead", Meshes.deadAddress()))));
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(2).withUpstreams(Map.of("hello", 0)),
        Meshes.snapshot(hosts));
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    proxyClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", sidecar.httpPort()))).build();
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    hello.close();
    bulk.close();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    var b = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), BodyHandlers.ofString());
  }

  @Test
  void absoluteFormRequestIsRoutedByItsHostAndSentOriginForm() throws Exception {
    HttpResponse<String> r = proxyClient.send(
        java.net.http.HttpRequest.newBuilder(URI.create("http://hello/greet?x=1")).build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("hello /greet?x=1");
  }

  @Test
  void hostHeaderRoutesAndForwardedHeadersAreAdded() throws Exception {
    HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/api/items"))
        .header("x-request-id", "abc").build(), BodyHandlers.ofString());
    // The JDK client sends Host 127.0.0.1:port, which is no service.
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("no route for host \"127.0.0.1\"\n");
    assertThat(r.headers().firstValue("x-meshwork-error")).hasValue("unknown_host");

    try (Socket s = rawSocket()) {
      write(s, "GET /api/items HTTP/1.1\r\nHost: shop\r\nConnection: keep-alive, x-drop\r\nx-drop: 1\r\n"
          + "Keep-Alive: timeout=5\r\n\r\n");
      String response = readResponse(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 200").contains("hello /api/items");
    }
    HttpRequest seen = lastReceived(hello, "/api/items");
    assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.headers().get("x-request-id")).hasSize(36);
    assertThat(seen.headers().get("host")).isEqualTo("shop");
    assertThat(seen.headers().contains("x-drop")).isFalse();
    assertThat(seen.headers().contains("keep-alive")).isFalse();
    assertThat(seen.headers().get("x-envoy-attempt-count")).isEqualTo("1");
  }

  @Test
  void daprAppIdHeaderAndInvokePathRoute() throws Exception {
    HttpResponse<String> byHeader = get("/items?id=3", "dapr-app-id", "hello");
    assertThat(byHeader.body()).startsWith("hello /items?id=3");
    HttpResponse<String> byPath = get("/v1.0/invoke/hello/method/orders/7?full=1");
    assertThat(byPath.statusCode()).isEqualTo(200);
    assertThat(byPath.body()).startsWith("hello /orders/7?full=1");
    assertThat(lastReceived(hello, "/orders/7?full=1").headers().get("host")).isEqualTo("hello");
  }

  @Test
  void upstreamPortTargetsItsService() throws Exception {
    HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.upstreamPort("hello") + "/via-port")).build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("hello /via-port");
  }

  @Test
  void keepAliveReusesTheUpstreamConnection() throws Exception {
    int before = hello.connections.get();
    try (Socket s = rawSocket()) {
      for (int i = 0; i < 5; i++) {
        write(s, "GET /api/k" + i + " HTTP/1.1\r\nHost: shop\r\n\r\n");
        assertThat(readResponse(s.getInputStream())).contains("hello /api/k" + i);
      }
    }
    assertThat(hello.connections.get() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void headResponsesHaveNoBodyAndHttp10ClientsGetClose() throws Exception {
    try (Socket s = rawSocket()) {
      write(s, "HEAD /api/h HTTP/1.1\r\nHost: shop\r\n\r\n");
      StringBuilder head = new StringBuilder();
      InputStream in = s.getInputStream();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.read());
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 200").contains("content-length: ");
      // No body follows the HEAD response: the next response starts right away.
      write(s, "GET /api/after-head HTTP/1.1\r\nHost: shop\r\n\r\n");
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("hello /api/after-head");
    }
    try (Socket s = rawSocket()) {
      write(s, "GET /api/old HTTP/1.0\r\nHost: shop\r\n\r\n");
      InputStream in = s.getInputStream();
      String response = readResponse(in);
      assertThat(response).startsWith("HTTP/1.1 200").contains("connection: close").contains("hello /api/old");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (Socket s = rawSocket()) {
      StringBuilder batch = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        batch.append("GET /api/p").append(i).append(" HTTP/1.1\r\nHost: shop\r\n\r\n");
      }
      write(s, batch.toString());
      InputStream in = s.getInputStream();
      for (int i = 0; i < 4; i++) {
        assertThat(readResponse(in)).contains("hello /api/p" + i + " ");
      }
    }
  }

  @Test
  void localAnswersAndErrors() throws Exception {
    HttpResponse<String> redirect = get("/old/path?q=1", "dapr-app-id", "shop");
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("location")).hasValue("http://shop/new?q=1");

    HttpResponse<String> teapot = get("/teapot", "dapr-app-id", "shop");
    assertThat(teapot.statusCode()).isEqualTo(418);
    assertThat(teapot.body()).isEqualTo("short and stout");

    HttpResponse<String> noRoute = get("/nothing", "dapr-app-id", "shop");
    assertThat(noRoute.statusCode()).isEqualTo(404);
    assertThat(noRoute.body()).isEqualTo("no route matched for host \"shop\" path \"/nothing\"\n");

    HttpResponse<String> empty = get("/", "dapr-app-id", "empty");
    assertThat(empty.statusCode()).isEqualTo(503);
    assertThat(empty.body()).isEqualTo("no healthy endpoint for \"empty\" (cluster outbound|80||empty)\n");
    assertThat(empty.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));

    HttpResponse<String> dead = get("/", "dapr-app-id", "dead");
    assertThat(dead.statusCode()).isEqualTo(503);
    assertThat(dead.body()).isEqualTo("upstream connect error or disconnect/reset before headers (connection failure)\n");
    assertThat(dead.headers().firstValue("x-meshwork-error")).hasValue("upstream_connect_error");
  }

  @Test
  void grpcCallersGetTrailersOnlyErrors() throws Exception {
    HttpResponse<String> dead = get("/pkg.Svc/Call", "dapr-app-id", "dead", "content-type", "application/grpc");
    assertThat(dead.statusCode()).isEqualTo(200);
    assertThat(dead.headers().firstValue("grpc-status")).hasValue("14");
    HttpResponse<String> unknown = get("/pkg.Svc/Call", "dapr-app-id", "nobody", "content-type", "application/grpc+proto");
    assertThat(unknown.headers().firstValue("grpc-status")).hasValue("12");
    assertThat(unknown.headers().firstValue("grpc-message")).hasValue("no route for host \"nobody\"");
  }

  @Test
  void connectToAnUnresolvableHostAndMalformedRequestsAreAnswered() throws Exception {
    try (Socket s = rawSocket()) {
      // Not a mesh host: under ALLOW_ANY the tunnel is tried, and the name does not resolve.
      write(s, "CONNECT hello.invalid:443 HTTP/1.1\r\nHost: hello.invalid:443\r\n\r\n");
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 503")
          .contains("x-meshwork-error: dns_resolution_failure");
    }
    try (Socket s = rawSocket()) {
      write(s, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: hello\r\n\r\n");
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 414");
    }
    try (Socket s = rawSocket()) {
      write(s, "GET / HTTP/1.1\r\nHost: hello\r\nx-big: " + "b".repeat(61 * 1024) + "\r\n\r\n");
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 431");
    }
    try (Socket s = rawSocket()) {
      write(s, "GET / HTTP/1.1\r\nHost: hello\r\nContent-Length: abc\r\n\r\n");
      String response = readResponse(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 400").contains("bad request: ").contains("connection: close");
    }
  }

  @Test
  void largeBodiesStreamBothWaysWithBoundedMemory() throws Exception {
    long size = 50L << 20;
    long[] peakDirect = {0};
    // The proxy allocates pooled buffers, the backend Netty's default allocator.
    var pooled = io.netty.buffer.PooledByteBufAllocator.DEFAULT.metric();
    var adaptive = ((io.netty.buffer.ByteBufAllocatorMetricProvider) io.netty.buffer.ByteBufAllocator.DEFAULT).metric();
    Thread sampler = Thread.ofVirtual().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peakDirect[0] = Math.max(peakDirect[0], pooled.usedDirectMemory() + adaptive.usedDirectMemory());
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    try {
      // Upload: a chunked 50 MiB request body (no Content-Length) reaches the backend whole.
      java.net.http.HttpRequest upload = java.net.http.HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/upload"))
          .header("dapr-app-id", "bulk")
          .POST(BodyPublishers.ofInputStream(() -> new PatternStream(size))).build();
      HttpResponse<String> uploaded = client.send(upload, BodyHandlers.ofString());
      assertThat(uploaded.statusCode()).isEqualTo(200);
      assertThat(uploaded.body()).isEqualTo(Long.toString(size));

      // Download: a chunked 50 MiB response streams to the client, byte for byte.
      HttpResponse<InputStream> download = client.send(java.net.http.HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/download?n=" + size))
          .header("dapr-app-id", "bulk").build(), BodyHandlers.ofInputStream());
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.headers().firstValue("transfer-encoding")).hasValue("chunked");
      long received = 0;
      long mismatches = 0;
      try (InputStream in = download.body()) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          for (int i = 0; i < n; i++) {
            if (buf[i] != (byte) ((received + i) & 0x7f)) {
              mismatches++;
            }
          }
          received += n;
        }
      }
      assertThat(received).isEqualTo(size);
      assertThat(mismatches).isZero();
    } finally {
      sampler.interrupt();
    }
    // Holding either body whole would take 50 MiB.
    System.err.println("peak direct memory during 50 MiB transfers: " + peakDirect[0]);
    assertThat(peakDirect[0]).isPositive().isLessThan(24L << 20);
  }

  /** {@code size} bytes where byte i is {@code i & 0x7f}. */
  static final class PatternStream extends InputStream {
    private final long size;
    private long position;

    PatternStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return position < size ? (int) (position++ & 0x7f) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) ((position + i) & 0x7f);
      }
      position += n;
      return n;
    }
  }

  private static HttpRequest lastReceived(TestBackend backend, String uri) throws InterruptedException {
    HttpRequest found = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (found == null && System.nanoTime() < deadline) {
      for (HttpRequest r : backend.received) {
        if (r.uri().equals(uri)) {
          found = r;
        }
      }
      if (found == null) {
        Thread.sleep(10);
      }
    }
    assertThat(found).as("request " + uri).isNotNull();
    return found;
  }

  static Socket rawSocket() throws Exception {
    Socket s = new Socket("127.0.0.1", sidecar.httpPort());
    s.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
    return s;
  }

  static void write(Socket s, String text) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads one response with a Content-Length body (or none), leaving the stream at the next one. */
  static String readResponse(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.UTF_8);
  }
}
