package io.meshwork.bench.grpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop gRPC unary load over one HTTP/2 connection (h2c): {@code --concurrency} calls in
 * flight, each followed at once by the next; after {@code --warmup}, calls that finish within
 * {@code --duration} are counted and their latencies recorded (HdrHistogram, microseconds).
 *
 * <p>Usage: {@code GrpcUnaryLoad --port P [--host 127.0.0.1] [--concurrency 16] [--duration 10s]
 * [--warmup 3s] [--payload 64] [--authority backend]}. Prints a summary and one line
 * {@code RESULT kind=grpc-unary rps=... p50_us=... p99_us=... errors=...}.
 */
public final class GrpcUnaryLoad {
  private GrpcUnaryLoad() {}

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    String authority = null;
    int port = -1;
    int concurrency = 16;
    int payload = 64;
    Duration duration = Duration.ofSeconds(10);
    Duration warmup = Duration.ofSeconds(3);
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        fail("missing value after " + args[i]);
      }
      switch (args[i]) {
        case "--host" -> host = value;
        case "--port" -> port = number(args[i], value);
        case "--concurrency" -> concurrency = number(args[i], value);
        case "--payload" -> payload = number(args[i], value);
        case "--duration" -> duration = seconds(args[i], value);
        case "--warmup" -> warmup = seconds(args[i], value);
        case "--authority" -> authority = value;
        default -> fail("unknown option: " + args[i] + " (expected: --port, --host, --concurrency, --duration,"
            + " --warmup, --payload, --authority)");
      }
    }
    if (port < 1 || port > 65535 || concurrency < 1) {
      fail("--port 1..65535 and --concurrency >= 1 are required");
    }
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port).usePlaintext();
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    ManagedChannel channel = builder.build();
    byte[] body = new byte[payload];
    Recorder recorder = new Recorder(3);
    AtomicLong errors = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + duration.toNanos();
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      new Loop(channel, body, recorder, ok, errors, measureFrom, end, done).next();
    }
    done.await(warmup.plus(duration).plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    channel.shutdownNow();
    var h = recorder.getIntervalHistogram();
    double seconds = duration.toNanos() / 1e9;
    double rps = ok.get() / seconds;
    System.out.printf("gRPC unary %s:%d concurrency %d, %.0f s: %.0f calls/s, latency (us) p50 %d p90 %d p99 %d"
            + " p99.9 %d max %d, errors %d%n", host, port, concurrency, seconds, rps,
        h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9), h.getMaxValue(), errors.get());
    System.out.printf("RESULT kind=grpc-unary concurrency=%d measured_s=%.0f succeeded=%d errors=%d rps=%.0f"
            + " p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d%n", concurrency, seconds, ok.get(), errors.get(),
        rps, h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9), h.getMaxValue());
  }

  /** One call in flight at a time; the next starts from the previous one's completion. */
  private record Loop(ManagedChannel channel, byte[] body, Recorder recorder, AtomicLong ok, AtomicLong errors,
      long measureFrom, long end, CountDownLatch done) {
    void next() {
      long sent = System.nanoTime();
      if (sent >= end) {
        done.countDown();
        return;
      }
      ClientCalls.asyncUnaryCall(channel.newCall(EchoMethod.UNARY, CallOptions.DEFAULT), body,
          new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {}

            @Override
            public void onError(Throwable t) {
              if (sent >= measureFrom && System.nanoTime() <= end) {
                errors.incrementAndGet();
              }
              next();
            }

            @Override
            public void onCompleted() {
              long now = System.nanoTime();
              if (sent >= measureFrom && now <= end) {
                recorder.recordValue(Math.max(1, (now - sent) / 1000));
                ok.incrementAndGet();
              }
              next();
            }
          });
    }
  }

  private static int number(String flag, String value) {
    if (!value.matches("\\d{1,9}")) {
      fail(flag + ": " + value + " (expected: a whole number)");
    }
    return Integer.parseInt(value);
  }

  private static Duration seconds(String flag, String value) {
    if (!value.matches("\\d{1,6}s?")) {
      fail(flag + ": " + value + " (expected: seconds, e.g. 10s)");
    }
    return Duration.ofSeconds(Long.parseLong(value.replace("s", "")));
  }

  private static void fail(String message) {
    System.err.println("error: " + message);
    System.exit(2);
  }
}
