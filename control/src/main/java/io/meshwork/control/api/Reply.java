package io.meshwork.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;

/**
 * A complete answer: a status, a JSON body, extra headers, and admission warnings sent as RFC 7234 §5.5
 * {@code Warning} headers (code 299, "miscellaneous persistent warning"), as the Kubernetes API server does.
 */
record Reply(HttpResponseStatus status, JsonNode body, List<String> warnings, Map<String, String> headers) {

    Reply {
        warnings = List.copyOf(warnings);
        headers = Map.copyOf(headers);
    }

    Reply(HttpResponseStatus status, JsonNode body, List<String> warnings) {
        this(status, body, warnings, Map.of());
    }

    static Reply ok(JsonNode body) {
        return new Reply(HttpResponseStatus.OK, body, List.of());
    }

    static Reply of(ApiStatus status) {
        return new Reply(status.httpStatus(), status.toJson(), List.of());
    }

    /** 405 with the RFC 9110 §10.2.1 {@code Allow} header listing what the resource does support. */
    static Reply methodNotAllowed(String method, String... allowed) {
        String list = String.join(", ", allowed);
        return new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED,
                ApiStatus.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "MethodNotAllowed",
                        "method: " + method + " (expected: " + list + ")").toJson(),
                List.of(), Map.of("Allow", list));
    }
}
