package io.meshwork.control.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.ratelimit.EmbeddedCounters;
import io.meshwork.control.ratelimit.RateLimitCounters;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the request handlers share: the store, the endpoints over it, the executor requests run on (off the I/O
 * threads), the watch streams' ticker, who may call what, and the counters of GLOBAL rate limits.
 */
record ApiServices(
        ResourceStore store,
        ResourceEndpoints resources,
        RegistrationEndpoints registrations,
        ObjectMapper json,
        Executor executor,
        ScheduledExecutorService ticker,
        Duration bookmarkInterval,
        ObjectNode versionInfo,
        ApiSecurity security,
        SecurityEndpoints certificates,
        AccessPolicy access,
        RateLimitEndpoints rateLimits) {

    /** With GLOBAL rate-limit counters in memory. */
    ApiServices(ResourceStore store, ResourceEndpoints resources, RegistrationEndpoints registrations,
            ObjectMapper json, Executor executor, ScheduledExecutorService ticker, Duration bookmarkInterval,
            ObjectNode versionInfo, ApiSecurity security) {
        this(store, resources, registrations, json, executor, ticker, bookmarkInterval, versionInfo, security,
                new EmbeddedCounters(Clock.systemUTC()));
    }

    ApiServices(ResourceStore store, ResourceEndpoints resources, RegistrationEndpoints registrations,
            ObjectMapper json, Executor executor, ScheduledExecutorService ticker, Duration bookmarkInterval,
            ObjectNode versionInfo, ApiSecurity security, RateLimitCounters counters) {
        this(store, resources, registrations, json, executor, ticker, bookmarkInterval, versionInfo, security,
                new SecurityEndpoints(security, json),
                new AccessPolicy(), new RateLimitEndpoints(store, counters, json));
    }
}
