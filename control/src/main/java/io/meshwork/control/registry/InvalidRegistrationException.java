package io.meshwork.control.registry;

/** A registration request with a bad field; the message reads {@code field: value (expected: ...)}. */
public final class InvalidRegistrationException extends IllegalArgumentException {

    private final String field;

    public InvalidRegistrationException(String field, String valueAndExpectation) {
        super(field + ": " + valueAndExpectation);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
