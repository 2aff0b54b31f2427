package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code meshwork run}'s options that are refused before anything starts. */
class RunCommandTest {
  private static final String LOCAL = "https://127.0.0.1:15010";

  @Test
  void aMissingProgramIsRefusedBeforeAnythingStarts() {
    Cli.Result run = Cli.run("run", "--service", "orders", "--app-port", "8080", "--control-plane", LOCAL,
        "--", "no-such-program-meshwork");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("meshwork: cannot start no-such-program-meshwork: no such program on PATH");
  }

  @Test
  void aBadShutdownGraceIsAUsageError() {
    Cli.Result run = Cli.run("run", "--service", "orders", "--app-port", "8080", "--shutdown-grace", "soon", "--",
        "true");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("--shutdown-grace: soon (expected: a duration such as 10s");
  }
}
