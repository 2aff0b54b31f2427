package io.meshwork.control.ratelimit;

/** The rate-limit counters could not be reached or did not answer in time. */
public final class CountersUnavailableException extends RuntimeException {
    public CountersUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
