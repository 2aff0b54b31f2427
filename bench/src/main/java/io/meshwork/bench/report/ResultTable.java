package io.meshwork.bench.report;

import io.meshwork.bench.load.LoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * The side-by-side table of one benchmark run. Saturation throughput is the median over rounds
 * (with the range, so drift is visible); latency merges the histograms of all rounds, because
 * averaging percentiles of separate runs has no statistical meaning.
 */
public final class ResultTable {

  /** The path the others are compared with for throughput. */
  static final String REFERENCE_PROXY = "haproxy";
  /** The path whose latency is subtracted to give the latency a hop adds. */
  static final String BASELINE = "direct";
  /** The path the aims below are about. */
  static final String SUBJECT = "meshwork";
  /** Aim: saturation throughput at least this fraction of HAProxy's in the same run. */
  static final double THROUGHPUT_AIM = 0.8;
  /** Aim: p99 added over the direct path under this many microseconds at {@link #AIM_RATE}. */
  static final double P99_ADDED_AIM_MICROS = 1_000;
  static final double AIM_RATE = 1_000;

  private final List<RunResult> results;

  public ResultTable(List<RunResult> results) {
    this.results = List.copyOf(results);
  }

  /** Reads every {@code RESULT} line of {@code lines}, ignoring the rest. */
  public static ResultTable parse(List<String> lines) {
    List<RunResult> results = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("RESULT ")) {
        results.add(RunResult.parse(line));
      }
    }
    return new ResultTable(results);
  }

  public String markdown() {
    Set<String> targets = new LinkedHashSet<>();
    results.forEach(r -> targets.add(r.target()));
    Map<String, Double> saturation = new LinkedHashMap<>();
    for (String target : targets) {
      List<Double> rps = saturationRates(target);
      if (!rps.isEmpty()) {
        saturation.put(target, median(rps));
      }
    }
    Set<Double> rates = new TreeSet<>();
    results.stream().filter(r -> r.kind().equals("latency")).forEach(r -> rates.add(r.number("rate")));
    Map<Double, Histogram> baseline = new LinkedHashMap<>();
    for (double rate : rates) {
      Histogram h = mergedLatency(BASELINE, rate);
      if (h != null) {
        baseline.put(rate, h);
      }
    }

    StringBuilder md = new StringBuilder();
    md.append("| path | load | req/s | vs HAProxy | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | p99 added µs | errors |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String target : targets) {
      List<RunResult> sat = of(target, "saturation");
      if (!sat.isEmpty()) {
        List<Double> rps = saturationRates(target);
        String range = rps.size() > 1
            ? " (" + number(rps.stream().mapToDouble(d -> d).min().orElseThrow()) + "–"
                + number(rps.stream().mapToDouble(d -> d).max().orElseThrow()) + ")"
            : "";
        Double reference = saturation.get(REFERENCE_PROXY);
        String ratio = reference == null ? "–" : String.format(Locale.ROOT, "%.2f", saturation.get(target) / reference);
        String tool = sat.get(0).fields().getOrDefault("tool", "generator");
        md.append(row(target, "saturation, " + sat.get(0).field("connections") + " conns (" + tool + ")",
            number(saturation.get(target)) + range, ratio, "–", "–", "–", "–", "–", "–", String.valueOf(errors(sat))));
      }
      for (double rate : rates) {
        List<RunResult> runs = latencyRuns(target, rate);
        if (runs.isEmpty()) {
          continue;
        }
        Histogram h = mergedLatency(target, rate);
        double succeeded = runs.stream().mapToDouble(r -> r.number("succeeded")).sum();
        double seconds = runs.stream().mapToDouble(r -> r.number("measured_s")).sum();
        Histogram base = baseline.get(rate);
        String added = base == null ? "–" : number(micros(h, 99.0) - micros(base, 99.0));
        md.append(row(target, "open loop " + number(rate) + " req/s, " + runs.get(0).field("connections") + " conns",
            number(succeeded / seconds), "–", number(micros(h, 50.0)), number(micros(h, 90.0)),
            number(micros(h, 99.0)), number(micros(h, 99.9)), number(h.getMaxValue() / 1e3), added,
            String.valueOf(errors(runs))));
      }
    }
    aims(saturation, baseline).forEach(line -> md.append('\n').append(line).append('\n'));
    return md.toString();
  }

  /** One line per aim of the subject path that this run can judge. */
  private List<String> aims(Map<String, Double> saturation, Map<Double, Histogram> baseline) {
    List<String> lines = new ArrayList<>();
    Double subject = saturation.get(SUBJECT);
    Double reference = saturation.get(REFERENCE_PROXY);
    if (subject != null && reference != null) {
      double ratio = subject / reference;
      lines.add(String.format(Locale.ROOT, "Aim: %s throughput ≥ %.2f × HAProxy — measured %.2f × (%s).",
          SUBJECT, THROUGHPUT_AIM, ratio, ratio >= THROUGHPUT_AIM ? "met" : "not met"));
    }
    Histogram base = baseline.get(AIM_RATE);
    Histogram own = mergedLatency(SUBJECT, AIM_RATE);
    if (base != null && own != null) {
      double added = micros(own, 99.0) - micros(base, 99.0);
      lines.add(String.format(Locale.ROOT, "Aim: %s p99 added at %s req/s < %s µs — measured %s µs (%s).",
          SUBJECT, number(AIM_RATE), number(P99_ADDED_AIM_MICROS), number(added),
          added < P99_ADDED_AIM_MICROS ? "met" : "not met"));
    }
    return lines;
  }

  private List<RunResult> of(String target, String kind) {
    return results.stream().filter(r -> r.target().equals(target) && r.kind().equals(kind)).toList();
  }

  private List<Double> saturationRates(String target) {
    return of(target, "saturation").stream().map(r -> r.number("achieved_rps")).toList();
  }

  private List<RunResult> latencyRuns(String target, double rate) {
    return of(target, "latency").stream().filter(r -> r.number("rate") == rate).toList();
  }

  private Histogram mergedLatency(String target, double rate) {
    List<RunResult> runs = latencyRuns(target, rate);
    if (runs.isEmpty()) {
      return null;
    }
    Histogram merged = new Histogram(3);
    runs.forEach(r -> merged.add(LoadReport.decode(r.field("hist"))));
    return merged;
  }

  private static long errors(List<RunResult> runs) {
    return runs.stream().mapToLong(r -> (long) r.number("errors")).sum();
  }

  private static double micros(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1e3;
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String number(double value) {
    return Math.abs(value) >= 100
        ? String.format(Locale.ROOT, "%.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String row(String... cells) {
    return "| " + String.join(" | ", cells) + " |\n";
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ResultTable RESULTS_FILE");
      System.exit(2);
    }
    try {
      System.out.print(parse(Files.readAllLines(Path.of(args[0]))).markdown());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + args[0] + ": " + e.getMessage());
      System.exit(1);
    }
  }
}
