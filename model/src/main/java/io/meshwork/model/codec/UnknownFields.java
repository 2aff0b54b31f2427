package io.meshwork.model.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.validation.FieldPath;
import io.meshwork.model.validation.Violation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds fields of a document that the target record type does not have. Unknown fields are warnings,
 * not errors: a field from a newer Istio release must not reject a whole file, but the user should
 * learn that it is ignored. Walks the document tree against the record components' generic types, so
 * it reports every unknown field, at any depth, with its exact path.
 */
final class UnknownFields {
  /**
   * Each record's components by name with their generic types. Reflection builds both anew on every call (and
   * parses the generic signature), which made this walk the slowest part of reading a large source.
   */
  private static final ClassValue<Components> COMPONENTS = new ClassValue<>() {
    @Override
    protected Components computeValue(Class<?> type) {
      Map<String, Type> byName = new LinkedHashMap<>();
      for (RecordComponent rc : type.getRecordComponents()) {
        byName.put(rc.getName(), rc.getGenericType());
      }
      return new Components(byName, String.join(", ", byName.keySet()));
    }
  };

  private record Components(Map<String, Type> byName, String known) {}

  private UnknownFields() {}

  static void find(JsonNode node, Type type, String path, List<Violation> out) {
    if (node == null || node.isNull()) {
      return;
    }
    if (type instanceof Class<?> c && c.isRecord() && node.isObject()) {
      Components components = COMPONENTS.get(c);
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String child = FieldPath.child(path, field.getKey());
        Type componentType = components.byName().get(field.getKey());
        if (componentType == null) {
          out.add(Violation.warning(child, "unknown field, ignored (expected: one of " + components.known() + ")"));
        } else {
          find(field.getValue(), componentType, child, out);
        }
      }
    } else if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
      Type[] args = pt.getActualTypeArguments();
      if (Collection.class.isAssignableFrom(raw) && node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          find(node.get(i), args[0], FieldPath.index(path, i), out);
        }
      } else if (Map.class.isAssignableFrom(raw) && node.isObject()) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          find(e.getValue(), args[1], FieldPath.child(path, e.getKey()), out);
        }
      }
    }
  }
}
