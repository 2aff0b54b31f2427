package io.meshwork.proxy.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Exact bytes to a port on 127.0.0.1, and everything it answers until it closes the connection. */
final class RawHttp {
  private RawHttp() {}

  /** What came back and whether the server closed the connection (EOF) within the wait. */
  record Reply(String text, boolean closed) {
    int statusLines() {
      return (int) java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(text).results().count();
    }
  }

  static Reply exchange(int port, String request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return readUntilClose(s.getInputStream());
    }
  }

  static Reply readUntilClose(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    boolean closed;
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (IOException e) {
      // A reset after the answer also ends the connection.
      closed = true;
    }
    return new Reply(out.toString(StandardCharsets.ISO_8859_1), closed);
  }
}
