package io.meshwork.proxy.http;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a downstream connection failed with an exception no handler took care of: mostly HTTP/2
 * connection errors (RFC 9113 §5.4.1), which the codec answers with GOAWAY before it reports them.
 * Counted in {@link RejectionCounters}; each is the client's doing, never the proxy's.
 */
public enum ConnectionError {
  /** RFC 9113 §7 PROTOCOL_ERROR: frames out of order, bad preface, malformed settings. */
  H2_PROTOCOL_ERROR,
  /** FLOW_CONTROL_ERROR: a window overflowed or a peer sent past it. */
  H2_FLOW_CONTROL_ERROR,
  /** FRAME_SIZE_ERROR: a frame longer than SETTINGS_MAX_FRAME_SIZE or of the wrong length. */
  H2_FRAME_SIZE_ERROR,
  /** COMPRESSION_ERROR: an HPACK block that does not decode. */
  H2_COMPRESSION_ERROR,
  /** ENHANCE_YOUR_CALM: a flood limit was hit (resets, empty frames, control frames). */
  H2_FLOOD,
  /** Any other HTTP/2 error code. */
  H2_OTHER,
  /** A TLS failure after the handshake settled. */
  TLS,
  /** A decoder failed on bytes that are not the protocol they claim to be. */
  DECODER,
  /** The socket failed: a reset, a broken pipe. */
  IO,
  OTHER;

  /** Whether the HTTP/2 codec reported it: the codec answers with GOAWAY and closes. */
  public boolean http2() {
    return name().startsWith("H2_");
  }

  /** The error's name as logged and exported: {@code h2_protocol_error}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ConnectionError of(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof Http2Exception h2) {
        return switch (h2.error()) {
          case PROTOCOL_ERROR -> H2_PROTOCOL_ERROR;
          case FLOW_CONTROL_ERROR -> H2_FLOW_CONTROL_ERROR;
          case FRAME_SIZE_ERROR -> H2_FRAME_SIZE_ERROR;
          case COMPRESSION_ERROR -> H2_COMPRESSION_ERROR;
          case ENHANCE_YOUR_CALM -> H2_FLOOD;
          default -> H2_OTHER;
        };
      }
      if (t instanceof SSLException) {
        return TLS;
      }
    }
    return switch (cause) {
      case DecoderException e -> DECODER;
      case IOException e -> IO;
      default -> OTHER;
    };
  }
}
