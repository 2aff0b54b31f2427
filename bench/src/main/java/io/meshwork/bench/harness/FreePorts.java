package io.meshwork.bench.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints {@code N} distinct free TCP ports on 127.0.0.1, one per line. All sockets are held open
 * until every port is chosen, so the N ports differ; the usual small race remains between closing
 * them here and the benchmarked process binding them.
 */
public final class FreePorts {

  private FreePorts() {}

  public static List<Integer> pick(int count) throws IOException {
    if (count < 1 || count > 64) {
      throw new IllegalArgumentException("count: " + count + " (expected: 1..64)");
    }
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports.add(socket.getLocalPort());
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  public static void main(String[] args) throws IOException {
    try {
      int count = args.length == 0 ? 1 : Integer.parseInt(args[0]);
      pick(count).forEach(System.out::println);
    } catch (NumberFormatException e) {
      System.err.println("error: count: " + args[0] + " (expected: a whole number)");
      System.exit(2);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }
}
