package io.meshwork.proxy.discovery;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A control-plane call that failed: either the server answered with an error {@code Status} (then
 * {@link #status()} is its HTTP code and {@link #causes()} its field errors), or it did not answer at all
 * ({@link #unreachable()}).
 */
public final class ControlPlaneException extends RuntimeException {
  /** One field error of a Kubernetes {@code Status}'s {@code details.causes}. */
  public record Cause(String field, String message) {
    /** "spec.http[0].route: missing (expected: ...)"; the bare message when no field is named. */
    public String format() {
      return field == null || field.isEmpty() ? message : field + ": " + message;
    }
  }

  private final URI controlPlane;
  private final int status;
  private final String reason;
  private final List<Cause> causes;

  private ControlPlaneException(URI controlPlane, int status, String reason, String message, List<Cause> causes,
      Throwable cause) {
    super(message, cause);
    this.controlPlane = controlPlane;
    this.status = status;
    this.reason = reason == null ? "" : reason;
    this.causes = List.copyOf(causes);
  }

  /** The server answered {@code status} with a {@code Status} body. */
  public static ControlPlaneException rejected(URI controlPlane, int status, String reason, String message,
      List<Cause> causes) {
    return new ControlPlaneException(controlPlane, status, reason, message, causes, null);
  }

  /** No answer: refused, reset, timed out or not HTTP. */
  public static ControlPlaneException unreachable(URI controlPlane, String what, Throwable cause) {
    return new ControlPlaneException(controlPlane, 0, "Unreachable",
        "cannot reach the control plane at " + controlPlane + ": " + what, List.of(), cause);
  }

  /**
   * Connected and sent the request, but no answer came within {@code timeout}: unlike {@link #unreachable}, the
   * request may have been carried out.
   */
  public static ControlPlaneException timedOut(URI controlPlane, java.time.Duration timeout, Throwable cause) {
    return new ControlPlaneException(controlPlane, 0, "Timeout", "timed out waiting for the control plane at "
        + controlPlane + " after " + timeout.toSeconds() + " s", List.of(), cause);
  }

  /** No answer because TLS failed: the control plane's certificate is not trusted, or it does not speak TLS. */
  public static ControlPlaneException tls(URI controlPlane, String what, Throwable cause) {
    return new ControlPlaneException(controlPlane, 0, "TlsFailure",
        "cannot establish TLS with the control plane at " + controlPlane + ": " + what, List.of(), cause);
  }

  public URI controlPlane() {
    return controlPlane;
  }

  /** The HTTP status the server answered with; 0 when it did not answer. */
  public int status() {
    return status;
  }

  /** Kubernetes' machine-readable reason ("NotFound", "Invalid", "Conflict", "Expired", ...). */
  public String reason() {
    return reason;
  }

  public List<Cause> causes() {
    return causes;
  }

  /** No HTTP answer at all: refused, reset, timed out, or TLS failed (see {@link #tlsFailure()}). */
  public boolean unreachable() {
    return status == 0;
  }

  /** The request was sent but its answer did not come in time; it may still take effect. */
  public boolean timedOut() {
    return status == 0 && reason.equals("Timeout");
  }

  public boolean tlsFailure() {
    return status == 0 && reason.equals("TlsFailure");
  }

  public boolean notFound() {
    return status == 404;
  }

  /** 410 Gone: the revision asked for was compacted away; list again. */
  public boolean gone() {
    return status == 410;
  }

  /** The message followed by each field error on its own line. */
  public String describe() {
    return causes.isEmpty()
        ? getMessage()
        : getMessage() + causes.stream().map(c -> "\n  " + c.format()).collect(Collectors.joining());
  }
}
