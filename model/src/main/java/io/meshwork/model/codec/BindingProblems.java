package io.meshwork.model.codec;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.meshwork.model.networking.StringMatch;
import io.meshwork.model.validation.FieldPath;
import io.meshwork.model.validation.Violation;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/** Translates Jackson's binding failures into {@code field: value (expected: ...)} violations. */
final class BindingProblems {
  private BindingProblems() {}

  static Violation toViolation(String prefix, JsonNode root, JsonMappingException e) {
    String path = prefix;
    JsonNode node = root;
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path = FieldPath.child(path, ref.getFieldName());
        node = node == null ? null : node.get(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path = FieldPath.index(path, ref.getIndex());
        node = node == null ? null : node.get(ref.getIndex());
      }
    }
    Class<?> target = switch (e) {
      case MismatchedInputException m -> m.getTargetType();
      case ValueInstantiationException v -> v.getType().getRawClass();
      default -> e.getCause() instanceof InputCoercionException c ? c.getTargetType() : null;
    };
    boolean outOfRange = e.getCause() instanceof InputCoercionException;
    String expected = outOfRange ? range(target) : e instanceof ValueInstantiationException
        ? "a valid " + (target == null ? "value" : target.getSimpleName())
        : expected(target);
    if (e instanceof MismatchedInputException m
        && m.getTargetType() == StringMatch.class
        && !(e instanceof InvalidFormatException)) {
      expected = ModelMapper.StringMatchDeserializer.EXPECTED;
    }
    String value = e instanceof InvalidFormatException f && f.getValue() != null
        ? render(f.getValue())
        : render(node);
    return Violation.error(path, value + " (expected: " + expected + ")");
  }

  private static String range(Class<?> type) {
    if (type == Integer.class || type == int.class) {
      return "an integer " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE;
    }
    if (type == Long.class || type == long.class) {
      return "an integer " + Long.MIN_VALUE + ".." + Long.MAX_VALUE;
    }
    return expected(type) + " in range";
  }

  /** What a user should write for a field of type {@code type}. */
  static String expected(Class<?> type) {
    if (type == null) {
      return "a valid value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class
        || type == Short.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class || type == Float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Duration.class) {
      return DurationFormat.EXPECTED;
    }
    if (type == StringMatch.class) {
      return ModelMapper.StringMatchDeserializer.EXPECTED;
    }
    if (type.isEnum()) {
      return "one of " + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Object::toString).toList());
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping";
    }
    if (type.isRecord()) {
      return "a mapping with fields "
          + String.join(", ", Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).toList());
    }
    return "a " + type.getSimpleName();
  }

  /** A value as a user wrote it: strings quoted, numbers bare, structures named. */
  static String render(Object value) {
    return switch (value) {
      case null -> "null";
      case JsonNode n when n.isMissingNode() || n.isNull() -> "null";
      case JsonNode n when n.isTextual() -> quote(n.asText());
      case JsonNode n when n.isObject() -> "a mapping";
      case JsonNode n when n.isArray() -> "a list";
      case JsonNode n -> n.asText();
      case String s -> quote(s);
      default -> String.valueOf(value);
    };
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
