package io.meshwork.proxy.telemetry;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log lines on its own thread, so an event loop only hands a line over: {@link #offer}
 * never blocks; when the bounded queue is full (a slow disk, a stalled pipe on stdout) the line is
 * dropped and counted. Lines are written in batches and flushed when the queue runs dry.
 */
final class AccessLogWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);
  static final int DEFAULT_CAPACITY = 8192;
  /** At most one log line about write failures per this many nanoseconds. */
  private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String path;
  private final Writer out;
  private final boolean ownsStream;
  private final BlockingQueue<String> queue;
  private final CounterDataPoint dropped;
  private final CounterDataPoint failures;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private long lastFailureLog = Long.MIN_VALUE;

  private AccessLogWriter(String path, OutputStream stream, boolean ownsStream, int capacity, CounterDataPoint dropped,
      CounterDataPoint failures) {
    this.path = path;
    this.out = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
    this.ownsStream = ownsStream;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.dropped = dropped;
    this.failures = failures;
    this.thread = Thread.ofPlatform().daemon().name("access-log " + path).unstarted(this::run);
    thread.start();
  }

  /**
   * Opens {@code path} for appending ({@code /dev/stdout} and {@code /dev/stderr} are the process's
   * streams). Runs on the thread that swaps snapshots, never on an event loop.
   *
   * @throws IOException when the file cannot be opened (no such directory, no permission)
   */
  static AccessLogWriter open(String path, int capacity, CounterDataPoint dropped, CounterDataPoint failures) throws IOException {
    return switch (path) {
      case "/dev/stdout" -> new AccessLogWriter(path, System.out, false, capacity, dropped, failures);
      case "/dev/stderr" -> new AccessLogWriter(path, System.err, false, capacity, dropped, failures);
      default -> new AccessLogWriter(path, new FileOutputStream(path, true), true, capacity, dropped, failures);
    };
  }

  /** A writer to {@code stream}, named {@code path} in logs; for tests that need a stream they control. */
  static AccessLogWriter to(String path, OutputStream stream, int capacity, CounterDataPoint dropped,
      CounterDataPoint failures) {
    return new AccessLogWriter(path, stream, true, capacity, dropped, failures);
  }

  String path() {
    return path;
  }

  /** Hands a line over; never blocks. Returns false (and counts it) when the queue is full or closed. */
  boolean offer(String line) {
    if (closed.get() || !queue.offer(line)) {
      dropped.inc();
      return false;
    }
    return true;
  }

  private void run() {
    try {
      while (!closed.get() || !queue.isEmpty()) {
        String line = queue.poll(100, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        write(line);
        String next;
        while ((next = queue.poll()) != null) {
          write(next);
        }
        flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      flush();
      if (ownsStream) {
        try {
          out.close();
        } catch (IOException e) {
          failed(e);
        }
      }
    }
  }

  private void write(String line) {
    try {
      out.write(line);
    } catch (IOException e) {
      failed(e);
    }
  }

  private void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      failed(e);
    }
  }

  private void failed(IOException e) {
    failures.inc();
    long now = System.nanoTime();
    if (lastFailureLog == Long.MIN_VALUE || now - lastFailureLog > FAILURE_LOG_INTERVAL_NANOS) {
      lastFailureLog = now;
      log.warn("access log {}: write failed ({}); failures are counted in meshwork_access_log_write_failures_total",
          path, e.getMessage());
    }
  }

  /** Writes what is queued, then stops; waits at most {@code millis} for the writer thread. */
  void close(long millis) {
    if (closed.compareAndSet(false, true)) {
      try {
        thread.join(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    close(2000);
  }
}
