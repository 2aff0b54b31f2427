package io.meshwork.model.validation;

import java.util.regex.Pattern;

/**
 * JSON paths as shown in diagnostics: {@code spec.http[0].match[0].headers.x-canary}. Names that
 * are not plain identifiers are quoted: {@code metadata.labels["app.kubernetes.io/name"]}. The
 * parser's location index and the validator build paths with these same functions, so every
 * violation can be traced back to a line.
 */
public final class FieldPath {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");

  private FieldPath() {}

  public static String child(String parent, String name) {
    String segment = PLAIN.matcher(name).matches() ? name : "[\"" + name.replace("\"", "\\\"") + "\"]";
    if (parent == null || parent.isEmpty()) {
      return segment;
    }
    return segment.startsWith("[") ? parent + segment : parent + "." + segment;
  }

  public static String index(String parent, int index) {
    return (parent == null ? "" : parent) + "[" + index + "]";
  }

  /** The enclosing path, "" for a top-level field. */
  public static String parent(String path) {
    if (path.endsWith("]")) {
      int open = path.endsWith("\"]") ? path.lastIndexOf("[\"") : path.lastIndexOf('[');
      return open <= 0 ? "" : path.substring(0, open);
    }
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }
}
