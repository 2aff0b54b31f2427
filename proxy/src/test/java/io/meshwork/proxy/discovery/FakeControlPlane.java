package io.meshwork.proxy.discovery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP server speaking the control plane's wire format from scripted answers, for unit tests of the client's
 * protocol handling (reconnects, 410, bookmarks). End-to-end tests against the real control plane live in the cli
 * module, which may depend on both sides.
 */
final class FakeControlPlane implements AutoCloseable {
  /** Put on {@link #watchLines} to end the current watch response. */
  static final String END = "\u0000end";

  final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-control-plane");
    t.setDaemon(true);
    return t;
  });
  final AtomicReference<String> listBody = new AtomicReference<>(list(1));
  final AtomicLong currentRevision = new AtomicLong(1);
  final BlockingQueue<String> watchLines = new LinkedBlockingQueue<>();
  /** The resourceVersion of every watch request, in order. */
  final List<String> watchesFrom = new CopyOnWriteArrayList<>();
  final AtomicInteger lists = new AtomicInteger();
  /** Answer the next watch request with this status instead of a stream (0: stream). */
  final AtomicInteger nextWatchStatus = new AtomicInteger();
  /** Every request line other than watches and lists: "METHOD path body". */
  final List<String> calls = new CopyOnWriteArrayList<>();
  /** Status for the next keep-alive (0: 200). */
  final AtomicInteger keepAliveStatus = new AtomicInteger();
  /** Status for registrations (0: 200). */
  final AtomicInteger registerStatus = new AtomicInteger();

  FakeControlPlane() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  static String list(long revision, String... items) {
    return "{\"apiVersion\":\"meshwork.io/v1alpha1\",\"kind\":\"SnapshotList\",\"metadata\":{\"resourceVersion\":\""
        + revision + "\"},\"items\":[" + String.join(",", items) + "]}";
  }

  static String virtualService(String name, long revision, String host) {
    return "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"VirtualService\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\",\"resourceVersion\":\"" + revision + "\"},\"spec\":{\"hosts\":[\"" + host
        + "\"],\"http\":[{\"route\":[{\"destination\":{\"host\":\"" + host + "\"}}]}]}}";
  }

  static String event(String type, String object) {
    return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
  }

  static String bookmark(long revision) {
    return event("BOOKMARK", "{\"kind\":\"SnapshotList\",\"apiVersion\":\"meshwork.io/v1alpha1\","
        + "\"metadata\":{\"resourceVersion\":\"" + revision + "\"}}");
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (path.equals("/apis/meshwork.io/v1alpha1/snapshot") && query.contains("watch=true")) {
        watch(ex, query);
      } else if (path.equals("/apis/meshwork.io/v1alpha1/snapshot")) {
        lists.incrementAndGet();
        answer(ex, 200, listBody.get());
      } else if (path.equals("/api/v1/namespaces")) {
        answer(ex, 200, "{\"kind\":\"NamespaceList\",\"metadata\":{\"resourceVersion\":\"" + currentRevision.get()
            + "\"},\"items\":[]}");
      } else {
        calls.add(ex.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
        registrations(ex, path);
      }
    } finally {
      ex.close();
    }
  }

  private void registrations(HttpExchange ex, String path) throws IOException {
    String method = ex.getRequestMethod();
    if (method.equals("POST") && path.endsWith("/registrations")) {
      int status = registerStatus.get();
      if (status != 0) {
        answer(ex, status, status(status, "registration refused"));
        return;
      }
      answer(ex, 200, "{\"name\":\"orders-127-0-0-1-15006\",\"namespace\":\"shop\",\"leaseId\":\"7\","
          + "\"ttlSeconds\":3,\"resourceVersion\":\"4\"}");
    } else if (path.endsWith("/keepalive")) {
      int status = keepAliveStatus.getAndSet(0);
      if (status != 0) {
        answer(ex, status, status(status, "registration \"orders-127-0-0-1-15006\" not found"));
        return;
      }
      answer(ex, 200, "{\"name\":\"orders-127-0-0-1-15006\",\"namespace\":\"shop\",\"leaseId\":\"7\","
          + "\"ttlSeconds\":3,\"resourceVersion\":\"4\"}");
    } else if (method.equals("DELETE")) {
      answer(ex, 200, "{\"kind\":\"Status\",\"status\":\"Success\",\"code\":200}");
    } else {
      answer(ex, 404, status(404, "no route for " + path));
    }
  }

  static String status(int code, String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message
        + "\",\"reason\":\"" + (code == 404 ? "NotFound" : code == 410 ? "Expired" : "Invalid") + "\",\"code\":"
        + code + "}";
  }

  private void watch(HttpExchange ex, String query) throws IOException {
    String from = query.replaceAll(".*resourceVersion=([0-9]+).*", "$1");
    watchesFrom.add(from);
    int status = nextWatchStatus.getAndSet(0);
    if (status != 0) {
      answer(ex, status, status(status, "too old resource version: " + from));
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    // As the real server does: the head goes out before any event, so the client knows the watch is open.
    out.flush();
    try {
      while (true) {
        String line = watchLines.poll(100, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        if (line.equals(END)) {
          return;
        }
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException clientWentAway) {
      // The client closed the watch.
    }
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    watchLines.add(END);
    server.stop(0);
    executor.shutdownNow();
  }
}
