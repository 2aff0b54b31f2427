package io.meshwork.control.store;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Run in a child JVM by {@link CrashDurabilityTest}: writes keys forever, printing each one's revision only after
 * the store acknowledged it, until the parent kills the process.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        SqliteStore store = SqliteStore.open(Path.of(args[0]), Clock.systemUTC(), Duration.ofHours(1));
        for (int i = 0; ; i++) {
            long revision = store.put("/crash/" + i, "value-" + i);
            System.out.println(revision);
            System.out.flush();
        }
    }
}
