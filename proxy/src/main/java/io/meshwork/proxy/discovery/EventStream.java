package io.meshwork.proxy.discovery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * An open watch: newline-delimited JSON events read one at a time on the caller's thread. {@link #close()} may be
 * called from any thread and makes a blocked {@link #next()} return.
 */
public final class EventStream implements AutoCloseable {
  private final InputStream body;
  private final BufferedReader lines;
  private volatile long lastActivityNanos = System.nanoTime();
  private volatile boolean closed;

  EventStream(InputStream body) {
    this.body = body;
    this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
  }

  /**
   * The next event, or null when the server ended the stream (or it was closed).
   *
   * @throws IOException when the connection fails or a line is not an event
   */
  public WatchEvent next() throws IOException {
    while (true) {
      String line;
      try {
        line = lines.readLine();
      } catch (IOException e) {
        if (closed) {
          return null;
        }
        throw e;
      }
      if (line == null) {
        return null;
      }
      lastActivityNanos = System.nanoTime();
      if (!line.isBlank()) {
        return WireFormat.event(line);
      }
    }
  }

  /** When the last line arrived (System.nanoTime), for noticing a connection that died without a FIN. */
  long lastActivityNanos() {
    return lastActivityNanos;
  }

  @Override
  public void close() {
    closed = true;
    try {
      // Closing the body of a JDK HttpClient response cancels the exchange and wakes a blocked read.
      body.close();
    } catch (IOException ignored) {
      // Nothing more to release.
    }
  }
}
