package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.codec.ModelMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Dapr JavaScript SDK, as {@code scripts/ensure-tools.sh} installs it in the user's cache, and the
 * programs under {@code src/test/resources/dapr-js} that use it. A test asks {@link #unavailable()} first and
 * skips with that reason.
 */
final class DaprJs {
  static final String VERSION = "3.18.0";
  private static final Path REPO = Path.of(System.getProperty("meshwork.repo.dir", ".."));

  private DaprJs() {}

  static Path sdk() {
    String cache = System.getenv("MESHWORK_CACHE_DIR");
    if (cache == null) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      cache = (xdg == null || xdg.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg))
          .resolve("meshwork").toString();
    }
    return Path.of(cache, "dapr-js-sdk-" + VERSION);
  }

  /** Why the SDK cannot run here (after one run of ensure-tools.sh), or null when it can. */
  static synchronized String unavailable() throws IOException, InterruptedException {
    if (installed()) {
      return null;
    }
    Process p = new ProcessBuilder("bash", REPO.resolve("scripts/ensure-tools.sh").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor(5, TimeUnit.MINUTES);
    return installed() ? null : "node or the Dapr JavaScript SDK " + VERSION + " is not installed in " + sdk()
        + " (scripts/ensure-tools.sh installs them): " + out;
  }

  private static boolean installed() {
    return node() != null && Files.isRegularFile(sdk().resolve("node_modules/@dapr/dapr/package.json"));
  }

  static String node() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "node"))) {
        return Path.of(dir, "node").toString();
      }
    }
    return null;
  }

  /** Starts {@code program} (a file under src/test/resources/dapr-js) with {@code env}; its output goes to {@code log}. */
  static Process start(String program, Map<String, String> env, Path log) throws IOException {
    Path script = Path.of("src/test/resources/dapr-js", program).toAbsolutePath();
    ProcessBuilder b = new ProcessBuilder(List.of(node(), script.toString())).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    b.environment().put("NODE_PATH", sdk().resolve("node_modules").toString());
    b.environment().putAll(env);
    return b.start();
  }

  /** Runs {@code program} to its end and reads the JSON object it prints last. */
  static JsonNode run(String program, Map<String, String> env, Path log) throws Exception {
    Process p = start(program, env, log);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(program + " did not finish: " + Files.readString(log));
    }
    List<String> lines = Files.readAllLines(log);
    String last = lines.isEmpty() ? "" : lines.getLast();
    if (p.exitValue() != 0 || !last.startsWith("{")) {
      throw new AssertionError(program + " failed (exit " + p.exitValue() + "): " + String.join("\n", lines));
    }
    return ModelMapper.json().readTree(last);
  }
}
