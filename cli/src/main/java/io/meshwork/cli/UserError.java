package io.meshwork.cli;

/** A failure caused by the user's input, reported as one line without a stack trace. */
public final class UserError extends RuntimeException {
  private final int exitCode;

  public UserError(String message) {
    this(message, ExitCode.FAILURE);
  }

  public UserError(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
    this.exitCode = ExitCode.FAILURE;
  }

  public int exitCode() {
    return exitCode;
  }
}
