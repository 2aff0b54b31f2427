package io.meshwork.control.api;

/** Ends the handling of a request with {@code status} as the answer. */
final class ApiException extends RuntimeException {

    private final ApiStatus status;

    ApiException(ApiStatus status) {
        super(status.message(), null, false, false);
        this.status = status;
    }

    ApiStatus status() {
        return status;
    }
}
