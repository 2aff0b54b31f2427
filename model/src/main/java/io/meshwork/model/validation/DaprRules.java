package io.meshwork.model.validation;

import static io.meshwork.model.validation.FieldPath.child;
import static io.meshwork.model.validation.FieldPath.index;

import io.meshwork.model.codec.DurationFormat;
import io.meshwork.model.dapr.Component;
import io.meshwork.model.dapr.Component.MetadataItem;
import io.meshwork.model.dapr.ComponentType;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Validation of Dapr's kinds: each component type accepts its own metadata, and nothing else. */
final class DaprRules {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-]+:[0-9]{1,5}|\\[[0-9A-Fa-f:.]+]:[0-9]{1,5}");

  private DaprRules() {}

  /** @param scopesPath where the scopes are written: beside {@code spec}, as Dapr has them */
  static void component(Component c, String path, String scopesPath, Findings f) {
    if (!f.required(child(path, "type"), c.type(), "one of " + ComponentType.known())) {
      return;
    }
    ComponentType type = ComponentType.of(c.type()).orElse(null);
    if (type == null) {
      f.error(child(path, "type"), c.type(), "one of " + ComponentType.known());
      return;
    }
    if (c.version() != null && !c.version().equals("v1")) {
      f.error(child(path, "version"), c.version(), "v1");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < c.metadata().size(); i++) {
      MetadataItem item = c.metadata().get(i);
      String at = index(child(path, "metadata"), i);
      if (!f.required(child(at, "name"), item.name(), "a metadata name of " + type.typeName())) {
        continue;
      }
      ComponentType.Value kind = type.metadata().get(item.name());
      if (kind == null) {
        f.error(child(at, "name"), item.name(), type.metadata().isEmpty()
            ? "no metadata: " + type.typeName() + " reads none"
            : "for " + type.typeName() + ", one of " + String.join(", ", new TreeSet<>(type.metadata().keySet())));
        continue;
      }
      Integer earlier = seen.putIfAbsent(item.name(), i);
      if (earlier != null) {
        f.error(child(at, "name"), item.name(), "each name once; also set at metadata[" + earlier + "]");
      }
      if (item.secretKeyRef() != null) {
        f.describe(child(at, "secretKeyRef"), "a secret reference",
            "value: secret stores are not supported yet");
        continue;
      }
      if (item.value() == null) {
        f.missing(child(at, "value"), kind.expected());
      } else if (!valid(kind, item.value())) {
        f.error(child(at, "value"), item.value(), kind.expected());
      }
    }
    for (String name : type.required()) {
      if (!seen.containsKey(name)) {
        f.missing(child(path, "metadata"), "an item named " + name + " for " + type.typeName());
      }
    }
    for (int i = 0; i < c.scopes().size(); i++) {
      if (f.required(index(scopesPath, i), c.scopes().get(i), "an app id (a service name)")) {
        f.dnsLabel(index(scopesPath, i), c.scopes().get(i));
      }
    }
  }

  /** Whether {@code text} is a value of {@code kind}. */
  static boolean valid(ComponentType.Value kind, String text) {
    return switch (kind) {
      case TEXT -> true;
      case IDENTIFIER -> IDENTIFIER.matcher(text).matches();
      case DURATION -> DurationFormat.parse(text).isPresent();
      case HOST_PORT -> HOST_PORT.matcher(text).matches() && port(text.substring(text.lastIndexOf(':') + 1));
      case NON_NEGATIVE_INTEGER -> integer(text) >= 0;
      case BOOLEAN -> text.equals("true") || text.equals("false");
      case TTL -> integer(text) >= -1;
      case KEY_PREFIX -> !text.isEmpty() && !text.contains("||");
    };
  }

  private static boolean port(String digits) {
    int p = Integer.parseInt(digits);
    return p >= 1 && p <= 65535;
  }

  private static long integer(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }
}
