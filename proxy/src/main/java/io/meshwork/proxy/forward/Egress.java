package io.meshwork.proxy.forward;

import io.meshwork.proxy.http.ProxyError;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.tcp.TcpTraffic;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.util.function.Consumer;

/**
 * What a port does beyond its route table: requests for hosts no route knows, and CONNECT tunnels
 * (RFC 9110 §9.3.6). Only the outbound HTTP proxy port has one; on other ports such a host is
 * answered 404 and CONNECT 405. Both calls answer on {@code loop}, possibly before they return, and
 * never block it.
 */
public interface Egress {

  /** The outcome of a passthrough decision. */
  sealed interface Passage permits Through, Refused {}

  /** The outcome of opening a tunnel. */
  sealed interface Tunnel permits Opened, Refused {}

  /**
   * Forward the request on a route made for it: one cluster holding the resolved destination.
   *
   * @param decision the route, its cluster and destination
   */
  record Through(RouteDecision.Matched decision) implements Passage {}

  /**
   * A tunnel's upstream, connected on the caller's event loop with auto-read off.
   *
   * @param upstream the connected channel
   * @param destination what the tunnel reaches, for the request record
   * @param traffic where the tunnel reports its bytes and lifetime (Istio's TCP metrics)
   */
  record Opened(Channel upstream, String destination, TcpTraffic traffic) implements Tunnel {}

  /**
   * Answer the request with this error instead.
   *
   * @param error the status and {@code x-meshwork-error} reason
   * @param message the body, naming the host
   */
  record Refused(ProxyError error, String message) implements Passage, Tunnel {}

  /**
   * Decides on a request whose host no route knows.
   *
   * @param request the request head, before it is shaped for the upstream
   * @param target its target as the port derived it
   */
  void passthrough(EventLoop loop, HttpRequest request, Target target, Consumer<Passage> outcome);

  /**
   * Opens the upstream side of a CONNECT tunnel to {@code target.host():target.port()}.
   */
  void tunnel(EventLoop loop, Target target, Consumer<Tunnel> outcome);
}
