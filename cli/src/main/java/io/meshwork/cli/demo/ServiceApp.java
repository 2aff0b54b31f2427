package io.meshwork.cli.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A demo service: answers every request with {@code {"service":NAME,"host":HOST,"port":PORT}}, as the
 * services of the vproxy mesh example do, so a caller sees which instance served it.
 *
 * <p>Usage: {@code ServiceApp NAME PORT} (PORT 0 picks a free one; the port is printed).
 */
public final class ServiceApp {
  private ServiceApp() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ServiceApp NAME PORT");
      System.exit(2);
    }
    String name = args[0];
    int requested = Integer.parseInt(args[1]);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requested), 128);
    int port = server.getAddress().getPort();
    String host = hostName();
    byte[] body = ("{\"service\":\"" + name + "\",\"host\":\"" + host + "\",\"port\":" + port + "}\n")
        .getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      try (exchange; OutputStream out = exchange.getResponseBody()) {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        out.write(body);
      }
    });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    System.out.println("service " + name + " listening on 127.0.0.1:" + port);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
