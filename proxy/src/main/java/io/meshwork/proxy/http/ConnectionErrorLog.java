package io.meshwork.proxy.http;

import java.util.EnumMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines for connection errors caused by clients: at most one per reason per interval,
 * naming how many were left out since the last one, and never a stack trace (a client that sends
 * broken frames in a loop must not be able to fill the disk). Shared by every event loop.
 */
public final class ConnectionErrorLog {
  public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_MESSAGE = 160;
  private static final Logger log = LoggerFactory.getLogger(ConnectionErrorLog.class);

  private static final ConnectionErrorLog SHARED = new ConnectionErrorLog();

  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final EnumMap<ConnectionError, AtomicLong> nextLine = new EnumMap<>(ConnectionError.class);
  private final EnumMap<ConnectionError, AtomicLong> suppressed = new EnumMap<>(ConnectionError.class);

  /** The process's log: one rate limit for every listener. */
  public static ConnectionErrorLog shared() {
    return SHARED;
  }

  public ConnectionErrorLog() {
    this(System::nanoTime, DEFAULT_INTERVAL_NANOS);
  }

  /** @param nanoTime the clock, controllable in tests */
  public ConnectionErrorLog(LongSupplier nanoTime, long intervalNanos) {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("intervalNanos: " + intervalNanos + " (expected: > 0)");
    }
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
    long now = nanoTime.getAsLong();
    for (ConnectionError reason : ConnectionError.values()) {
      nextLine.put(reason, new AtomicLong(now));
      suppressed.put(reason, new AtomicLong());
    }
  }

  /**
   * Logs one line for this error unless one for the same reason was logged within the interval.
   *
   * @return the line logged, or null when it was left out
   */
  public String report(ConnectionError reason, Object peer, Throwable cause) {
    long now = nanoTime.getAsLong();
    AtomicLong next = nextLine.get(reason);
    long due = next.get();
    if (now - due < 0 || !next.compareAndSet(due, now + intervalNanos)) {
      suppressed.get(reason).incrementAndGet();
      return null;
    }
    long skipped = suppressed.get(reason).getAndSet(0);
    String line = "downstream connection error " + reason.label() + " from " + peer + ": " + describe(cause)
        + (skipped > 0 ? " (" + skipped + " more since the last report)" : "");
    log.info(line);
    return line;
  }

  /** The exception's own message, printable ASCII only and short: it may quote the client's bytes. */
  static String describe(Throwable cause) {
    String text = cause.getMessage();
    if (text == null || text.isBlank()) {
      text = cause.getClass().getSimpleName();
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_MESSAGE + 3));
    for (int i = 0; i < text.length(); i++) {
      if (out.length() >= MAX_MESSAGE) {
        out.append("...");
        break;
      }
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
