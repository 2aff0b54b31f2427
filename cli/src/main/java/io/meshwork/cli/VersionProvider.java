package io.meshwork.cli;

import picocli.CommandLine;

/** Prints the Meshwork version, from the jar manifest when there is one. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {
      "meshwork " + (v == null ? "0.1.0-SNAPSHOT" : v),
      "JVM: " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
