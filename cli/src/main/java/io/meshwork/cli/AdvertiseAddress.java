package io.meshwork.cli;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The address a sidecar registers for its app ({@code --advertise-address}): where peer sidecars, possibly on
 * other machines, dial its inbound port. It becomes the WorkloadEntry's {@code address}, so it must be one peers
 * can reach: never the wildcard address a socket may bind ({@code 0.0.0.0}), never a multicast or broadcast
 * address, and loopback only when the whole mesh is on one machine (the control plane is on loopback).
 *
 * @param address the address peers dial
 */
record AdvertiseAddress(InetAddress address) {
  static final String OPTION = "--advertise-address";

  /**
   * The address from {@code --advertise-address} (an IP address, or a host name looked up once now), or when that
   * is null the one this machine uses to reach the control plane: the local address the kernel picks for a UDP
   * socket "connected" to it (no packet is sent). A control plane on loopback means a mesh on one machine, and
   * loopback is advertised.
   */
  static AdvertiseAddress resolve(String option, URI controlPlane) {
    InetAddress plane = controlPlaneAddress(controlPlane);
    if (option == null || option.isBlank()) {
      return check(plane.isLoopbackAddress() ? plane : routeTo(plane, controlPlane), controlPlane, plane,
          "the address that reaches the control plane");
    }
    InetAddress given;
    try {
      given = InetAddress.getByName(option.strip());
    } catch (UnknownHostException e) {
      throw new UserError(OPTION + ": " + option + " does not resolve (expected: an IP address of this machine that"
          + " peers can reach, e.g. 10.0.0.5)", ExitCode.USAGE);
    }
    return check(given, controlPlane, plane, option.strip());
  }

  /** The address as registered: an IP literal. */
  String text() {
    return address.getHostAddress();
  }

  private static InetAddress controlPlaneAddress(URI controlPlane) {
    try {
      return InetAddress.getByName(controlPlane.getHost());
    } catch (UnknownHostException e) {
      throw new UserError("--control-plane: host " + controlPlane.getHost() + " does not resolve (expected: the"
          + " control plane's host name or address; or set " + OPTION + ")", ExitCode.USAGE);
    }
  }

  private static InetAddress routeTo(InetAddress plane, URI controlPlane) {
    int port = controlPlane.getPort() > 0 ? controlPlane.getPort() : "https".equals(controlPlane.getScheme()) ? 443
        : 80;
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(new InetSocketAddress(plane, port));
      InetAddress local = probe.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw new IOException("no route");
      }
      return local;
    } catch (IOException e) {
      throw new UserError("cannot tell which address of this machine reaches the control plane at " + controlPlane
          + " (" + e.getMessage() + "); set " + OPTION + " to an address peers can reach");
    }
  }

  private static AdvertiseAddress check(InetAddress address, URI controlPlane, InetAddress plane, String what) {
    String problem = null;
    if (address.isAnyLocalAddress()) {
      problem = "is the wildcard address, which listens everywhere but names no machine";
    } else if (address.isMulticastAddress()) {
      problem = "is a multicast address";
    } else if (address instanceof Inet4Address && address.getHostAddress().equals("255.255.255.255")) {
      problem = "is the broadcast address";
    } else if (address instanceof Inet6Address v6 && v6.isLinkLocalAddress()) {
      problem = "is an IPv6 link-local address, which peers cannot dial without this machine's zone";
    } else if (address.isLoopbackAddress() && !plane.isLoopbackAddress()) {
      problem = "is loopback, but the control plane at " + controlPlane + " is not: peers on other machines would dial"
          + " themselves";
    }
    if (problem != null) {
      throw new UserError(OPTION + ": " + what + (what.equals(address.getHostAddress()) ? "" : " ("
          + address.getHostAddress() + ")") + " " + problem + " (expected: an address of this machine that peers can"
          + " reach, e.g. 10.0.0.5)", ExitCode.USAGE);
    }
    return new AdvertiseAddress(address);
  }
}
