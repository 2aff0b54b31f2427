package io.meshwork.proxy.hardening;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** HTTP/2 frames written by hand (RFC 9113 §4.1) over a plain socket, and the frames read back. */
final class RawH2 implements AutoCloseable {
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int PRIORITY = 0x2;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PUSH_PROMISE = 0x5;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int CONTINUATION = 0x9;
  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;
  static final int PADDED = 0x8;
  static final int PRIORITY_FLAG = 0x20;
  // Error codes, RFC 9113 §7.
  static final int NO_ERROR = 0x0;
  static final int PROTOCOL_ERROR = 0x1;
  static final int FLOW_CONTROL_ERROR = 0x3;
  static final int STREAM_CLOSED = 0x5;
  static final int FRAME_SIZE_ERROR = 0x6;
  static final int REFUSED_STREAM = 0x7;
  static final int CANCEL = 0x8;
  static final int COMPRESSION_ERROR = 0x9;

  /** One frame as received. */
  record Frame(int type, int flags, int stream, byte[] payload) {
    /** The error code of RST_STREAM or GOAWAY. */
    int errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
          | (payload[at + 3] & 0xff);
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final Http2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  RawH2(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    socket.setSoTimeout(5000);
    out = socket.getOutputStream();
    pending.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** A request header block for {@code authority} and {@code path}, without validation so tests can break it. */
  static Http2Headers request(String authority, String path) {
    return new DefaultHttp2Headers(false).method("GET").scheme("http").authority(authority).path(path);
  }

  byte[] block(Http2Headers headers) {
    ByteBuf buf = Unpooled.buffer();
    try {
      encoder.encodeHeaders(0, headers, buf);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      return bytes;
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  RawH2 headers(int stream, Http2Headers headers, boolean endStream) {
    return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(headers));
  }

  RawH2 frame(int type, int flags, int stream, byte[] payload) {
    pending.write(payload.length >>> 16);
    pending.write(payload.length >>> 8);
    pending.write(payload.length);
    pending.write(type);
    pending.write(flags);
    pending.write(stream >>> 24);
    pending.write(stream >>> 16);
    pending.write(stream >>> 8);
    pending.write(stream);
    pending.writeBytes(payload);
    return this;
  }

  /** A payload of 32-bit words, big-endian (RST_STREAM, WINDOW_UPDATE, GOAWAY bodies). */
  static byte[] ints(int... values) {
    byte[] b = new byte[values.length * 4];
    for (int i = 0; i < values.length; i++) {
      b[4 * i] = (byte) (values[i] >>> 24);
      b[4 * i + 1] = (byte) (values[i] >>> 16);
      b[4 * i + 2] = (byte) (values[i] >>> 8);
      b[4 * i + 3] = (byte) values[i];
    }
    return b;
  }

  /** A SETTINGS payload (RFC 9113 §6.5.1): pairs of a 16-bit identifier and a 32-bit value. */
  static byte[] settings(long... idValuePairs) {
    byte[] b = new byte[idValuePairs.length / 2 * 6];
    for (int i = 0; i < idValuePairs.length / 2; i++) {
      int id = (int) idValuePairs[2 * i];
      long value = idValuePairs[2 * i + 1];
      b[6 * i] = (byte) (id >>> 8);
      b[6 * i + 1] = (byte) id;
      b[6 * i + 2] = (byte) (value >>> 24);
      b[6 * i + 3] = (byte) (value >>> 16);
      b[6 * i + 4] = (byte) (value >>> 8);
      b[6 * i + 5] = (byte) value;
    }
    return b;
  }

  RawH2 rst(int stream, int code) {
    return frame(RST_STREAM, 0, stream, new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code});
  }

  /** Sends what was framed so far; false if the peer had already closed the connection. */
  boolean flush() {
    try {
      out.write(pending.toByteArray());
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      pending.reset();
    }
  }

  /** Frames until the connection ends or nothing arrives for the socket timeout; the last element may be GOAWAY. */
  List<Frame> readUntilClose() throws IOException {
    return readUntil(f -> false);
  }

  /** Frames up to the first that matches {@code last}, the end of the connection, or the socket timeout. */
  List<Frame> readUntil(java.util.function.Predicate<Frame> last) throws IOException {
    List<Frame> frames = new ArrayList<>();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    try {
      while (true) {
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        Frame frame = new Frame(type, flags, stream, payload);
        frames.add(frame);
        if (last.test(frame)) {
          return frames;
        }
      }
    } catch (EOFException | SocketTimeoutException e) {
      return frames;
    } catch (IOException e) {
      // reset by peer after its GOAWAY
      return frames;
    }
  }

  /** Whether the peer closed the connection (a read returns EOF or fails) within the socket timeout. */
  boolean closedByPeer() throws IOException {
    try {
      return socket.getInputStream().read() < 0 || socket.getInputStream().read(new byte[1 << 16]) < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Reads and throws away what the peer sent until it closes; false if it still talks at the socket timeout. */
  boolean closedByPeerAfterDraining() throws IOException {
    byte[] sink = new byte[1 << 16];
    try {
      while (socket.getInputStream().read(sink) >= 0) {
        // the queued acks, then the end
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
