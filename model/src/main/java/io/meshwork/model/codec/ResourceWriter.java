package io.meshwork.model.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.Resource;
import io.meshwork.model.dapr.Component;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes resources with Istio's field names; nulls and empty collections are omitted and durations
 * are Istio strings, so that {@code ResourceParser.parse(write(r))} yields {@code r} again.
 */
public final class ResourceWriter {
  private ResourceWriter() {}

  /** {@code {apiVersion, kind, metadata, spec}} as a tree. */
  public static ObjectNode toJsonNode(Resource<?> resource) {
    ObjectNode node = ModelMapper.json().createObjectNode();
    node.put("apiVersion", resource.apiVersion());
    node.put("kind", resource.kind().kindName());
    ObjectNode metadata = ModelMapper.json().valueToTree(resource.metadata());
    if (!resource.kind().namespaced()) {
      metadata.remove("namespace");
    }
    node.set("metadata", metadata);
    ObjectNode spec = ModelMapper.json().valueToTree(resource.spec());
    node.set("spec", spec);
    if (resource.spec() instanceof Component) {
      // Dapr writes scopes beside the spec.
      var scopes = spec.remove(ResourceParser.SCOPES);
      if (scopes != null) {
        node.set(ResourceParser.SCOPES, scopes);
      }
    }
    return node;
  }

  /** Compact JSON, one line. */
  public static String toJson(Resource<?> resource) {
    return write(() -> ModelMapper.json().writeValueAsString(toJsonNode(resource)));
  }

  public static String toPrettyJson(Resource<?> resource) {
    return write(() -> ModelMapper.json().writerWithDefaultPrettyPrinter().writeValueAsString(toJsonNode(resource)));
  }

  /** One YAML document, starting with {@code ---}. */
  public static String toYaml(Resource<?> resource) {
    return write(() -> ModelMapper.yaml().writeValueAsString(toJsonNode(resource)));
  }

  /** A multi-document YAML stream. */
  public static String toYaml(List<? extends Resource<?>> resources) {
    StringBuilder out = new StringBuilder();
    resources.forEach(r -> out.append(toYaml(r)));
    return out.toString();
  }

  private interface Writing {
    String run() throws JsonProcessingException;
  }

  private static String write(Writing w) {
    try {
      return w.run();
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
