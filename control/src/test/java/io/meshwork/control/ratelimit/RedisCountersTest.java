package io.meshwork.control.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Counters on a real redis-server: two clients (two control planes) share one window; a Redis gone fails fast. */
@Timeout(60)
class RedisCountersTest {
    @TempDir Path dir;
    Process redis;

    @AfterEach
    void stop() throws Exception {
        if (redis != null) {
            redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoClientsShareOneQuotaAndAnOutageIsAnErrorWithinTheCommandTimeout() throws Exception {
        int port = startRedis();
        URI address = URI.create("redis://127.0.0.1:" + port);
        try (RedisCounters first = RedisCounters.of(address); RedisCounters second = RedisCounters.of(address)) {
            long granted = 0;
            for (int i = 0; i < 10; i++) {
                granted += (i % 2 == 0 ? first : second).take("shop/orders/", 3, 20, 60_000).granted();
            }
            assertThat(granted).isEqualTo(20);
            RateLimitCounters.Grant spent = first.take("shop/orders/", 3, 20, 60_000);
            assertThat(spent.granted()).isZero();
            assertThat(spent.windowRemainingMillis()).isBetween(50_000L, 60_000L);
            assertThat(second.take("shop/orders/other", 3, 20, 60_000).granted()).isEqualTo(3);

            redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            long start = System.nanoTime();
            assertThatThrownBy(() -> first.take("shop/orders/", 3, 20, 60_000))
                .isInstanceOf(CountersUnavailableException.class)
                .hasMessageContaining("redis://127.0.0.1:" + port);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
        }
    }

    @Test
    void aRedisURLNeedsHostAndPort() {
        assertThatThrownBy(() -> RedisCounters.of(URI.create("http://127.0.0.1:6379")))
            .hasMessage("rateLimitRedis: http://127.0.0.1:6379 (expected: redis://HOST:PORT)");
    }

    private int startRedis() throws Exception {
        assumeTrue(onPath("redis-server"), "redis-server is not installed (scripts/ensure-tools.sh installs it)");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("redis.log");
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return port;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("redis-server did not start: " + Files.readString(log));
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
