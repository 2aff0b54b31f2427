package io.meshwork.model;

import java.util.Locale;
import java.util.Objects;

/**
 * A problem found in a configuration source, located like a compiler message.
 *
 * @param severity ERROR rejects the source; WARNING (a likely mistake) and NOTICE (a field that is accepted but has
 *     no effect yet) do not
 * @param source the file name (or another label such as "request body")
 * @param line 1-based, or 0 when unknown
 * @param column 1-based, or 0 when unknown
 * @param field the JSON path of the offending field ("spec.http[0].route[0].weight"), or "" for the
 *     document as a whole
 * @param message what is wrong, as {@code value (expected: ...)}
 */
public record Diagnostic(Severity severity, String source, int line, int column, String field, String message) {
  public enum Severity {
    ERROR,
    WARNING,
    NOTICE
  }

  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    source = source == null ? "" : source;
    field = field == null ? "" : field;
    message = message == null ? "" : message;
  }

  public static Diagnostic error(String source, int line, int column, String field, String message) {
    return new Diagnostic(Severity.ERROR, source, line, column, field, message);
  }

  public static Diagnostic warning(String source, int line, int column, String field, String message) {
    return new Diagnostic(Severity.WARNING, source, line, column, field, message);
  }

  public static Diagnostic notice(String source, int line, int column, String field, String message) {
    return new Diagnostic(Severity.NOTICE, source, line, column, field, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /**
   * {@code routes.yaml:12:7: error: spec.http[0].route[0].weight: -5 (expected: an integer 0..100)}; a notice reads
   * {@code routes.yaml:9:5: notice: spec.trafficPolicy.outlierDetection is accepted but not enforced yet}.
   */
  public String format() {
    StringBuilder out = new StringBuilder(source);
    if (line > 0) {
      out.append(':').append(line);
      if (column > 0) {
        out.append(':').append(column);
      }
    }
    if (!out.isEmpty()) {
      out.append(": ");
    }
    out.append(severity.name().toLowerCase(Locale.ROOT)).append(": ");
    if (!field.isEmpty()) {
      out.append(field).append(severity == Severity.NOTICE ? " " : ": ");
    }
    return out.append(message).toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
