package io.meshwork.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code meshwork} command line. */
@Command(
    name = "meshwork",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A service mesh that runs anywhere and speaks the Istio API.",
    subcommands = {
      DemoCommand.class,
      ControlPlaneCommand.class,
      SidecarCommand.class,
      RunCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      TokenCommand.class,
      IdentityCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Run 'meshwork COMMAND --help' for the options of one command.",
      "Documentation: docs/ in the Meshwork distribution."
    })
public final class Main implements Runnable {

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces and debug logs.")
  void verbose(boolean on) {
    if (on) {
      Verbosity.enable();
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    // Netty samples buffers for leaks by default; that costs throughput on every request. Tests
    // keep it on; a running mesh turns it off unless the user sets the property.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    System.exit(execute(args));
  }

  /** Runs one command line and returns its exit code; never exits the JVM (tests call this). */
  public static int execute(String... args) {
    CommandLine cli = commandLine();
    // On a terminal, help fills its width; piped or captured, it is 80 columns, the same on every machine.
    cli.setUsageHelpAutoWidth(onTerminal());
    return cli.execute(args);
  }

  /** Whether standard output is a terminal; Console.isTerminal() tells from Java 22, a null console before. */
  private static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** The command tree with its handlers and help layout, at the default width of 80 columns. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(Main::badUsage);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(e, commandLine));
    HelpText.install(cli);
    return cli;
  }

  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("meshwork: " + e.getMessage());
    err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
    return ExitCode.USAGE;
  }

  private static int failure(Exception e, CommandLine commandLine) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof UserError userError) {
      err.println("meshwork: " + userError.getMessage());
      if (Verbosity.enabled()) {
        e.printStackTrace(err);
      }
      return userError.exitCode();
    }
    err.println("meshwork: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    if (Verbosity.enabled()) {
      e.printStackTrace(err);
    } else {
      err.println("(run with --verbose for details)");
    }
    return ExitCode.FAILURE;
  }
}
