package io.meshwork.proxy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.meshwork.RateLimitPolicy.Direction;
import io.meshwork.model.meshwork.RateLimitPolicy.FailureMode;
import io.meshwork.proxy.route.RouteMatch;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GLOBAL limits on a clock the test moves, with counters that count fixed windows on that clock and answer when the
 * test says: leasing in batches, waiting for a lease, the window's quota shared by several sidecars, failure modes.
 */
class GlobalRateLimitStageTest {
  static final long SECOND = 1_000_000_000L;
  final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  final EmbeddedChannel channel = new EmbeddedChannel();
  final WindowCounters counters = new WindowCounters();

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  /** One sidecar: its own compiled policy (its own shares) over the shared counters. */
  final class Instance {
    final GlobalRateLimitRule rule;
    final GlobalRateLimitStage stage;

    Instance(int quota, long windowSeconds, FailureMode mode, boolean dryRun) {
      rule = new GlobalRateLimitRule("orders-global", Direction.INBOUND, RouteMatch.ANY, new CallerKey.Shared(),
          quota, windowSeconds, dryRun, mode, new GlobalLimit("shop", "orders-global", counters, quota, 100,
              clock::get));
      RateLimits limits = new RateLimits(List.of(), List.of(), List.of(rule), List.of());
      stage = new GlobalRateLimitStage(Direction.INBOUND, () -> limits, clock::get);
    }

    Instance(int quota) {
      this(quota, 60, FailureMode.ALLOW, false);
    }

    RateLimitStageTest.Req request() {
      return new RateLimitStageTest.Req(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/orders"),
          channel, false, new RequestRecord(clock.get()));
    }

    /** Sends one request the way the exchange does: a wait ends when the lease arrives, then the stage runs again. */
    StageVerdict send() {
      RateLimitStageTest.Req r = request();
      for (int pass = 0; pass < 10; pass++) {
        StageVerdict v = stage.onRequest(r);
        if (!(v instanceof StageVerdict.Later later)) {
          return v;
        }
        assertThat(later.delay()).isEqualTo(GlobalLimit.WAIT);
        counters.answerAll();
        assertThat(later.until().toCompletableFuture()).isDone();
      }
      throw new AssertionError("no decision after 10 passes");
    }
  }

  @Test
  void threeSidecarsShareOneQuotaAndLeaseInBatches() {
    List<Instance> sidecars = List.of(new Instance(100), new Instance(100), new Instance(100));
    int admitted = 0;
    StageVerdict.Answer refused = null;
    for (int i = 0; i < 150; i++) {
      StageVerdict v = sidecars.get(i % 3).send();
      if (v == StageVerdict.NEXT) {
        admitted++;
      } else {
        refused = (StageVerdict.Answer) v;
      }
    }
    assertThat(admitted).isEqualTo(100);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.flag()).isEqualTo(ResponseFlag.RL);
    assertThat(refused.effectiveGrpcStatus()).isEqualTo(8);
    assertThat(refused.headers()).containsEntry("ratelimit-policy", "\"orders-global\";q=100;w=60")
        .containsEntry("retry-after", "60");
    long leases = sidecars.stream().mapToLong(s -> s.rule.state().leases()).sum();
    // Ten tokens a lease: about ten leases for the quota, plus the ones that found it spent.
    assertThat(leases).isBetween(10L, 16L);
    assertThat(sidecars.stream().mapToLong(s -> s.rule.state().admitted()).sum()).isEqualTo(100);
    assertThat(sidecars.stream().mapToLong(s -> s.rule.state().limited()).sum()).isEqualTo(50);

    // A spent window answers locally until it ends: no lease per refused request.
    long before = counters.calls;
    for (int i = 0; i < 30; i++) {
      assertThat(sidecars.get(i % 3).send()).isInstanceOf(StageVerdict.Answer.class);
    }
    assertThat(counters.calls).isEqualTo(before);

    clock.addAndGet(61 * SECOND);
    assertThat(sidecars.getFirst().send()).isSameAs(StageVerdict.NEXT);
  }

  @Test
  void aRequestWaitsOnlyWhenTheShareIsEmptyAndTheNextLeaseIsAskedForEarly() {
    Instance sidecar = new Instance(20);
    StageVerdict first = sidecar.stage.onRequest(sidecar.request());
    assertThat(first).isInstanceOf(StageVerdict.Later.class);
    assertThat(((StageVerdict.Later) first).until().toCompletableFuture()).isNotDone();
    counters.answerAll();
    // Two tokens a lease; with one left, the next lease goes out while the request goes on.
    assertThat(sidecar.stage.onRequest(sidecar.request())).isSameAs(StageVerdict.NEXT);
    assertThat(counters.waiting.size()).isEqualTo(1);
    assertThat(sidecar.stage.onRequest(sidecar.request())).isSameAs(StageVerdict.NEXT);
    counters.answerAll();
    assertThat(sidecar.stage.onRequest(sidecar.request())).isSameAs(StageVerdict.NEXT);
  }

  @Test
  void unreachableCountersFailOpenByDefaultWithoutWaitingAndRecover() {
    Instance sidecar = new Instance(10);
    counters.down = true;
    assertThat(sidecar.send()).isSameAs(StageVerdict.NEXT);
    long leases = sidecar.rule.state().leases();
    for (int i = 0; i < 20; i++) {
      // Within the outage, no request waits for a lease and none is asked for until the probe interval.
      assertThat(sidecar.stage.onRequest(sidecar.request())).isSameAs(StageVerdict.NEXT);
    }
    assertThat(sidecar.rule.state().leases()).isEqualTo(leases);
    assertThat(sidecar.rule.state().failedOpen()).isEqualTo(21);

    counters.down = false;
    clock.addAndGet(GlobalLimit.PROBE_INTERVAL.toNanos());
    assertThat(sidecar.stage.onRequest(sidecar.request())).isSameAs(StageVerdict.NEXT); // the probe goes out
    counters.answerAll();
    assertThat(sidecar.rule.state().unreachable()).isFalse();
    for (int i = 0; i < 10; i++) {
      assertThat(sidecar.send()).isSameAs(StageVerdict.NEXT);
    }
    assertThat(sidecar.send()).isInstanceOf(StageVerdict.Answer.class);
  }

  @Test
  void failureModeDenyRefusesWith503WhileTheCountersAreUnreachable() {
    Instance sidecar = new Instance(10, 1, FailureMode.DENY, false);
    counters.down = true;
    RateLimitStageTest.Req r = sidecar.request();
    StageVerdict v = sidecar.stage.onRequest(r);
    assertThat(v).isInstanceOf(StageVerdict.Later.class);
    v = sidecar.stage.onRequest(r);
    StageVerdict.Answer answer = (StageVerdict.Answer) v;
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.flag()).isEqualTo(ResponseFlag.RLSE);
    assertThat(answer.effectiveGrpcStatus()).isEqualTo(14);
    assertThat(r.record().flags()).contains(ResponseFlag.RLSE);
    assertThat(sidecar.rule.state().failedClosed()).isEqualTo(1);
  }

  @Test
  void dryRunCountsWhatTheQuotaWouldRefuse() {
    Instance sidecar = new Instance(10, 60, FailureMode.ALLOW, true);
    for (int i = 0; i < 15; i++) {
      assertThat(sidecar.send()).isSameAs(StageVerdict.NEXT);
    }
    assertThat(sidecar.rule.state().admitted()).isEqualTo(10);
    assertThat(sidecar.rule.state().shadowLimited()).isEqualTo(5);
  }

  /**
   * Fixed windows on the test's clock, opened by a key's first lease, as the control plane counts them; answers are
   * held until the test releases them, as a network would.
   */
  final class WindowCounters implements GlobalCounters {
    final Map<String, long[]> windows = new HashMap<>();
    final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    final Map<String, Long> quotas = new HashMap<>();
    boolean down;
    long calls;

    @Override
    public CompletableFuture<Lease> lease(String namespace, String policy, String key, long tokens) {
      calls++;
      CompletableFuture<Lease> f = new CompletableFuture<>();
      if (down) {
        f.completeExceptionally(new IllegalStateException("connection refused"));
        return f;
      }
      waiting.add(() -> {
        long now = clock.get();
        String k = namespace + "/" + policy + "/" + key;
        long[] w = windows.get(k);
        long quota = quotaOf(tokens);
        if (w == null || now >= w[0]) {
          w = new long[] {now + 60 * SECOND, 0};
          windows.put(k, w);
        }
        long granted = Math.max(0, Math.min(tokens, quota - w[1]));
        w[1] += granted;
        f.complete(new Lease(granted, (w[0] - now) / 1_000_000));
      });
      return f;
    }

    /** The tests' policies lease a tenth of their quota. */
    private long quotaOf(long tokens) {
      return tokens * 10;
    }

    void answerAll() {
      Runnable r;
      while ((r = waiting.poll()) != null) {
        r.run();
      }
    }

    @Override
    public String describe() {
      return "the test's counters";
    }
  }
}
