package io.meshwork.proxy.socks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A blocking TCP echo on 127.0.0.1:0 that honours half-close: after the client's FIN it sends its
 * own, once everything has been echoed.
 */
final class RawEchoServer implements AutoCloseable {
  private final ServerSocket server;

  RawEchoServer() {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofPlatform().daemon().name("raw-echo-accept").start(this::acceptLoop);
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getLocalPort());
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofVirtual().name("raw-echo").start(() -> echo(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void echo(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      in.transferTo(out);
      out.flush();
      s.shutdownOutput();
    } catch (IOException ignored) {
      // The client went away; nothing to echo to.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
