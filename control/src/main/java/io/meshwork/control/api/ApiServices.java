package io.meshwork.control.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.resource.ResourceStore;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the request handlers share: the store, the endpoints over it, the executor requests run on (off the I/O
 * threads), and the watch streams' ticker.
 */
record ApiServices(
        ResourceStore store,
        ResourceEndpoints resources,
        RegistrationEndpoints registrations,
        ObjectMapper json,
        Executor executor,
        ScheduledExecutorService ticker,
        Duration bookmarkInterval,
        ObjectNode versionInfo) {
}
