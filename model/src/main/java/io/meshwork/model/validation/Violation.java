package io.meshwork.model.validation;

import io.meshwork.model.Diagnostic.Severity;

/**
 * A rule a resource breaks.
 *
 * @param field JSON path from the document root, e.g. "spec.http[0].route[0].weight"
 * @param message {@code value (expected: ...)}
 */
public record Violation(Severity severity, String field, String message) {
  public static Violation error(String field, String message) {
    return new Violation(Severity.ERROR, field, message);
  }

  public static Violation warning(String field, String message) {
    return new Violation(Severity.WARNING, field, message);
  }

  public static Violation notice(String field, String message) {
    return new Violation(Severity.NOTICE, field, message);
  }

  /** {@code field: message}, as shown to users. */
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
