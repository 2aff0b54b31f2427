package io.meshwork.model.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.meshwork.model.networking.StringMatch;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * The Jackson configuration that maps the model's records 1:1 to Istio's JSON/YAML: Istio duration
 * strings, the one-key StringMatch form, no nulls or empty collections in output, and strict input
 * (floats are not truncated to ints; unknown fields are ignored here and reported by the parser).
 */
public final class ModelMapper {
  private static final ObjectMapper JSON = configure(JsonMapper.builder().build());
  private static final ObjectMapper YAML =
      configure(
          new YAMLMapper(
              YAMLFactory.builder()
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .disable(YAMLGenerator.Feature.SPLIT_LINES)
                  .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                  .build()));

  private ModelMapper() {}

  /** The shared JSON mapper; thread-safe, do not reconfigure. */
  public static ObjectMapper json() {
    return JSON;
  }

  /** The shared YAML mapper; thread-safe, do not reconfigure. */
  public static ObjectMapper yaml() {
    return YAML;
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    SimpleModule module = new SimpleModule("meshwork-model");
    module.addSerializer(Duration.class, new DurationSerializer());
    module.addDeserializer(Duration.class, new DurationDeserializer());
    module.addSerializer(StringMatch.class, new StringMatchSerializer());
    module.addDeserializer(StringMatch.class, new StringMatchDeserializer());
    mapper.registerModule(module);
    mapper.setDefaultPropertyInclusion(
        JsonInclude.Value.construct(JsonInclude.Include.CUSTOM, JsonInclude.Include.NON_NULL, EmptyFilter.class, null));
    // Unknown fields are reported as warnings by UnknownFields, not failed on.
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    mapper.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    mapper.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    return mapper;
  }

  /** Excludes nulls, empty lists and empty maps from output: absent and empty mean the same in Istio. */
  static final class EmptyFilter {
    @Override
    public boolean equals(Object value) {
      return value == null
          || (value instanceof Collection<?> c && c.isEmpty())
          || (value instanceof Map<?, ?> m && m.isEmpty());
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  static final class DurationSerializer extends JsonSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeString(DurationFormat.format(value));
    }
  }

  static final class DurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
      }
      String text = p.getText();
      return DurationFormat.parse(text)
          .orElseThrow(() -> ctxt.weirdStringException(text, Duration.class, DurationFormat.EXPECTED));
    }
  }

  static final class StringMatchSerializer extends JsonSerializer<StringMatch> {
    @Override
    public void serialize(StringMatch value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeStartObject();
      switch (value) {
        case StringMatch.Exact e -> gen.writeStringField("exact", e.exact());
        case StringMatch.Prefix p -> gen.writeStringField("prefix", p.prefix());
        case StringMatch.Regex r -> gen.writeStringField("regex", r.regex());
      }
      gen.writeEndObject();
    }
  }

  /** Istio StringMatch is a protobuf oneof: exactly one of exact, prefix, regex. */
  static final class StringMatchDeserializer extends JsonDeserializer<StringMatch> {
    static final String EXPECTED = "exactly one of {exact: ...}, {prefix: ...} or {regex: ...}";

    @Override
    public StringMatch deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.isExpectedStartObjectToken()) {
        return (StringMatch) ctxt.handleUnexpectedToken(StringMatch.class, p);
      }
      JsonNode node = ctxt.readTree(p);
      if (node.size() != 1) {
        return ctxt.reportInputMismatch(StringMatch.class, "%s", EXPECTED);
      }
      var field = node.properties().iterator().next();
      JsonNode v = field.getValue();
      if (!v.isValueNode() || v.isNull()) {
        return ctxt.reportInputMismatch(StringMatch.class, "%s", EXPECTED);
      }
      return switch (field.getKey()) {
        case "exact" -> new StringMatch.Exact(v.asText());
        case "prefix" -> new StringMatch.Prefix(v.asText());
        case "regex" -> new StringMatch.Regex(v.asText());
        default -> ctxt.reportInputMismatch(StringMatch.class, "%s", EXPECTED);
      };
    }
  }
}
