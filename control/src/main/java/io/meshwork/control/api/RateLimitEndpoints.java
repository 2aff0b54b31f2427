package io.meshwork.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.auth.Caller;
import io.meshwork.control.ratelimit.CountersUnavailableException;
import io.meshwork.control.ratelimit.RateLimitCounters;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.resource.StoredObject;
import io.meshwork.model.Kind;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /apis/meshwork.io/v1alpha1/namespaces/{ns}/ratelimitpolicies/{name}/leases} with
 * {@code {"key": "<caller key>", "tokens": N}} leases up to N tokens of the policy's current window and answers
 * {@code {"granted": n, "windowRemainingMillis": ms, "quota": q}}. The quota and window come from the stored
 * policy, never from the caller, and only a policy with {@code scope: GLOBAL} lends tokens, and only to a workload
 * that the policy's selector selects (or the admin). 503 when the counters
 * cannot be reached: the sidecar then applies the policy's failure mode.
 */
final class RateLimitEndpoints {
    private static final Logger log = LoggerFactory.getLogger(RateLimitEndpoints.class);

    /** The longest caller key a lease may name: a SPIFFE id or a header value fits. */
    static final int MAX_KEY_LENGTH = 512;

    private final ResourceStore store;
    private final RateLimitCounters counters;
    private final ObjectMapper json;
    private volatile boolean reachable = true;

    RateLimitEndpoints(ResourceStore store, RateLimitCounters counters, ObjectMapper json) {
        this.store = store;
        this.counters = counters;
        this.json = json;
    }

    Reply lease(Caller caller, String namespace, String name, ObjectNode body) {
        JsonNode key = body.path("key");
        if (!key.isTextual() || key.asText().length() > MAX_KEY_LENGTH) {
            return Reply.of(invalid("key", (key.isMissingNode() ? "missing" : "a value")
                    + " (expected: a string of at most " + MAX_KEY_LENGTH + " characters)"));
        }
        JsonNode tokens = body.path("tokens");
        if (!tokens.isIntegralNumber() || tokens.asLong() < 1) {
            return Reply.of(invalid("tokens", tokens + " (expected: an integer > 0)"));
        }
        Optional<StoredObject> stored = store.get(Kind.RATE_LIMIT_POLICY, namespace, name);
        if (stored.isEmpty()) {
            return Reply.of(ApiStatus.notFound("RateLimitPolicy " + namespace + "/" + name + " not found"));
        }
        JsonNode spec = stored.get().object().path("spec");
        if (caller instanceof Caller.Workload w && !selects(spec.path("selector"), namespace, w)) {
            return Reply.of(ApiStatus.of(HttpResponseStatus.FORBIDDEN, "Forbidden", w.identity()
                    + " may not lease tokens of RateLimitPolicy " + namespace + "/" + name
                    + ": its selector " + spec.path("selector").path("matchLabels")
                    + " does not select the workload (expected: a workload the policy applies to)"));
        }
        if (!"GLOBAL".equals(spec.path("scope").asText())) {
            return Reply.of(ApiStatus.of(HttpResponseStatus.CONFLICT, "Conflict", "RateLimitPolicy " + namespace
                    + "/" + name + " has scope " + spec.path("scope").asText("LOCAL")
                    + " (expected: GLOBAL to lease tokens)"));
        }
        long quota = spec.path("requestsPerUnit").asLong();
        long windowMillis = windowSeconds(spec.path("unit").asText("SECOND")) * 1000;
        if (quota < 1) {
            return Reply.of(ApiStatus.of(HttpResponseStatus.CONFLICT, "Conflict", "RateLimitPolicy " + namespace
                    + "/" + name + " has no requestsPerUnit"));
        }
        RateLimitCounters.Grant grant;
        try {
            grant = counters.take(namespace + "/" + name + "/" + key.asText(), Math.min(tokens.asLong(), quota),
                    quota, windowMillis);
        } catch (CountersUnavailableException e) {
            if (reachable) {
                reachable = false;
                log.warn("{}; GLOBAL rate limits follow their failureMode until they answer again", e.getMessage());
            }
            return Reply.of(ApiStatus.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
                    e.getMessage()));
        }
        if (!reachable) {
            reachable = true;
            log.info("rate-limit counters {} answer again", counters.describe());
        }
        ObjectNode out = json.createObjectNode();
        out.put("granted", grant.granted());
        out.put("windowRemainingMillis", grant.windowRemainingMillis());
        out.put("quota", quota);
        return Reply.ok(out);
    }

    /**
     * Whether the policy's selector selects a workload of {@code caller}'s service account: its labels are those
     * of its registrations ({@code WorkloadEntry}) and {@code app=<service account>}, which every workload carries.
     * Only a workload that enforces the policy takes its tokens, so no other may drain a caller's quota.
     */
    private boolean selects(JsonNode selector, String namespace, Caller.Workload caller) {
        JsonNode wanted = selector.path("matchLabels");
        if (!wanted.isObject() || wanted.isEmpty()) {
            return true;
        }
        String account = caller.identity().serviceAccount().orElse("");
        if (matches(wanted, Map.of("app", account))) {
            return true;
        }
        for (StoredObject entry : store.list(Kind.WORKLOAD_ENTRY, namespace).items()) {
            JsonNode spec = entry.object().path("spec");
            if (spec.path("serviceAccount").asText("").equals(account)) {
                Map<String, String> labels = new HashMap<>();
                spec.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                if (matches(wanted, labels)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(JsonNode wanted, Map<String, String> labels) {
        for (Map.Entry<String, JsonNode> label : wanted.properties()) {
            if (!label.getValue().asText().equals(labels.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static long windowSeconds(String unit) {
        return switch (unit) {
            case "MINUTE" -> 60;
            case "HOUR" -> 3_600;
            case "DAY" -> 86_400;
            default -> 1;
        };
    }

    private static ApiStatus invalid(String field, String message) {
        return new ApiStatus(422, "Invalid", "lease is invalid: " + field + ": " + message, "RateLimitPolicy", null,
                List.of(new ApiStatus.Cause("FieldValueInvalid", field, message)));
    }
}
