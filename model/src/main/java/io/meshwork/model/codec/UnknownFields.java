package io.meshwork.model.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.validation.FieldPath;
import io.meshwork.model.validation.Violation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds fields of a document that the target record type does not have. Unknown fields are warnings,
 * not errors: a field from a newer Istio release must not reject a whole file, but the user should
 * learn that it is ignored. Walks the document tree against the record components' generic types, so
 * it reports every unknown field, at any depth, with its exact path.
 */
final class UnknownFields {
  private UnknownFields() {}

  static void find(JsonNode node, Type type, String path, List<Violation> out) {
    if (node == null || node.isNull()) {
      return;
    }
    if (type instanceof Class<?> c && c.isRecord() && node.isObject()) {
      RecordComponent[] components = c.getRecordComponents();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String child = FieldPath.child(path, field.getKey());
        RecordComponent rc = Arrays.stream(components)
            .filter(x -> x.getName().equals(field.getKey())).findFirst().orElse(null);
        if (rc == null) {
          String known = String.join(", ", Arrays.stream(components).map(RecordComponent::getName).toList());
          out.add(Violation.warning(child, "unknown field, ignored (expected: one of " + known + ")"));
        } else {
          find(field.getValue(), rc.getGenericType(), child, out);
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
