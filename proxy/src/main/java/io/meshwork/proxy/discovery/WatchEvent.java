package io.meshwork.proxy.discovery;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.Resource;
import java.util.List;

/** One line of a control-plane watch stream. */
public sealed interface WatchEvent {

  /** An object was created or changed (Kubernetes' ADDED and MODIFIED). */
  record Put(ObjectKey key, long revision, Resource<?> resource) implements WatchEvent {}

  /**
   * An object was created or changed, but this sidecar cannot read it (a kind or field newer than this build).
   * The mirror drops any older copy rather than keep serving one that no longer exists.
   */
  record Unreadable(ObjectKey key, long revision, List<Diagnostic> problems) implements WatchEvent {
    public Unreadable {
      problems = List.copyOf(problems);
    }
  }

  record Deleted(ObjectKey key, long revision) implements WatchEvent {}

  /** Every change up to {@code revision} has been sent: a reconnecting client resumes from here. */
  record Bookmark(long revision) implements WatchEvent {}

  /**
   * The server ended the stream with an error {@code Status}; 410 means the revision was compacted away and the
   * client must list again.
   */
  record Failed(int code, String reason, String message) implements WatchEvent {}
}
