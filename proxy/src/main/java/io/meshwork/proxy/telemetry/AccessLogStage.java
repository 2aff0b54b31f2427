package io.meshwork.proxy.telemetry;

import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's file access log as a request stage: when a request ends, its line is rendered with the
 * snapshot's compiled format on the request's event loop and handed to an {@link AccessLogWriter},
 * which writes it on its own thread. One instance per sidecar, shared by its inbound and outbound
 * stacks, so both directions go to the one file as in an Istio sidecar. Off (the default) costs one
 * volatile read per request.
 */
public final class AccessLogStage implements RequestStage, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccessLogStage.class);

  private final IstioMetrics metrics;
  private final int capacity;
  private final String owner;
  /** What requests are logged with; null when access logs are off or the file did not open. */
  private volatile Active active;
  private AccessLogConfig config = AccessLogConfig.OFF;

  private record Active(AccessLogFormat format, AccessLogWriter writer) {}

  /** @param owner who writes, for the one line logged when a file cannot be opened ({@code orders.shop}) */
  public AccessLogStage(IstioMetrics metrics, String owner) {
    this(metrics, owner, AccessLogWriter.DEFAULT_CAPACITY);
  }

  AccessLogStage(IstioMetrics metrics, String owner, int capacity) {
    this.metrics = metrics;
    this.owner = owner;
    this.capacity = capacity;
  }

  /**
   * Applies a snapshot's access log: opens the file when the path changed (the old writer finishes
   * its queue and closes), swaps the format otherwise. Runs on the thread that swaps snapshots. A file
   * that cannot be opened turns access logs off with one error line and a count in {@code
   * meshwork_access_log_open_failures_total}; requests are unaffected.
   *
   * @return null when applied, else why the file could not be opened
   */
  public synchronized String configure(AccessLogConfig next) {
    AccessLogConfig wanted = next == null ? AccessLogConfig.OFF : next;
    Active current = active;
    if (wanted.equals(config) && (current != null || !wanted.enabled())) {
      return null;
    }
    config = wanted;
    if (!wanted.enabled()) {
      active = null;
      closeQuietly(current);
      return null;
    }
    if (current != null && current.writer().path().equals(wanted.path())) {
      active = new Active(wanted.format(), current.writer());
      return null;
    }
    AccessLogWriter writer;
    try {
      writer = AccessLogWriter.open(wanted.path(), capacity, metrics.accessLogDropped(),
          metrics.accessLogWriteFailures());
    } catch (IOException | SecurityException e) {
      metrics.accessLogOpenFailures().inc();
      active = null;
      closeQuietly(current);
      String why = "access log " + wanted.path() + " cannot be opened (" + e.getMessage()
          + "); access logs are off until a configuration names a file that opens";
      log.error("sidecar {}: {}", owner, why);
      return why;
    }
    active = new Active(wanted.format(), writer);
    closeQuietly(current);
    log.info("sidecar {}: access log to {} ({})", owner, wanted.path(), wanted.format().encoding());
    return null;
  }

  private static void closeQuietly(Active a) {
    if (a != null) {
      a.writer().close();
    }
  }

  @Override
  public StageVerdict onRequest(StageRequest request) {
    return StageVerdict.NEXT;
  }

  @Override
  public void onEnd(RequestRecord record) {
    Active a = active;
    if (a != null) {
      a.writer().offer(a.format().render(record));
    }
  }

  /** Writes what is queued and closes the file. */
  @Override
  public synchronized void close() {
    Active a = active;
    active = null;
    config = AccessLogConfig.OFF;
    closeQuietly(a);
  }
}
