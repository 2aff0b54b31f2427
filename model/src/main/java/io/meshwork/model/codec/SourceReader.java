package io.meshwork.model.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meshwork.model.validation.FieldPath;
import java.io.IOException;
import java.util.Locale;

/**
 * Splits a source into documents (YAML {@code ---} separated, or concatenated JSON values) in one
 * streaming pass, building each document's tree and its {@link LocationIndex} together, so that
 * every diagnostic can name a line even though binding works on trees. Each document is handed on
 * as soon as it is complete and can be dropped once bound.
 */
final class SourceReader {
  /** One document of a source; {@code root} is never a null node. */
  record Document(JsonNode root, LocationIndex locations, int line, int column) {}

  private static final JsonFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private SourceReader() {}

  /** JSON when the name ends in .json or the text starts with '{' or '['; YAML otherwise. */
  static boolean isJson(String sourceName, String text) {
    if (sourceName != null && sourceName.toLowerCase(Locale.ROOT).endsWith(".json")) {
      return true;
    }
    String t = text.stripLeading();
    return t.startsWith("{") || t.startsWith("[");
  }

  /** Receives each document as soon as it is read, so a large source never holds more than one tree. */
  interface DocumentSink {
    void accept(Document document);
  }

  /** Reads {@code text} document by document; a syntax error stops the reading where it occurs. */
  static void read(String sourceName, String text, DocumentSink sink) throws IOException {
    JsonFactory factory = isJson(sourceName, text) ? JSON : YAML;
    try (JsonParser p = factory.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        JsonLocation start = p.currentTokenLocation();
        LocationIndex index = new LocationIndex();
        index.put("", start.getLineNr(), start.getColumnNr());
        JsonNode root = readValue(p, "", index);
        // An empty YAML document reads as null or as an empty scalar.
        boolean empty = root.isNull() || (root.isTextual() && root.asText().isEmpty());
        if (!empty) {
          sink.accept(new Document(root, index, start.getLineNr(), start.getColumnNr()));
        }
      }
    }
  }

  private static JsonNode readValue(JsonParser p, String path, LocationIndex index) throws IOException {
    return switch (p.currentToken()) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = FieldPath.child(path, name);
          JsonLocation at = p.currentTokenLocation();
          index.put(child, at.getLineNr(), at.getColumnNr());
          p.nextToken();
          object.set(name, readValue(p, child, index));
        }
        yield object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String child = FieldPath.index(path, i++);
          JsonLocation at = p.currentTokenLocation();
          index.put(child, at.getLineNr(), at.getColumnNr());
          array.add(readValue(p, child, index));
        }
        yield array;
      }
      case VALUE_STRING -> NODES.textNode(p.getText());
      case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
        case INT -> NODES.numberNode(p.getIntValue());
        case LONG -> NODES.numberNode(p.getLongValue());
        default -> NODES.numberNode(p.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> NODES.textNode(p.getText());
    };
  }
}
