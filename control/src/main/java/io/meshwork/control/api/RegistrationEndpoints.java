package io.meshwork.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.registry.InvalidRegistrationException;
import io.meshwork.control.registry.Registered;
import io.meshwork.control.registry.Registration;
import io.meshwork.control.registry.ServiceRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST .../namespaces/{ns}/registrations} with
 * {@code {"service", "address", "port" | "ports": {name: number}, "labels", "ttlSeconds"}} answers
 * {@code {"name", "leaseId", "ttlSeconds", "resourceVersion"}}; {@code PUT .../registrations/{name}/keepalive}
 * renews; {@code DELETE .../registrations/{name}} deregisters at once.
 */
final class RegistrationEndpoints {

    /** Used when a registration names no TTL: long enough to ride out a GC pause, short enough to notice a crash. */
    static final long DEFAULT_TTL_SECONDS = 30;

    private final ServiceRegistry registry;
    private final ObjectMapper json;

    RegistrationEndpoints(ServiceRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    Reply register(String namespace, ObjectNode body) {
        Registration registration;
        try {
            registration = parse(body);
        } catch (InvalidRegistrationException e) {
            throw invalid(e);
        }
        try {
            Registered r = registry.register(namespace, registration);
            return new Reply(HttpResponseStatus.OK, describe(r), List.of());
        } catch (InvalidRegistrationException e) {
            throw invalid(e);
        }
    }

    Reply keepAlive(String namespace, String name) {
        return registry.keepAlive(namespace, name)
                .map(r -> Reply.ok(describe(r)))
                .orElseGet(() -> Reply.of(notRegistered(name)));
    }

    Reply deregister(String namespace, String name) {
        return registry.deregister(namespace, name)
                ? Reply.ok(new ApiStatus(200, "", "registration \"" + name + "\" removed", "WorkloadEntry", name,
                        List.of()).toJson())
                : Reply.of(notRegistered(name));
    }

    private ObjectNode describe(Registered r) {
        ObjectNode out = json.createObjectNode();
        out.put("name", r.name());
        out.put("namespace", r.namespace());
        // A string, as etcd's JSON gateway writes int64 lease ids: JavaScript clients would round a number.
        out.put("leaseId", Long.toString(r.leaseId()));
        out.put("ttlSeconds", r.ttlSeconds());
        out.put("resourceVersion", Long.toString(r.resourceVersion()));
        return out;
    }

    private static ApiStatus notRegistered(String name) {
        return new ApiStatus(404, "NotFound", "registration \"" + name
                + "\" not found or its lease expired; register again", "WorkloadEntry", name, List.of());
    }

    private static ApiException invalid(InvalidRegistrationException e) {
        return new ApiException(new ApiStatus(422, "Invalid", "registration is invalid: " + e.getMessage(),
                "WorkloadEntry", null, List.of(new ApiStatus.Cause("FieldValueInvalid", e.field(), e.getMessage()))));
    }

    private static Registration parse(ObjectNode body) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        JsonNode port = body.path("port");
        if (!port.isMissingNode()) {
            ports.put("http", intField("port", port));
        }
        JsonNode portMap = body.path("ports");
        if (portMap.isObject()) {
            portMap.properties().forEach(e -> ports.put(e.getKey(), intField("ports." + e.getKey(), e.getValue())));
        } else if (!portMap.isMissingNode()) {
            throw new InvalidRegistrationException("ports", portMap + " (expected: an object of port name to number)");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode labelNode = body.path("labels");
        if (labelNode.isObject()) {
            labelNode.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        } else if (!labelNode.isMissingNode()) {
            throw new InvalidRegistrationException("labels", labelNode + " (expected: an object of strings)");
        }
        JsonNode ttl = body.path("ttlSeconds");
        long ttlSeconds = ttl.isMissingNode() ? DEFAULT_TTL_SECONDS : intField("ttlSeconds", ttl);
        return new Registration(text(body, "service"), text(body, "address"), ports, labels, ttlSeconds);
    }

    private static String text(ObjectNode body, String field) {
        JsonNode v = body.path(field);
        if (!v.isTextual()) {
            throw new InvalidRegistrationException(field, (v.isMissingNode() ? "missing" : v.toString())
                    + " (expected: a string)");
        }
        return v.asText();
    }

    private static int intField(String field, JsonNode v) {
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new InvalidRegistrationException(field, v + " (expected: an integer)");
        }
        return v.asInt();
    }
}
