package io.meshwork.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import sun.misc.Signal;

/**
 * A test app that ignores SIGTERM, as badly behaved apps do: it listens on the port it is given (accepting and
 * closing connections, enough for a TCP probe) until it is killed.
 *
 * <p>Usage: {@code StubbornApp PORT}.
 */
public final class StubbornApp {
  private StubbornApp() {}

  public static void main(String[] args) throws IOException {
    Signal.handle(new Signal("TERM"), signal -> {
      System.out.println("stubborn app: ignoring SIGTERM");
      System.out.flush();
    });
    try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]), 50, InetAddress.getLoopbackAddress())) {
      System.out.println("stubborn app: listening on " + server.getLocalPort() + " as pid " + ProcessHandle.current().pid());
      System.out.flush();
      while (true) {
        try (Socket ignored = server.accept()) {
          // A probe only needs the connection.
        }
      }
    }
  }
}
