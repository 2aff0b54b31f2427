package io.meshwork.interop;

/** The interop client straight to TestServiceServer: the baseline of what the server supports. */
class DirectInteropTest extends InteropSuite {
  @Override
  Topology topology() {
    return Topology.DIRECT;
  }

  @Override
  int startPath(Processes processes, int serverPort) {
    return serverPort;
  }
}
