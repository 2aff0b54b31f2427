package io.meshwork.proxy.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxy.stack.RequestRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An access-log format compiled once (per snapshot): Envoy's format strings with its command
 * operators, printed as TEXT ({@code -} for a value the request has none of) or as a JSON object
 * (Istio {@code accessLogEncoding: JSON}: the value of a key that is one operator keeps its type, a
 * number or {@code null}; a key mixing text and operators is a string). Rendering reads the record
 * only, on the thread that ends the request, into a buffer that thread reuses.
 */
public final class AccessLogFormat {
  /** Istio's default TEXT format ({@code meshConfig.accessLogFormat} empty, encoding TEXT). */
  public static final String ISTIO_TEXT = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"
      + " %PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%"
      + " \"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%"
      + " %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\""
      + " \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER%"
      + " %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%"
      + " %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

  /** Istio's default JSON keys, in Istio's order ({@code accessLogFormat} empty, encoding JSON). */
  public static final Map<String, String> ISTIO_JSON = orderedMap(
      "start_time", "%START_TIME%",
      "route_name", "%ROUTE_NAME%",
      "method", "%REQ(:METHOD)%",
      "path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
      "protocol", "%PROTOCOL%",
      "response_code", "%RESPONSE_CODE%",
      "response_flags", "%RESPONSE_FLAGS%",
      "response_code_details", "%RESPONSE_CODE_DETAILS%",
      "connection_termination_details", "%CONNECTION_TERMINATION_DETAILS%",
      "bytes_received", "%BYTES_RECEIVED%",
      "bytes_sent", "%BYTES_SENT%",
      "duration", "%DURATION%",
      "upstream_service_time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
      "x_forwarded_for", "%REQ(X-FORWARDED-FOR)%",
      "user_agent", "%REQ(USER-AGENT)%",
      "request_id", "%REQ(X-REQUEST-ID)%",
      "authority", "%REQ(:AUTHORITY)%",
      "upstream_host", "%UPSTREAM_HOST%",
      "upstream_cluster", "%UPSTREAM_CLUSTER%",
      "upstream_local_address", "%UPSTREAM_LOCAL_ADDRESS%",
      "downstream_local_address", "%DOWNSTREAM_LOCAL_ADDRESS%",
      "downstream_remote_address", "%DOWNSTREAM_REMOTE_ADDRESS%",
      "requested_server_name", "%REQUESTED_SERVER_NAME%",
      "upstream_transport_failure_reason", "%UPSTREAM_TRANSPORT_FAILURE_REASON%");

  /** Istio's {@code accessLogEncoding}. */
  public enum Encoding { TEXT, JSON }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private final Encoding encoding;
  /** TEXT: the parts of the line. */
  private final Object[] parts;
  /** JSON: each key, already quoted and escaped with its colon ({@code "method":}), and its parts. */
  private final String[] keys;
  private final Object[][] values;

  private AccessLogFormat(Encoding encoding, Object[] parts, String[] keys, Object[][] values) {
    this.encoding = encoding;
    this.parts = parts;
    this.keys = keys;
    this.values = values;
  }

  /** Istio's default format for {@code encoding}. */
  public static AccessLogFormat istioDefault(Encoding encoding) {
    return encoding == Encoding.JSON ? json(ISTIO_JSON) : text(ISTIO_TEXT);
  }

  /**
   * Compiles {@code format} as Istio reads {@code meshConfig.accessLogFormat}: a format string for
   * TEXT (a newline is added when it has none), a JSON object of format strings for JSON; empty
   * means Istio's default.
   *
   * @throws IllegalArgumentException naming the operator or the JSON that is wrong
   */
  public static AccessLogFormat compile(String format, Encoding encoding) {
    if (format == null || format.isBlank()) {
      return istioDefault(encoding);
    }
    if (encoding == Encoding.TEXT) {
      return text(format.endsWith("\n") ? format : format + "\n");
    }
    JsonNode node;
    try {
      node = JSON.readTree(format);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("is not a JSON object of format strings (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("is not a JSON object of format strings (expected: {\"key\": \"%OPERATOR%\"})");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException("key \"" + e.getKey() + "\": " + e.getValue()
            + " (expected: a format string)");
      }
      fields.put(e.getKey(), e.getValue().asText());
    }
    return json(fields);
  }

  private static AccessLogFormat text(String format) {
    return new AccessLogFormat(Encoding.TEXT, parse(format), null, null);
  }

  private static AccessLogFormat json(Map<String, String> fields) {
    String[] keys = new String[fields.size()];
    Object[][] values = new Object[fields.size()][];
    int i = 0;
    for (Map.Entry<String, String> e : fields.entrySet()) {
      StringBuilder k = new StringBuilder();
      JsonText.quote(e.getKey(), k);
      keys[i] = k.append(':').toString();
      try {
        values[i] = parse(e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("key \"" + e.getKey() + "\": " + ex.getMessage());
      }
      i++;
    }
    return new AccessLogFormat(Encoding.JSON, null, keys, values);
  }

  /** Literal strings and operators, in order. */
  static Object[] parse(String format) {
    List<Object> out = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i);
      if (c != '%') {
        literal.append(c);
        i++;
        continue;
      }
      int end = format.indexOf('%', i + 1);
      if (end < 0) {
        throw new IllegalArgumentException("the % at offset " + i + " opens a command operator that never closes");
      }
      String token = format.substring(i + 1, end);
      CommandOperator op;
      try {
        op = CommandOperator.parse(token);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("at offset " + i + ": " + e.getMessage());
      }
      if (!literal.isEmpty()) {
        out.add(literal.toString());
        literal.setLength(0);
      }
      out.add(op);
      i = end + 1;
    }
    if (!literal.isEmpty()) {
      out.add(literal.toString());
    }
    return out.toArray();
  }

  public Encoding encoding() {
    return encoding;
  }

  /** The line for {@code record}, ending with a newline. */
  public String render(RequestRecord record) {
    Buffers b = BUFFERS.get();
    StringBuilder out = b.line;
    out.setLength(0);
    if (encoding == Encoding.TEXT) {
      for (Object part : parts) {
        if (part instanceof CommandOperator op) {
          if (!op.appendTo(record, out)) {
            out.append('-');
          }
        } else {
          out.append((String) part);
        }
      }
    } else {
      out.append('{');
      for (int i = 0; i < keys.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(keys[i]);
        jsonValue(values[i], record, out, b.scratch);
      }
      out.append("}\n");
    }
    String line = out.toString();
    if (out.length() > Buffers.KEEP) {
      b.shrink();
    }
    return line;
  }

  private static void jsonValue(Object[] parts, RequestRecord record, StringBuilder out, StringBuilder scratch) {
    scratch.setLength(0);
    if (parts.length == 1 && parts[0] instanceof CommandOperator op) {
      if (!op.appendTo(record, scratch)) {
        out.append("null");
      } else if (op.numeric()) {
        out.append(scratch);
      } else {
        JsonText.quote(scratch, out);
      }
      return;
    }
    for (Object part : parts) {
      if (part instanceof CommandOperator op) {
        if (!op.appendTo(record, scratch)) {
          scratch.append('-');
        }
      } else {
        scratch.append((String) part);
      }
    }
    JsonText.quote(scratch, out);
  }

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** One thread's buffers; an unusually long line does not keep its buffer alive. */
  private static final class Buffers {
    static final int KEEP = 16 * 1024;
    StringBuilder line = new StringBuilder(512);
    StringBuilder scratch = new StringBuilder(128);

    void shrink() {
      line = new StringBuilder(512);
      scratch = new StringBuilder(128);
    }
  }
}
