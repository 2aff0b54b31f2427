package io.meshwork.cli;

/** Whether {@code --verbose} was given: stack traces on errors and debug logs. */
final class Verbosity {
  private static volatile boolean enabled;

  private Verbosity() {}

  static void enable() {
    enabled = true;
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
  }

  static boolean enabled() {
    return enabled;
  }
}
