package io.meshwork.proxy.tls;

import static io.meshwork.proxy.tls.MeshFixture.compile;
import static io.meshwork.proxy.tls.MeshFixture.peerAuthentication;
import static io.meshwork.proxy.tls.MeshFixture.workload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.SocketApp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an application sees of a request after the sidecar-to-sidecar hop (HTTP/1.1 → HTTP/2 over
 * mutual TLS → HTTP/1.1): no body appears where there was none, and {@code Expect: 100-continue}
 * uploads from curl finish with the final response, the POST executed once.
 */
@Timeout(60)
class MeshHopFramingTest {
  static final LocalService ORDERS = new LocalService("orders", "shop");
  static final LocalService PRODUCTS = new LocalService("products", "shop");

  final MeshFixture mesh = new MeshFixture();
  RecordingApp app;
  Sidecar orders;

  @BeforeEach
  void setUp() throws Exception {
    TestCa ca = new TestCa("mesh-root");
    app = mesh.add(new RecordingApp());
    SnapshotRef productsConfig = new SnapshotRef(compile(workload("self", "products", 1, "")
        + peerAuthentication("strict", "mtls: {mode: STRICT}"), PRODUCTS));
    Sidecar products = mesh.sidecar("products", app.address(), Map.of(), productsConfig,
        ca.fixedIdentity(TestCa.workload("shop", "products")));
    SnapshotRef ordersConfig = new SnapshotRef(compile(
        workload("products-1", "products", products.inboundPort(), MeshFixture.MESH_LABEL), ORDERS));
    orders = mesh.sidecar("orders", null, Map.of("products", 0), ordersConfig,
        ca.fixedIdentity(TestCa.workload("shop", "orders")));
  }

  @AfterEach
  void tearDown() throws Exception {
    mesh.close();
  }

  private int upstreamPort() {
    return orders.upstreamPort("products");
  }

  @Test
  void bodylessRequestsStayBodylessAcrossTheMesh() throws Exception {
    for (String method : new String[] {"GET", "DELETE", "HEAD", "OPTIONS"}) {
      try (Socket s = new Socket("127.0.0.1", upstreamPort())) {
        s.getOutputStream().write((method + " /item/7 HTTP/1.1\r\nhost: products\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        String response = readResponse(s.getInputStream(), method.equals("HEAD"));
        assertThat(response).startsWith("HTTP/1.1 200");
      }
      RecordingApp.Request seen = app.requests.poll(5, TimeUnit.SECONDS);
      assertThat(seen).isNotNull();
      assertThat(seen.head()).startsWith(method + " /item/7 HTTP/1.1\r\n");
      assertThat(seen.head().toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding").doesNotContain("content-length");
      assertThat(seen.trailingBytes()).as("bytes after the head of a bodyless %s", method).isEmpty();
    }
  }

  @Test
  void curlUploadWithExpectContinueRunsOnceAndGetsItsResponse(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    Path upload = dir.resolve("upload.bin");
    byte[] bytes = new byte[3 * 1024 * 1024];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    Files.write(upload, bytes);
    // curl sends Expect: 100-continue by itself for uploads over 1 MB.
    Process curl = new ProcessBuilder("curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--max-time", "20",
        "--data-binary", "@" + upload, "http://127.0.0.1:" + upstreamPort() + "/orders")
        .redirectErrorStream(true).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(curl.exitValue()).as(out).isZero();
    assertThat(out).isEqualTo("stored " + bytes.length + "\n201");
    RecordingApp.Request seen = app.requests.poll(5, TimeUnit.SECONDS);
    assertThat(seen.head().toLowerCase(Locale.ROOT)).contains("expect: 100-continue");
    assertThat(app.posts.get()).isEqualTo(1);
  }

  /** Reads one response: its head, then Content-Length body bytes unless it answers a HEAD. */
  private static String readResponse(InputStream in, boolean headRequest) throws Exception {
    String head = SocketApp.readHead(in);
    assertThat(head).as("a response head").isNotNull();
    long length = headRequest ? 0 : RecordingApp.contentLength(head.toLowerCase(Locale.ROOT));
    return head + new String(in.readNBytes((int) length), StandardCharsets.ISO_8859_1);
  }

  /**
   * An HTTP/1.1 application on a plain socket that records each request's head and any bytes that
   * follow a bodyless head, answers {@code Expect: 100-continue}, and counts POSTs.
   */
  static final class RecordingApp implements AutoCloseable {
    record Request(String head, String trailingBytes) {}

    final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    final AtomicInteger posts = new AtomicInteger();
    private final SocketApp app = new SocketApp(this::serve);

    RecordingApp() throws Exception {}

    InetSocketAddress address() {
      return app.address();
    }

    private void serve(Socket s) {
      try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        while (true) {
          String head = SocketApp.readHead(in);
          if (head == null) {
            return;
          }
          String lower = head.toLowerCase(Locale.ROOT);
          if (lower.startsWith("post")) {
            posts.incrementAndGet();
            if (lower.contains("expect: 100-continue")) {
              out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
            }
            long length = contentLength(lower);
            long read = 0;
            byte[] buf = new byte[64 * 1024];
            while (read < length) {
              int n = in.read(buf, 0, (int) Math.min(buf.length, length - read));
              if (n < 0) {
                return;
              }
              read += n;
            }
            requests.add(new Request(head, ""));
            byte[] body = ("stored " + read).getBytes(StandardCharsets.ISO_8859_1);
            out.write(("HTTP/1.1 201 Created\r\ncontent-length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
          } else {
            // A bodyless request: anything that arrives right after the head is a body it should not have.
            s.setSoTimeout(300);
            ByteArrayOutputStream extra = new ByteArrayOutputStream();
            try {
              int b;
              while (extra.size() < 64 && (b = in.read()) >= 0) {
                extra.write(b);
              }
            } catch (java.net.SocketTimeoutException quiet) {
              // nothing followed: as it should be
            }
            s.setSoTimeout(0);
            requests.add(new Request(head, extra.toString(StandardCharsets.ISO_8859_1)));
            boolean headRequest = lower.startsWith("head");
            out.write(("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n" + (headRequest ? "" : "ok"))
                .getBytes(StandardCharsets.ISO_8859_1));
          }
          out.flush();
        }
      } catch (java.io.IOException ignored) {
        // the sidecar closed the connection
      }
    }

    static long contentLength(String lowerHead) {
      int i = lowerHead.indexOf("content-length:");
      if (i < 0) {
        return 0;
      }
      return Long.parseLong(lowerHead.substring(i + 15, lowerHead.indexOf('\r', i)).trim());
    }

    @Override
    public void close() throws Exception {
      app.close();
    }
  }
}
