package io.meshwork.proxy.hardening.probe;

import io.meshwork.proxy.hardening.probe.ProbeCase.PortKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays the probe cases against Meshwork's three port types and against other proxies that
 * forward to the same backend, and prints one Markdown table. A cell is marked SMUGGLED when the
 * backend received the request sent behind the case and more requests than the client got
 * responses. Run by
 * {@code bench/scripts/http1-probe-compare.sh}, which starts HAProxy and nginx in front of
 * {@code --backend-port}; not part of the build's tests.
 *
 * <pre>Http1ProbeCompare --backend-port P [--target NAME=PORT]... [--quiet-millis MS]</pre>
 */
public final class Http1ProbeCompare {
  private Http1ProbeCompare() {}

  public static void main(String[] args) throws Exception {
    int backendPort = -1;
    int quiet = 2000;
    Map<String, Integer> targets = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backend-port" -> backendPort = Integer.parseInt(args[++i]);
        case "--quiet-millis" -> quiet = Integer.parseInt(args[++i]);
        case "--target" -> {
          String[] kv = args[++i].split("=", 2);
          if (kv.length != 2) {
            throw new IllegalArgumentException("--target: " + args[i] + " (expected: NAME=PORT)");
          }
          targets.put(kv[0], Integer.parseInt(kv[1]));
        }
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]
            + " (expected: --backend-port P [--target NAME=PORT]... [--quiet-millis MS])");
      }
    }
    if (backendPort < 0) {
      throw new IllegalArgumentException("--backend-port: missing (expected: the port HAProxy and nginx forward to)");
    }
    List<ProbeCase> cases = ProbeCases.load();
    try (ProbeBackend backend = new ProbeBackend(backendPort); ProbedSidecar mesh = new ProbedSidecar(backend)) {
      List<String> header = new ArrayList<>(List.of("case", "RFC", "Meshwork expected"));
      for (PortKind kind : PortKind.values()) {
        header.add("meshwork " + kind.name().toLowerCase(java.util.Locale.ROOT));
      }
      header.addAll(targets.keySet());
      System.out.println("| " + String.join(" | ", header) + " |");
      System.out.println("|" + "---|".repeat(header.size()));
      int mismatches = 0;
      int smuggled = 0;
      for (ProbeCase probe : cases) {
        List<String> row = new ArrayList<>(List.of("`" + probe.id() + "`", probe.rfc(), probe.expectation()));
        for (PortKind kind : PortKind.values()) {
          String cell = run(backend, mesh.port(kind), probe, quiet);
          if (!cell.equals(probe.expected(kind))) {
            mismatches++;
            cell = "**" + cell + "**";
          }
          smuggled += cell.contains("SMUGGLED") ? 1 : 0;
          row.add(cell);
        }
        for (int port : targets.values()) {
          String cell = run(backend, port, probe, quiet);
          smuggled += cell.contains("SMUGGLED") ? 1 : 0;
          row.add(cell);
        }
        System.out.println("| " + String.join(" | ", row) + " |");
      }
      System.out.println();
      System.out.println(cases.size() + " cases; Meshwork answers differing from the case list: " + mismatches
          + "; answers with a smuggled request at the backend: " + smuggled);
    }
  }

  private static String run(ProbeBackend backend, int port, ProbeCase probe, int quiet) {
    backend.clear();
    try {
      ProbeClient.Outcome outcome = ProbeClient.send(port, Http1ProbeTest.withSmuggled(probe.request()), quiet);
      String cell = outcome.answer();
      // A proxy that accepted the case may forward the request sent behind it as the next one
      // on the connection, and answer it: that is pipelining. The request behind the case reaching
      // the backend without a response of its own was smuggled inside the case's bytes.
      if (backend.sawSmuggled() && backend.requests().size() > outcome.responses()) {
        cell += " SMUGGLED";
      }
      return cell;
    } catch (java.io.IOException e) {
      return "error: " + e.getMessage();
    }
  }
}
