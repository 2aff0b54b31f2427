package io.meshwork.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a settings message that names a record component ({@code inboundPort: -1 (expected: ...)})
 * into one that names the command-line option the user typed ({@code --inbound-port: -1 ...}).
 */
final class OptionNames {
  private static final Pattern LEADING_FIELD = Pattern.compile("^([a-z][A-Za-z]*)(\\[[^]]*])?:");

  private OptionNames() {}

  static String of(String message) {
    Matcher m = LEADING_FIELD.matcher(message);
    if (!m.find()) {
      return message;
    }
    String option = switch (m.group(1)) {
      case "bindAddress" -> "bind";
      case "upstreams" -> "upstream";
      default -> m.group(1).replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    };
    String index = m.group(2) == null ? "" : m.group(2);
    return "--" + option + index + ":" + message.substring(m.end());
  }
}
