package io.meshwork.proxy.config;

import io.meshwork.model.DirectoryResult;
import io.meshwork.model.Diagnostic;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.balancer.XxHash64;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves snapshots from a directory of resource files ({@code meshwork sidecar --config DIR}), or from
 * one file ({@code --config FILE}), whose folder is then watched for changes to that file only.
 *
 * <p>A change re-reads every file and applies the directory as a whole: when all files are valid the
 * new snapshot is compiled and handed to the consumer; when any file has an error, each diagnostic is
 * logged and the running snapshot stays (no partial configuration ever applies). Changes are noticed
 * through a {@link WatchService} and, because that misses events on some file systems (network and
 * container mounts), by a periodic rescan that compares file contents. Bursts of events, as editors
 * and {@code cp} produce, are debounced.
 */
public final class FileConfigSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileConfigSource.class);
  static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(150);
  static final Duration DEFAULT_RESCAN = Duration.ofSeconds(2);

  private final Path dir;
  private final LocalService local;
  private final SnapshotCompiler compiler;
  private final Consumer<MeshSnapshot> onSnapshot;
  private final Duration debounce;
  private final Duration rescan;
  private final Object lock = new Object();
  private long version;
  /** The contents last read, applied or not, so an invalid state is reported once, not every rescan. */
  private Map<String, Long> lastSeen;
  private WatchService watcher;
  private Thread thread;
  private volatile boolean closed;

  /** @param dir a folder of *.yaml, *.yml and *.json files, or one file of any name */
  public FileConfigSource(Path dir, LocalService local, SnapshotCompiler compiler, Consumer<MeshSnapshot> onSnapshot) {
    this(dir, local, compiler, onSnapshot, DEFAULT_DEBOUNCE, DEFAULT_RESCAN);
  }

  FileConfigSource(Path dir, LocalService local, SnapshotCompiler compiler, Consumer<MeshSnapshot> onSnapshot,
      Duration debounce, Duration rescan) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.local = Objects.requireNonNull(local, "local");
    this.compiler = Objects.requireNonNull(compiler, "compiler");
    this.onSnapshot = Objects.requireNonNull(onSnapshot, "onSnapshot");
    if (debounce.isNegative() || rescan.isNegative() || rescan.isZero()) {
      throw new IllegalArgumentException("rescan: " + rescan + " (expected: > 0, with debounce >= 0)");
    }
    this.debounce = debounce;
    this.rescan = rescan;
  }

  /**
   * Reads and compiles the directory once. Start-up errors fail fast.
   *
   * @return the first snapshot (version 1); it is not passed to the consumer
   * @throws ConfigException listing every diagnostic when any file is invalid or the directory is unreadable
   */
  public MeshSnapshot loadInitial() {
    synchronized (lock) {
      if (!Files.exists(dir)) {
        throw new ConfigException(dir + " does not exist (expected: a folder or a file of YAML or JSON resources)",
            List.of());
      }
      lastSeen = fingerprint();
      DirectoryResult result = read();
      if (result.hasErrors()) {
        throw new ConfigException("invalid configuration in " + dir + ":",
            result.diagnostics().stream().filter(Diagnostic::isError).toList());
      }
      result.diagnostics().forEach(d -> log.warn("{}", d.format()));
      // The caller logs the snapshot's notices, once, as for every later snapshot.
      return compiler.compile(++version, result.resources(), local);
    }
  }

  /** Starts watching; changes after {@link #loadInitial()} reach the consumer. */
  public void start() {
    synchronized (lock) {
      if (thread != null) {
        throw new IllegalStateException("already started");
      }
      if (lastSeen == null) {
        throw new IllegalStateException("loadInitial() must succeed before start()");
      }
      try {
        watcher = dir.getFileSystem().newWatchService();
        // A single file is watched through its folder: editors replace files, and a file cannot be registered.
        Path watched = singleFile() ? folderOf(dir) : dir;
        watched.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      } catch (IOException e) {
        // The periodic rescan still notices changes; only latency suffers.
        log.warn("cannot watch {} ({}); rescanning every {} ms", dir, e.getMessage(), rescan.toMillis());
        watcher = null;
      }
      thread = Thread.ofPlatform().daemon().name("meshwork-config-" + dir.getFileName()).start(this::run);
    }
  }

  private void run() {
    while (!closed) {
      try {
        if (awaitChange()) {
          settle();
        }
        reloadIfChanged();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        // A bug in one reload must not stop the watcher; the running snapshot stays.
        log.error("reloading {} failed; keeping the running configuration", dir, e);
      }
    }
  }

  /** Waits for a watch event or the rescan period; true when an event came. */
  private boolean awaitChange() throws InterruptedException {
    if (watcher == null) {
      TimeUnit.MILLISECONDS.sleep(rescan.toMillis());
      return false;
    }
    WatchKey key = watcher.poll(rescan.toMillis(), TimeUnit.MILLISECONDS);
    if (key == null) {
      return false;
    }
    key.pollEvents();
    key.reset();
    return true;
  }

  /** Lets a burst of events end: returns once no event arrived for the debounce period. */
  private void settle() throws InterruptedException {
    WatchKey key;
    while ((key = watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
      key.pollEvents();
      key.reset();
    }
  }

  /** Re-reads the directory when its files changed since the last read; visible for tests. */
  void reloadIfChanged() {
    synchronized (lock) {
      Map<String, Long> now = fingerprint();
      if (now.equals(lastSeen)) {
        return;
      }
      lastSeen = now;
      DirectoryResult result = read();
      if (result.hasErrors()) {
        log.error("configuration in {} has errors; keeping the running configuration (version {})", dir, version);
        result.diagnostics().forEach(d -> log.error("{}", d.format()));
        return;
      }
      result.diagnostics().forEach(d -> log.warn("{}", d.format()));
      MeshSnapshot snapshot = compiler.compile(version + 1, result.resources(), local);
      version++;
      log.info("configuration in {} applied (version {}, {} resources)", dir, version, result.resources().size());
      onSnapshot.accept(snapshot);
    }
  }

  private boolean singleFile() {
    return !Files.isDirectory(dir);
  }

  private static Path folderOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? file.toAbsolutePath() : parent;
  }

  /** The folder's files, or the one file, parsed; a file that vanished is an error, as in a folder that does. */
  private DirectoryResult read() {
    if (!singleFile()) {
      return ResourceParser.parseDirectory(dir);
    }
    return new DirectoryResult(new TreeMap<>(Map.of(dir, ResourceParser.parse(dir))));
  }

  /** A content hash per config file; cheap for configuration-sized directories and immune to coarse mtimes. */
  private Map<String, Long> fingerprint() {
    Map<String, Long> files = new TreeMap<>();
    if (singleFile()) {
      try {
        files.put(dir.toString(), XxHash64.hash(Files.readAllBytes(dir), 0));
      } catch (IOException e) {
        files.put(dir.toString(), (long) e.getClass().hashCode());
      }
      return files;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (Files.isRegularFile(p) && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"))) {
          try {
            files.put(name, XxHash64.hash(Files.readAllBytes(p), 0));
          } catch (IOException e) {
            files.put(name, (long) e.hashCode());
          }
        }
      }
    } catch (IOException e) {
      files.put("", (long) e.getClass().hashCode());
    }
    return files;
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (lock) {
      t = thread;
      if (watcher != null) {
        try {
          watcher.close();
        } catch (IOException e) {
          log.debug("closing the watch service of {}", dir, e);
        }
      }
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
