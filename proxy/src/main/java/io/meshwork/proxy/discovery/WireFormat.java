package io.meshwork.proxy.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.Diagnostic;
import io.meshwork.model.Kind;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The control plane's JSON, read with the model's own parser so that the sidecar accepts exactly what files
 * accept. Objects carry Kubernetes metadata ({@code resourceVersion} is the store revision of their last write).
 */
final class WireFormat {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Diagnostics of objects read from the control plane name this source. */
  static final String SOURCE = "control-plane.json";

  private WireFormat() {}

  /** The object as a resource, or the diagnostics explaining why this build cannot read it. */
  static ParseResult decode(JsonNode object) {
    ParseResult parsed = ResourceParser.parse(SOURCE, object.toString());
    if (!parsed.hasErrors() && parsed.resources().size() != 1) {
      return new ParseResult(List.of(), List.of(Diagnostic.error(SOURCE, 0, 0, "",
          parsed.resources().size() + " resources (expected: exactly one object)")));
    }
    return parsed;
  }

  static ObjectKey keyOf(JsonNode object) {
    String kindName = object.path("kind").asText("");
    JsonNode meta = object.path("metadata");
    String namespace = meta.path("namespace").asText("");
    Optional<Kind> kind = Kind.of(object.path("apiVersion").asText(null), kindName);
    if (kind.isPresent() && kind.get().namespaced() && namespace.isEmpty()) {
      namespace = "default";
    }
    if (kind.isPresent() && !kind.get().namespaced()) {
      namespace = "";
    }
    return new ObjectKey(kindName, namespace, meta.path("name").asText(""));
  }

  /** {@code metadata.resourceVersion} as a number; 0 when absent or not a number. */
  static long revisionOf(JsonNode object) {
    try {
      return Long.parseLong(object.path("metadata").path("resourceVersion").asText("0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static ResourceList list(JsonNode body) {
    List<Resource<?>> items = new ArrayList<>();
    List<Diagnostic> skipped = new ArrayList<>();
    for (JsonNode item : body.path("items")) {
      ParseResult parsed = decode(item);
      if (parsed.hasErrors()) {
        skipped.addAll(relabel(keyOf(item), parsed.errors()));
      } else {
        items.add(parsed.resources().getFirst());
      }
    }
    return new ResourceList(items, revisionOf(body), skipped);
  }

  /** Diagnostics relabelled with the object they came from, since the JSON text has no file. */
  static List<Diagnostic> relabel(ObjectKey key, List<Diagnostic> diagnostics) {
    return diagnostics.stream()
        .map(d -> new Diagnostic(d.severity(), key.toString(), 0, 0, d.field(), d.message()))
        .toList();
  }

  /** One watch line: {@code {"type": ..., "object": {...}}}. */
  static WatchEvent event(String line) throws IOException {
    JsonNode event = JSON.readTree(line);
    String type = event.path("type").asText("");
    JsonNode object = event.path("object");
    return switch (type) {
      case "ADDED", "MODIFIED" -> {
        ObjectKey key = keyOf(object);
        long revision = revisionOf(object);
        ParseResult parsed = decode(object);
        yield parsed.hasErrors()
            ? new WatchEvent.Unreadable(key, revision, relabel(key, parsed.errors()))
            : new WatchEvent.Put(key, revision, parsed.resources().getFirst());
      }
      case "DELETED" -> new WatchEvent.Deleted(keyOf(object), revisionOf(object));
      case "BOOKMARK" -> new WatchEvent.Bookmark(revisionOf(object));
      case "ERROR" -> new WatchEvent.Failed(object.path("code").asInt(500), object.path("reason").asText(""),
          object.path("message").asText("watch failed"));
      default -> throw new IOException("type: " + type
          + " (expected: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR in a watch event)");
    };
  }

  /** The error an answer with {@code status} stands for; the body is a Kubernetes {@code Status} when it parses. */
  static ControlPlaneException error(URI base, int status, byte[] body) {
    JsonNode root;
    try {
      root = body.length == 0 ? JSON.missingNode() : JSON.readTree(body);
    } catch (IOException e) {
      root = JSON.missingNode();
    }
    String message = root.path("message").asText("");
    if (message.isEmpty()) {
      String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
      message = "HTTP " + status + (text.isEmpty() ? "" : ": " + text.lines().findFirst().orElse(""));
    }
    List<ControlPlaneException.Cause> causes = new ArrayList<>();
    for (JsonNode c : root.path("details").path("causes")) {
      causes.add(new ControlPlaneException.Cause(c.path("field").asText(""), c.path("message").asText("")));
    }
    return ControlPlaneException.rejected(base, status, root.path("reason").asText(""), message, causes);
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
