package io.meshwork.proxy.security.authz;

import io.netty.util.NetUtil;
import java.net.InetAddress;

/**
 * An IP address or CIDR block ("10.0.0.0/8", "2001:db8::/32", "192.168.1.7"), as in Istio's
 * {@code ipBlocks} and the {@code source.ip}-style condition keys. IPv4 never matches IPv6.
 */
record IpBlock(byte[] network, int prefixLength) {

  static IpBlock parse(String field, String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(field + ": \"\" (expected: an IP address or CIDR)");
    }
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    // A literal only: a host name here would mean a DNS lookup at compile time.
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      throw new IllegalArgumentException(field + ": " + text + " (expected: an IP address or CIDR)");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException(field + ": " + text + " (expected: a prefix length 0.." + max + ")");
      }
    }
    return new IpBlock(bytes, prefix);
  }

  boolean contains(InetAddress address) {
    if (address == null) {
      return false;
    }
    byte[] candidate = address.getAddress();
    if (candidate.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (candidate[full] & mask) == (network[full] & mask);
  }
}
