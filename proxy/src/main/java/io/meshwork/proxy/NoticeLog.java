package io.meshwork.proxy;

import io.meshwork.proxy.config.MeshSnapshot;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the notices of the sidecar's snapshots (fields accepted but not enforced, kinds without
 * meaning here) at WARN, one line each. A notice is logged when a snapshot brings it and not again
 * while later snapshots keep it, so a mesh whose endpoints change often does not repeat itself; one
 * that goes away and comes back is logged again.
 */
final class NoticeLog {
  private static final Logger log = LoggerFactory.getLogger(NoticeLog.class);

  private final String subject;
  private Set<String> logged = Set.of();

  NoticeLog(String subject) {
    this.subject = subject;
  }

  /** Logs what {@code snapshot} notes that the previous one did not. */
  synchronized void snapshot(MeshSnapshot snapshot) {
    if (snapshot == null) {
      return;
    }
    Set<String> now = new LinkedHashSet<>(snapshot.notices());
    for (String notice : now) {
      if (!logged.contains(notice)) {
        log.warn("sidecar {}: config version {}: {}", subject, snapshot.version(), notice);
      }
    }
    logged = now;
  }
}
