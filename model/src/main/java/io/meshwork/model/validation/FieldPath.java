package io.meshwork.model.validation;

/**
 * JSON paths as shown in diagnostics: {@code spec.http[0].match[0].headers.x-canary}. Names that
 * are not plain identifiers are quoted: {@code metadata.labels["app.kubernetes.io/name"]}. The
 * parser's location index and the validator build paths with these same functions, so every
 * violation can be traced back to a line.
 */
public final class FieldPath {
  private FieldPath() {}

  public static String child(String parent, String name) {
    String segment = plain(name) ? name : "[\"" + name.replace("\"", "\\\"") + "\"]";
    if (parent == null || parent.isEmpty()) {
      return segment;
    }
    return segment.startsWith("[") ? parent + segment : parent + "." + segment;
  }

  /** [A-Za-z0-9_-]+, checked by hand: paths are built for every field of every document read. */
  private static boolean plain(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
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
