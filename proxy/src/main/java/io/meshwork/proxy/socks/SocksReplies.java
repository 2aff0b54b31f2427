package io.meshwork.proxy.socks;

import io.meshwork.proxy.tcp.ConnectFailure;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * RFC 1928 §6 replies. The mapping from mesh decisions to REP codes:
 * <ul>
 *   <li>0x00 succeeded: the upstream is connected; BND is the proxy's local address of it.
 *   <li>0x01 general failure: no snapshot loaded yet, a malformed request, or an unclassified error.
 *   <li>0x02 not allowed by ruleset: the host is neither a mesh service nor allowed by a ServiceEntry.
 *   <li>0x03 network unreachable: the kernel has no route to the endpoint's network.
 *   <li>0x04 host unreachable: the service has no endpoint, its name does not resolve, no route to
 *       the host, or the connect timed out.
 *   <li>0x05 connection refused: every attempt (the pick and one retry) was refused.
 *   <li>0x07 command not supported: BIND and UDP ASSOCIATE.
 *   <li>0x08 address type not supported: an ATYP other than 0x01, 0x03 and 0x04.
 * </ul>
 */
final class SocksReplies {
  private SocksReplies() {}

  static Socks5CommandStatus status(ConnectFailure failure) {
    return switch (failure) {
      case REFUSED -> Socks5CommandStatus.CONNECTION_REFUSED;
      case NO_ENDPOINT, HOST_UNREACHABLE, UNKNOWN_HOST, TIMED_OUT -> Socks5CommandStatus.HOST_UNREACHABLE;
      case NETWORK_UNREACHABLE -> Socks5CommandStatus.NETWORK_UNREACHABLE;
      case TLS_HANDSHAKE, OTHER -> Socks5CommandStatus.FAILURE;
    };
  }

  static Socks5CommandResponse failure(Socks5CommandStatus status) {
    // RFC 1928 §6 leaves BND meaningless on failure; zeros are what clients expect.
    return new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4, "0.0.0.0", 0);
  }

  static Socks5CommandResponse success(SocketAddress bound) {
    if (bound instanceof InetSocketAddress isa && isa.getAddress() != null) {
      String host = NetUtil.toAddressString(isa.getAddress());
      Socks5AddressType type = isa.getAddress().getAddress().length == 4 ? Socks5AddressType.IPv4 : Socks5AddressType.IPv6;
      return new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, type, host, isa.getPort());
    }
    return new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, Socks5AddressType.IPv4, "0.0.0.0", 0);
  }
}
