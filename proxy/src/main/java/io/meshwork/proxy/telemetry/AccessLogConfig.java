package io.meshwork.proxy.telemetry;

/**
 * The access log a snapshot asks for (Istio {@code meshConfig.accessLogFile}, {@code accessLogEncoding},
 * {@code accessLogFormat}), its format already compiled.
 *
 * @param path {@code /dev/stdout}, {@code /dev/stderr} or a file to append to; null when access logs are off
 * @param format the compiled format; null when off
 */
public record AccessLogConfig(String path, AccessLogFormat format) {
  /** No access log: Istio's default (an empty {@code accessLogFile}). */
  public static final AccessLogConfig OFF = new AccessLogConfig(null, null);

  public AccessLogConfig {
    if ((path == null) != (format == null)) {
      throw new IllegalArgumentException("path: " + path + " (expected: a path and a format, or neither)");
    }
    if (path != null && path.isBlank()) {
      throw new IllegalArgumentException("path: \"" + path + "\" (expected: /dev/stdout or a file path)");
    }
  }

  public boolean enabled() {
    return path != null;
  }

  /**
   * The config for Istio's three fields.
   *
   * @param file {@code accessLogFile}; null or empty turns access logs off
   * @param encoding {@code accessLogEncoding}; null for TEXT
   * @param format {@code accessLogFormat}; null or empty for Istio's default
   * @throws IllegalArgumentException when the format does not compile
   */
  public static AccessLogConfig of(String file, AccessLogFormat.Encoding encoding, String format) {
    if (file == null || file.isBlank()) {
      return OFF;
    }
    return new AccessLogConfig(file.trim(),
        AccessLogFormat.compile(format, encoding == null ? AccessLogFormat.Encoding.TEXT : encoding));
  }
}
