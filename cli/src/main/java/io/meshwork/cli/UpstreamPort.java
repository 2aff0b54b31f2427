package io.meshwork.cli;

import picocli.CommandLine;

/** One {@code --upstream NAME=PORT}: a local port that sends everything to one service. */
record UpstreamPort(String service, int port) {

  /** Parses {@code NAME=PORT} with the CLI's error format. */
  static final class Converter implements CommandLine.ITypeConverter<UpstreamPort> {
    @Override
    public UpstreamPort convert(String value) {
      int eq = value.indexOf('=');
      if (eq <= 0 || eq == value.length() - 1) {
        throw new CommandLine.TypeConversionException(
            value + " (expected: NAME=PORT, e.g. products=9191)");
      }
      String name = value.substring(0, eq).trim();
      String port = value.substring(eq + 1).trim();
      try {
        int p = Integer.parseInt(port);
        if (p < 0 || p > 65535) {
          throw new NumberFormatException();
        }
        return new UpstreamPort(name, p);
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException(
            value + " (expected: a port 0..65535 after '=', e.g. products=9191)");
      }
    }
  }
}
