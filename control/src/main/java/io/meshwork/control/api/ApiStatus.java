package io.meshwork.control.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * A Kubernetes {@code Status} (meta/v1): the body of every error answer and of a successful delete.
 *
 * @param code    the HTTP status code
 * @param reason  Kubernetes' machine-readable reason ("Conflict", "Invalid", "NotFound", ...)
 * @param message for people
 * @param kind    the details' kind, or null
 * @param name    the details' name, or null
 * @param causes  field-level causes (for "Invalid")
 */
record ApiStatus(int code, String reason, String message, String kind, String name, List<Cause> causes) {

    /** One field error, as Kubernetes' StatusCause. */
    record Cause(String reason, String field, String message) {
    }

    ApiStatus {
        causes = List.copyOf(causes);
    }

    static ApiStatus of(HttpResponseStatus status, String reason, String message) {
        return new ApiStatus(status.code(), reason, message, null, null, List.of());
    }

    static ApiStatus badRequest(String message) {
        return of(HttpResponseStatus.BAD_REQUEST, "BadRequest", message);
    }

    static ApiStatus notFound(String message) {
        return of(HttpResponseStatus.NOT_FOUND, "NotFound", message);
    }

    static ApiStatus gone(String message) {
        return of(HttpResponseStatus.GONE, "Expired", message);
    }

    static ApiStatus internal(String message) {
        return of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "InternalError", message);
    }

    ApiStatus withDetails(String kind, String name) {
        return new ApiStatus(code, reason, message, kind, name, causes);
    }

    boolean success() {
        return code < 400;
    }

    HttpResponseStatus httpStatus() {
        return HttpResponseStatus.valueOf(code);
    }

    ObjectNode toJson() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("kind", "Status");
        out.put("apiVersion", "v1");
        out.putObject("metadata");
        out.put("status", success() ? "Success" : "Failure");
        out.put("message", message);
        out.put("reason", reason);
        if (kind != null || name != null || !causes.isEmpty()) {
            ObjectNode details = out.putObject("details");
            if (name != null) {
                details.put("name", name);
            }
            if (kind != null) {
                details.put("kind", kind);
            }
            if (!causes.isEmpty()) {
                var array = details.putArray("causes");
                for (Cause c : causes) {
                    array.addObject().put("reason", c.reason()).put("message", c.message()).put("field", c.field());
                }
            }
        }
        out.put("code", code);
        return out;
    }
}
