package io.meshwork.control;

/**
 * The data directory cannot be used: it is open to other users, locked by another control plane, or not a
 * directory. The message is the one line to show the operator, with the path and the fix.
 */
public final class DataDirectoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataDirectoryException(String message) {
        super(message);
    }

    public DataDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
