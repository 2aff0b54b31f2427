package io.meshwork.proxy.hardening.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends one case's bytes to a port on 127.0.0.1 and reads until the server closes or goes quiet. */
public final class ProbeClient {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})");

  private ProbeClient() {}

  /**
   * @param answer a status code, {@code close}, {@code timeout} or {@code non-http} (as in {@link ProbeCase#expected()})
   * @param closed whether the server ended the connection within the wait
   * @param responses how many status lines came back
   */
  public record Outcome(String answer, boolean closed, int responses, String text) {}

  /** @param quietMillis how long to wait for the next byte before taking the server for silent */
  public static Outcome send(int port, byte[] request, int quietMillis) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(quietMillis);
      try {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
      } catch (IOException e) {
        // Refused while still sending (a large head): what was answered is read below.
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      boolean closed = read(s.getInputStream(), out);
      String text = out.toString(StandardCharsets.ISO_8859_1);
      Matcher m = STATUS_LINE.matcher(text);
      int responses = 0;
      String first = null;
      while (m.find()) {
        if (first == null && m.start() == 0) {
          first = m.group(1);
        }
        responses++;
      }
      String answer = first != null ? first : text.isEmpty() ? (closed ? "close" : "timeout") : "non-http";
      return new Outcome(answer, closed, responses, text);
    }
  }

  private static boolean read(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // A reset after (or instead of) the answer also ends the connection.
      return true;
    }
  }
}
