package io.meshwork.proxy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.meshwork.RateLimitPolicy.Direction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.route.RouteMatch;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rate-limit stage on a clock the test moves: refill, burst, caller keys, several policies, shadow mode. */
class RateLimitStageTest {
  static final long SECOND = 1_000_000_000L;
  final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  final EmbeddedChannel channel = new EmbeddedChannel();
  RateLimits limits = RateLimits.NONE;
  final RateLimitStage stage = new RateLimitStage(Direction.INBOUND, () -> limits, clock::get);

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  RateLimitRule rule(String name, RouteMatch match, CallerKey key, int limit, long window, int burst, boolean dryRun,
      int maxCallers) {
    return new RateLimitRule(name, Direction.INBOUND, match, key, limit, window, limit + burst, dryRun,
        new RateLimitRule.State(!(key instanceof CallerKey.Shared), maxCallers, clock.get()));
  }

  RateLimitRule rule(String name, int limit, long window, int burst) {
    return rule(name, RouteMatch.ANY, new CallerKey.Shared(), limit, window, burst, false, 100);
  }

  void use(RateLimitRule... rules) {
    limits = new RateLimits(List.of(rules), List.of());
  }

  Req request(String path, String... headers) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    for (int i = 0; i < headers.length; i += 2) {
      head.headers().set(headers[i], headers[i + 1]);
    }
    return new Req(head, channel, false, new RequestRecord(clock.get()));
  }

  StageVerdict send(String path, String... headers) {
    return stage.onRequest(request(path, headers));
  }

  void advance(long nanos) {
    clock.addAndGet(nanos);
  }

  @Test
  void aBucketHoldsTheRatePlusTheBurstAndRefillsOneTokenPerInterval() {
    RateLimitRule twoPerMinute = rule("two-per-minute", 2, 60, 1);
    use(twoPerMinute);
    for (int i = 0; i < 3; i++) {
      assertThat(send("/")).isSameAs(StageVerdict.NEXT);
    }
    Req refused = request("/");
    StageVerdict.Answer answer = (StageVerdict.Answer) stage.onRequest(refused);
    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.flag()).isEqualTo(ResponseFlag.RL);
    assertThat(refused.record().flags()).contains(ResponseFlag.RL);
    assertThat(answer.effectiveGrpcStatus()).isEqualTo(8);
    assertThat(answer.headers())
        .containsEntry("retry-after", "30")
        .containsEntry("ratelimit-policy", "\"two-per-minute\";q=2;w=60")
        .containsEntry("ratelimit", "\"two-per-minute\";r=0;t=30");

    advance(29 * SECOND);
    assertThat(((StageVerdict.Answer) send("/")).headers()).containsEntry("retry-after", "1");
    advance(SECOND);
    assertThat(send("/")).isSameAs(StageVerdict.NEXT);
    assertThat(send("/")).isInstanceOf(StageVerdict.Answer.class);
    // An idle bucket fills up to its capacity, not beyond.
    advance(3600 * SECOND);
    for (int i = 0; i < 3; i++) {
      assertThat(send("/")).isSameAs(StageVerdict.NEXT);
    }
    assertThat(send("/")).isInstanceOf(StageVerdict.Answer.class);
    assertThat(twoPerMinute.state().admitted()).isEqualTo(7);
    assertThat(twoPerMinute.state().limited()).isEqualTo(4);
  }

  @Test
  void callersWithDifferentKeysHaveTheirOwnBuckets() {
    use(rule("per-user", RouteMatch.ANY, new CallerKey.Header("x-user"), 1, 60, 0, false, 100));
    assertThat(send("/", "x-user", "alice")).isSameAs(StageVerdict.NEXT);
    assertThat(send("/", "x-user", "alice")).isInstanceOf(StageVerdict.Answer.class);
    assertThat(send("/", "x-user", "bob")).isSameAs(StageVerdict.NEXT);
    // Requests without the header share one bucket.
    assertThat(send("/")).isSameAs(StageVerdict.NEXT);
    assertThat(send("/")).isInstanceOf(StageVerdict.Answer.class);
  }

  @Test
  void callerBucketsAreBoundedAndEvictionsCounted() {
    RateLimitRule perUser = rule("per-user", RouteMatch.ANY, new CallerKey.Header("x-user"), 1, 60, 0, false, 64);
    use(perUser);
    for (int i = 0; i < 10_000; i++) {
      assertThat(send("/", "x-user", "u" + i)).isSameAs(StageVerdict.NEXT);
    }
    assertThat(perUser.state().callers()).isLessThanOrEqualTo(64);
    assertThat(perUser.state().evictions()).isEqualTo(10_000 - perUser.state().callers());
    // The most recently used caller keeps its (empty) bucket.
    assertThat(send("/", "x-user", "u9999")).isInstanceOf(StageVerdict.Answer.class);
  }

  @Test
  void everyMatchingPolicyTakesATokenAndTheOneThatFreesUpLastAnswers() {
    RouteMatch api = (head, path) -> path.startsWith("/api/") ? "/api/" : null;
    RateLimitRule perSecond = rule("per-second", 1, 1, 0);
    RateLimitRule perMinute = rule("api-per-minute", api, new CallerKey.Shared(), 1, 60, 0, false, 100);
    use(perSecond, perMinute);
    assertThat(send("/api/a")).isSameAs(StageVerdict.NEXT);
    StageVerdict.Answer both = (StageVerdict.Answer) send("/api/a?x=1");
    assertThat(both.headers()).containsEntry("ratelimit", "\"api-per-minute\";r=0;t=60");
    advance(SECOND);
    // Only the per-second policy matches /other.
    assertThat(send("/other")).isSameAs(StageVerdict.NEXT);
    advance(SECOND);
    StageVerdict.Answer minute = (StageVerdict.Answer) send("/api/b");
    assertThat(minute.headers()).containsEntry("ratelimit-policy", "\"api-per-minute\";q=1;w=60");
    // The per-second bucket gave its token to the refused request: it is not given back.
    assertThat(send("/other")).isInstanceOf(StageVerdict.Answer.class);
  }

  @Test
  void aDryRunPolicyCountsWithoutRefusing() {
    RateLimitRule shadow = rule("shadow", RouteMatch.ANY, new CallerKey.Shared(), 1, 60, 0, true, 100);
    use(shadow);
    for (int i = 0; i < 5; i++) {
      assertThat(send("/")).isSameAs(StageVerdict.NEXT);
    }
    assertThat(shadow.state().admitted()).isEqualTo(1);
    assertThat(shadow.state().shadowLimited()).isEqualTo(4);
    assertThat(shadow.state().limited()).isZero();
  }

  @Test
  void noPoliciesCostNothing() {
    assertThat(send("/")).isSameAs(StageVerdict.NEXT);
    assertThat(new RateLimitStage(Direction.INBOUND, () -> null, clock::get).onRequest(request("/")))
        .isSameAs(StageVerdict.NEXT);
  }

  @Test
  void eventLoopsTakingFromOneBucketNeverAdmitMoreThanItHolds() throws Exception {
    RateLimitRule shared = rule("shared", 1, 3600, 999);
    use(shared);
    int threads = 4;
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 1_000; i++) {
          if (send("/") == StageVerdict.NEXT) {
            admitted.incrementAndGet();
          }
        }
      });
      thread.start();
      all.add(thread);
    }
    start.countDown();
    for (Thread t : all) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(admitted.get()).isEqualTo(1_000);
    assertThat(shared.state().limited()).isEqualTo(3_000);
  }

  @Test
  void matchesSeeThePathOfOriginAndAbsoluteFormTargets() {
    assertThat(RateLimitStage.path("/api/a?x=1")).isEqualTo("/api/a");
    assertThat(RateLimitStage.path("/api/a")).isEqualTo("/api/a");
    assertThat(RateLimitStage.path("http://payments.shop:8080/api/a?x=1")).isEqualTo("/api/a");
    assertThat(RateLimitStage.path("http://payments.shop")).isEqualTo("/");
    assertThat(RateLimitStage.path("/a#frag")).isEqualTo("/a");
  }

  record Req(HttpRequest head, Channel channel, boolean grpc, RequestRecord record) implements StageRequest {
    @Override
    public RouteDecision route() {
      return null;
    }
  }
}
