package io.meshwork.cli;

/** Exit codes of the {@code meshwork} command. */
public final class ExitCode {
  public static final int OK = 0;
  /** The command ran and failed (a server could not start, an apply was rejected). */
  public static final int FAILURE = 1;
  /** The command line itself was wrong. */
  public static final int USAGE = 2;

  private ExitCode() {}
}
