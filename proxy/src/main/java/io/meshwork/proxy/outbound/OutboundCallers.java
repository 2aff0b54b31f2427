package io.meshwork.proxy.outbound;

import io.meshwork.proxy.forward.TargetResolver;
import io.meshwork.proxy.http.ProxyError;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Who may use a sidecar's outbound ports to reach other services: Otoroshi's {@code sidecar.from}
 * ({@code SIDECAR_FROM}, one or more addresses) and {@code sidecar.strict} ({@code SIDECAR_STRICT}).
 * With strict on, the caller is the connection's peer address; with strict off, a proxy in front
 * of the app may name the caller in {@code X-Forwarded-For} (its first address). Any other caller
 * is answered 403 with a message that says why, as Otoroshi refuses such calls.
 *
 * @param allowed the addresses that may call out; loopback (IPv4 and IPv6) by default
 * @param strict whether only the peer address counts
 */
public record OutboundCallers(List<InetAddress> allowed, boolean strict) {
  /** Only this machine's loopback callers, by their peer address (the default). */
  public static final OutboundCallers LOOPBACK =
      new OutboundCallers(List.of(InetAddress.getLoopbackAddress(), loopback6()), true);

  public OutboundCallers {
    allowed = List.copyOf(allowed);
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException("from: (none) (expected: at least one address, e.g. 127.0.0.1)");
    }
  }

  /** Parses {@code SIDECAR_FROM}: addresses separated by commas (literal IPs; no names, so no lookups). */
  public static OutboundCallers parse(String from, boolean strict) {
    List<InetAddress> addresses = new java.util.ArrayList<>();
    for (String part : from.split(",")) {
      String address = part.strip();
      if (address.isEmpty()) {
        continue;
      }
      if (!isLiteral(address)) {
        throw new IllegalArgumentException("from: " + address + " (expected: an IP address such as 127.0.0.1)");
      }
      try {
        addresses.add(InetAddress.getByName(address));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("from: " + address + " (expected: an IP address such as 127.0.0.1)", e);
      }
    }
    return new OutboundCallers(addresses, strict);
  }

  /** Wraps a way in so that it refuses callers that are not allowed. */
  public TargetResolver guard(TargetResolver wayIn, String service) {
    return new TargetResolver() {
      @Override
      public Resolution resolve(HttpRequest request) {
        return wayIn.resolve(request);
      }

      @Override
      public Resolution resolve(HttpRequest request, InetSocketAddress remote) {
        InetAddress caller = caller(request, remote);
        if (caller == null || !allowed.contains(caller)) {
          return new Rejected(ProxyError.FORBIDDEN, "the sidecar of " + service + " does not proxy outbound calls for "
              + (caller == null ? "an unknown caller" : caller.getHostAddress()) + " (allowed: " + describe()
              + "; see SIDECAR_FROM)");
        }
        return wayIn.resolve(request, remote);
      }
    };
  }

  private InetAddress caller(HttpRequest request, InetSocketAddress remote) {
    if (!strict) {
      String forwarded = request.headers().get("x-forwarded-for");
      if (forwarded != null) {
        String first = forwarded.split(",", 2)[0].strip();
        if (isLiteral(first)) {
          try {
            return InetAddress.getByName(first);
          } catch (UnknownHostException e) {
            // Not an address after all: fall back to the peer.
          }
        }
      }
    }
    return remote == null ? null : remote.getAddress();
  }

  private String describe() {
    return allowed.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", "));
  }

  /** An IPv4 or IPv6 literal: digits, dots, hex and colons only, so InetAddress never does a DNS lookup. */
  private static boolean isLiteral(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
        && (s.contains(".") || s.contains(":"));
  }

  private static InetAddress loopback6() {
    try {
      return InetAddress.getByName("::1");
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
