package io.meshwork.control.api;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client learns about a failure inside the control plane: that it happened, and an id to quote. The cause
 * (SQL, file paths, class names) goes to the control plane's log in one line with the same id, never to the client,
 * whom it would tell how the server is laid out.
 */
final class FailureReport {
    private static final Logger log = LoggerFactory.getLogger(FailureReport.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private FailureReport() {}

    /** Logs {@code cause} under a fresh id and returns the 500 that names only the id. */
    static ApiStatus internal(String serving, Throwable cause) {
        byte[] raw = new byte[6];
        RANDOM.nextBytes(raw);
        String id = HexFormat.of().formatHex(raw);
        log.error("internal error (id {}) serving {}: {}", id, serving, describe(cause));
        log.debug("internal error (id {}) stack trace", id, cause);
        return ApiStatus.internal("internal error (id " + id + ")");
    }

    /** The cause chain on one line: each link's type and message, outermost first. */
    static String describe(Throwable cause) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = cause; t != null && line.length() < 2000; t = t.getCause()) {
            if (!line.isEmpty()) {
                line.append(" <- ");
            }
            line.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                line.append(": ").append(t.getMessage().replace('\n', ' '));
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return line.toString();
    }
}
