package io.meshwork.proxy.egress;

import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Turns the host a caller named into an address without blocking an event loop: IP literals at once,
 * names through the system resolver (hosts file, then DNS, as every other program on the machine) on
 * a virtual thread, the answer handed back to the caller's loop.
 */
final class HostLookups {
  private static final ExecutorService LOOKUPS = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("meshwork-egress-lookup-", 0).factory());

  /** The outcome: an address, or null when the name does not resolve. */
  @FunctionalInterface
  interface Answer extends Consumer<InetSocketAddress> {}

  private HostLookups() {}

  /** Resolves {@code host:port} and answers on {@code loop} (at once for a literal). */
  static void resolve(EventLoop loop, String host, int port, Answer answer) {
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
    if (literal != null) {
      try {
        answer.accept(new InetSocketAddress(InetAddress.getByAddress(host, literal), port));
      } catch (UnknownHostException e) {
        answer.accept(null);
      }
      return;
    }
    try {
      LOOKUPS.execute(() -> {
        InetSocketAddress resolved;
        try {
          resolved = new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException | SecurityException e) {
          resolved = null;
        }
        InetSocketAddress result = resolved;
        try {
          loop.execute(() -> answer.accept(result));
        } catch (RejectedExecutionException e) {
          // The loop is shutting down and closes the downstream itself.
        }
      });
    } catch (RejectedExecutionException e) {
      answer.accept(null);
    }
  }
}
