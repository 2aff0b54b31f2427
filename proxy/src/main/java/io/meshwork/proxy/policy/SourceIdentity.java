package io.meshwork.proxy.policy;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.tls.PeerIdentity;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The SPIFFE identity the peer proved with its mTLS certificate, as the inbound policy reads it.
 * The TLS layer owns the connection attribute; this is the one place the policy layer reads it, so
 * {@code source.principal} and {@code source.namespace} have a single origin. A request on an
 * HTTP/2 stream asks the stream's parent, the TLS connection.
 */
public final class SourceIdentity {
  private static volatile Function<Channel, Optional<SpiffeId>> reader = PeerIdentity::of;

  private SourceIdentity() {}

  /** The authenticated peer of {@code channel} or of its parent connection; empty for plaintext peers. */
  public static Optional<SpiffeId> of(Channel channel) {
    return reader.apply(connection(channel));
  }

  /** The connection a request arrived on: an HTTP/2 stream's parent, else the channel itself. */
  static Channel connection(Channel channel) {
    return channel instanceof Http2StreamChannel && channel.parent() != null ? channel.parent() : channel;
  }

  /**
   * Replaces how identities are read until the returned handle is closed; for tests that play a
   * peer sidecar without running TLS.
   */
  public static Restore override(Function<Channel, Optional<SpiffeId>> replacement) {
    Objects.requireNonNull(replacement, "replacement");
    Function<Channel, Optional<SpiffeId>> previous = reader;
    reader = replacement;
    return () -> reader = previous;
  }

  /** Restores the previous reader. */
  @FunctionalInterface
  public interface Restore extends AutoCloseable {
    @Override
    void close();
  }
}
