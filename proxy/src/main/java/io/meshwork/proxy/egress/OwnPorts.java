package io.meshwork.proxy.egress;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The sidecar's own listening sockets, which traffic leaving the mesh must never reach: a
 * passthrough to the HTTP proxy port would forward to itself without end, one to the admin port
 * would hand the app the sidecar's controls. An address is the sidecar's when it is loopback, the
 * wildcard address (a connect to 0.0.0.0 reaches this machine), or one of this machine's interface
 * addresses (read once, when the sidecar starts), on one of the sidecar's ports.
 */
public final class OwnPorts {
  private final Set<InetAddress> machine;
  private volatile Set<Integer> ports = Set.of();

  /** Reads this machine's interface addresses; call at start, never on an event loop. */
  public static OwnPorts ofThisMachine() {
    Set<InetAddress> addresses = new HashSet<>();
    try {
      var interfaces = NetworkInterface.getNetworkInterfaces();
      while (interfaces != null && interfaces.hasMoreElements()) {
        interfaces.nextElement().getInetAddresses().asIterator().forEachRemaining(addresses::add);
      }
    } catch (SocketException e) {
      // Loopback and the wildcard are still recognised; other local addresses then are not.
    }
    return new OwnPorts(addresses);
  }

  OwnPorts(Set<InetAddress> machine) {
    this.machine = Set.copyOf(machine);
  }

  /** The ports the sidecar listens on, once they are bound (0 and negative values are ignored). */
  public void listen(Collection<Integer> bound) {
    Set<Integer> out = new HashSet<>();
    for (Integer p : bound) {
      if (p != null && p > 0) {
        out.add(p);
      }
    }
    ports = Set.copyOf(out);
  }

  /** Whether a connection to {@code address} would reach this sidecar. */
  public boolean contains(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null || !ports.contains(address.getPort())) {
      return false;
    }
    return ip.isLoopbackAddress() || ip.isAnyLocalAddress() || machine.contains(ip);
  }
}
