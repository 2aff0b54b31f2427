package io.meshwork.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes a child process die with the process that started it, even when that one is killed with SIGKILL and runs
 * no shutdown hook: the child is started through util-linux's {@code setpriv --pdeathsig KILL}, which sets Linux's
 * parent-death signal ({@code prctl(PR_SET_PDEATHSIG)}, prctl(2)) and then executes the command in its place, so
 * the child keeps its PID and the caller's {@link Process} is the command itself.
 *
 * <p>Linux sends the signal when the <em>thread</em> that forked the child exits, not when the process does
 * (prctl(2), PR_SET_PDEATHSIG): start tied children from a thread that lives as long as the process (the main
 * thread of a command, which waits for them), never from a pool thread that may be retired. The signal reaches the
 * direct child only; a child that starts processes of its own must tie them the same way. A parent that dies in
 * the moment between the start and setpriv's prctl (before the command runs) leaves the child untied.
 *
 * <p>Without setpriv (not Linux, or util-linux older than 2.33) commands start as they are, and {@link #notice()}
 * says what that means.
 */
final class ParentDeath {
  private static final List<Path> SEARCHED = List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"),
      Path.of("/usr/sbin/setpriv"), Path.of("/sbin/setpriv"));

  private final Optional<Path> setpriv;

  private ParentDeath(Optional<Path> setpriv) {
    this.setpriv = setpriv;
  }

  /** Found once per JVM: the first caller probes setpriv. */
  static ParentDeath get() {
    return Holder.DETECTED;
  }

  private static final class Holder {
    static final ParentDeath DETECTED = new ParentDeath(detect());
  }

  /** Whether children started through {@link #command} die with this process. */
  boolean available() {
    return setpriv.isPresent();
  }

  /** {@code command}, started so that it receives SIGKILL when the starting thread dies. */
  List<String> command(List<String> command) {
    if (setpriv.isEmpty()) {
      return command;
    }
    List<String> tied = new ArrayList<>(command.size() + 4);
    tied.add(setpriv.get().toString());
    tied.add("--pdeathsig");
    tied.add("KILL");
    tied.add("--");
    tied.addAll(command);
    return tied;
  }

  /** What a user is told when children are not tied to their parent. */
  String notice() {
    return "setpriv (util-linux >= 2.33) not found; a child outlives this process if it is killed with SIGKILL";
  }

  /** setpriv, when it is there and knows --pdeathsig (a trial run of {@code setpriv --pdeathsig KILL -- true}). */
  private static Optional<Path> detect() {
    List<Path> candidates = new ArrayList<>(SEARCHED);
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "setpriv"));
        }
      }
    }
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate) && works(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static boolean works(Path setpriv) {
    try {
      Process trial = new ProcessBuilder(setpriv.toString(), "--pdeathsig", "KILL", "--", "true")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!trial.waitFor(5, TimeUnit.SECONDS)) {
        trial.destroyForcibly();
        return false;
      }
      return trial.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
