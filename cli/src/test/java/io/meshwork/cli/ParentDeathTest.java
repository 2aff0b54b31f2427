package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The parent-death signal, with real processes: a tied child is killed when the thread that started it ends, and
 * only then. That is why {@code meshwork run} starts its app from the thread that waits for it.
 */
class ParentDeathTest {

  @Test
  void aTiedCommandRunsThroughSetprivAndKeepsItsArguments() {
    ParentDeath tie = ParentDeath.get();
    assumeTrue(tie.available(), tie::notice);
    List<String> command = tie.command(List.of("sleep", "30"));
    assertThat(command).endsWith("--pdeathsig", "KILL", "--", "sleep", "30");
    assertThat(command.getFirst()).endsWith("/setpriv");
  }

  @Test
  void aTiedChildDiesWhenTheThreadThatStartedItEnds() throws Exception {
    ParentDeath tie = ParentDeath.get();
    assumeTrue(tie.available(), tie::notice);
    Process kept = new ProcessBuilder(tie.command(List.of("sleep", "60"))).start();
    AtomicReference<Process> orphaned = new AtomicReference<>();
    Thread shortLived = new Thread(() -> {
      try {
        Process child = new ProcessBuilder(tie.command(List.of("sleep", "60"))).start();
        orphaned.set(child);
        // The signal is set by setpriv before it becomes sleep: end the thread only after that.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!child.info().command().orElse("").endsWith("/sleep") && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      shortLived.start();
      shortLived.join();
      assertThat(orphaned.get().waitFor(10, TimeUnit.SECONDS))
          .as("the child of a thread that ended is killed, though this JVM lives on").isTrue();
      assertThat(orphaned.get().exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
      assertThat(kept.isAlive()).as("the child of a living thread lives").isTrue();
    } finally {
      kept.destroyForcibly();
      if (orphaned.get() != null) {
        orphaned.get().destroyForcibly();
      }
    }
  }
}
