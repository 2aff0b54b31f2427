package io.meshwork.control.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An acknowledged write survives the writer being killed (SIGKILL) mid-stream. */
class CrashDurabilityTest {

    private static final int ACKS_BEFORE_KILL = 40;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void acknowledgedWritesSurviveAKilledProcess() throws Exception {
        Path db = dir.resolve("meshwork.db");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), db.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long lastAcknowledged = 0;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < ACKS_BEFORE_KILL; i++) {
                String line = out.readLine();
                assertThat(line).as("the writer stopped early").isNotNull();
                lastAcknowledged = Long.parseLong(line.strip());
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        try (SqliteStore reopened = SqliteStore.open(db, Clock.systemUTC(), Duration.ofHours(1))) {
            assertThat(reopened.currentRevision()).isGreaterThanOrEqualTo(lastAcknowledged);
            for (long revision = 1; revision <= lastAcknowledged; revision++) {
                KeyValue kv = reopened.get("/crash/" + (revision - 1)).orElseThrow();
                assertThat(kv.modRevision()).isEqualTo(revision);
            }
        }
    }
}
