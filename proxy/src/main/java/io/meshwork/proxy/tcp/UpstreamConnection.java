package io.meshwork.proxy.tcp;

import io.meshwork.proxy.cluster.Endpoint;
import io.netty.channel.Channel;

/**
 * The outcome of connecting to a destination: errors are values, so every way in answers in its
 * own protocol.
 */
public sealed interface UpstreamConnection {

  /**
   * A connected upstream channel on the caller's event loop, with auto-read off.
   *
   * @param channel the connected channel
   * @param endpoint the endpoint it counts against until it closes, or null for an original destination
   */
  record Connected(Channel channel, Endpoint endpoint) implements UpstreamConnection {}

  /**
   * No connection: every allowed attempt failed.
   *
   * @param failure the classified reason of the last attempt
   * @param detail human-readable cause for logs
   */
  record Failed(ConnectFailure failure, String detail) implements UpstreamConnection {}
}
