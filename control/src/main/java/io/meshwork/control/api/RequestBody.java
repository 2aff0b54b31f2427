package io.meshwork.control.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.meshwork.model.codec.ResourceParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.util.Locale;

/** Reads a request body as one JSON or YAML object; malformed input is a 400 naming where it went wrong. */
final class RequestBody {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private RequestBody() {
    }

    /** True for the YAML media types kubectl and curl users send ({@code application/yaml} and relatives). */
    static boolean isYaml(FullHttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        return type.startsWith("application/yaml") || type.startsWith("application/x-yaml")
                || type.startsWith("text/yaml") || type.startsWith("text/x-yaml");
    }

    /** The body's bytes, copied once out of the request buffer. */
    static byte[] bytes(FullHttpRequest request) {
        return ByteBufUtil.getBytes(request.content());
    }

    /** Kubernetes' {@code dryRun} parameter: absent, or {@code All}. */
    static boolean dryRun(String value) {
        if (value == null) {
            return false;
        }
        if (value.equals("All")) {
            return true;
        }
        throw new ApiException(ApiStatus.badRequest("dryRun: " + value + " (expected: All, or no dryRun parameter)"));
    }

    static ObjectNode object(FullHttpRequest request) {
        ByteBuf content = request.content();
        if (!content.isReadable()) {
            throw new ApiException(ApiStatus.badRequest("body: empty (expected: a JSON or YAML object)"));
        }
        boolean yaml = isYaml(request);
        JsonNode node;
        try {
            node = (yaml ? YAML : JSON).readTree(new ByteBufInputStream(content.duplicate()));
        } catch (JsonProcessingException e) {
            throw new ApiException(ApiStatus.badRequest(syntaxError(yaml ? "YAML" : "JSON", e)));
        } catch (IOException e) {
            throw new ApiException(ApiStatus.badRequest("body: unreadable (" + ResourceParser.syntaxMessage(e) + ")"));
        }
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new ApiException(ApiStatus.badRequest("body: " + (node == null ? "empty" : node.getNodeType().name()
                .toLowerCase(Locale.ROOT)) + " (expected: a JSON or YAML object)"));
    }

    private static String syntaxError(String format, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String reason = ResourceParser.syntaxMessage(e);
        return "body: invalid " + format + where + ": " + reason;
    }
}
