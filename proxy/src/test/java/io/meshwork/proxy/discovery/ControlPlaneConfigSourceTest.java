package io.meshwork.proxy.discovery;

import static io.meshwork.proxy.discovery.FakeControlPlane.bookmark;
import static io.meshwork.proxy.discovery.FakeControlPlane.event;
import static io.meshwork.proxy.discovery.FakeControlPlane.list;
import static io.meshwork.proxy.discovery.FakeControlPlane.virtualService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.retry.Backoff;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControlPlaneConfigSourceTest {
  private static final ControlPlaneConfigSource.Timing FAST = new ControlPlaneConfigSource.Timing(
      Duration.ofMillis(100), new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)), Duration.ofSeconds(30));
  private static final LocalService LOCAL = new LocalService("orders", "default");

  private FakeControlPlane fake;
  private ControlPlaneClient client;
  private final BlockingQueue<MeshSnapshot> published = new LinkedBlockingQueue<>();
  private ControlPlaneConfigSource source;

  @BeforeEach
  void setUp() throws IOException {
    fake = new FakeControlPlane();
    client = new ControlPlaneClient(fake.uri());
  }

  @AfterEach
  void tearDown() {
    if (source != null) {
      source.close();
    }
    client.close();
    fake.close();
  }

  private ControlPlaneConfigSource source(ControlPlaneClient c) {
    source = new ControlPlaneConfigSource(c, LOCAL, new SnapshotCompiler(), published::add, FAST,
        RandomGenerator.getDefault());
    return source;
  }

  private MeshSnapshot awaitVersion(long version) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      MeshSnapshot s = published.poll(100, TimeUnit.MILLISECONDS);
      if (s != null && s.version() >= version) {
        return s;
      }
    }
    throw new AssertionError("no snapshot with version >= " + version + " within 5 s");
  }

  private void awaitWatches(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (fake.watchesFrom.size() < count && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    assertThat(fake.watchesFrom).hasSizeGreaterThanOrEqualTo(count);
  }

  private List<String> names() {
    return source.resources().stream().map(r -> r.name()).toList();
  }

  @Test
  void loadInitialListsEverythingAndVersionsTheSnapshotWithTheRevision() {
    fake.listBody.set(list(12, virtualService("reviews", 10, "reviews"), virtualService("ratings", 12, "ratings")));

    MeshSnapshot initial = source(client).loadInitial(Duration.ofSeconds(2));

    assertThat(initial.version()).isEqualTo(12);
    assertThat(names()).containsExactlyInAnyOrder("reviews", "ratings");
    assertThat(published).as("the initial snapshot is returned, not published").isEmpty();
  }

  @Test
  void objectsThisBuildCannotReadAreSkippedNotFatal() {
    fake.listBody.set(list(5, virtualService("reviews", 4, "reviews"),
        "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"VirtualService\",\"metadata\":{\"name\":\"bad\","
            + "\"resourceVersion\":\"5\"},\"spec\":{\"hosts\":[\"x\"],\"http\":[{\"route\":[{\"destination\":"
            + "{\"host\":\"x\"},\"weight\":-5}]}]}}"));

    source(client).loadInitial(Duration.ofSeconds(2));

    assertThat(names()).containsExactly("reviews");
  }

  @Test
  void loadInitialFailsClearlyWhenNoControlPlaneAnswers() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (ControlPlaneClient nobody = new ControlPlaneClient(URI.create("http://127.0.0.1:" + closedPort))) {
      ControlPlaneConfigSource s = source(nobody);
      assertThatThrownBy(() -> s.loadInitial(Duration.ofMillis(300)))
          .isInstanceOf(ControlPlaneException.class)
          .hasMessageContaining("127.0.0.1:" + closedPort)
          .hasMessageContaining("no answer within 300 ms");
    }
  }

  @Test
  void aBurstOfEventsIsCompiledOnceAtTheLastRevision() throws InterruptedException {
    fake.listBody.set(list(3));
    source(client).loadInitial(Duration.ofSeconds(2));
    source.start();
    awaitWatches(1);
    assertThat(fake.watchesFrom).containsExactly("3");

    fake.watchLines.add(event("ADDED", virtualService("reviews", 4, "reviews")) + "\n"
        + event("ADDED", virtualService("ratings", 5, "ratings")) + "\n"
        + event("MODIFIED", virtualService("reviews", 6, "reviews.shop")));

    MeshSnapshot snapshot = awaitVersion(6);
    assertThat(snapshot.version()).isEqualTo(6);
    assertThat(published).as("one compile for the whole burst").isEmpty();
    assertThat(names()).containsExactlyInAnyOrder("reviews", "ratings");

    fake.watchLines.add(event("DELETED", virtualService("ratings", 7, "ratings")));
    awaitVersion(7);
    assertThat(names()).containsExactly("reviews");
    assertThat(source.state()).isEqualTo(new ControlPlaneConfigSource.SyncState(true, 7, 0, 0));
  }

  @Test
  void aLostWatchResumesFromTheLastRevisionIncludingBookmarks() throws InterruptedException {
    fake.listBody.set(list(3));
    fake.currentRevision.set(3);
    source(client).loadInitial(Duration.ofSeconds(2));
    source.start();
    awaitWatches(1);

    fake.watchLines.add(event("ADDED", virtualService("reviews", 4, "reviews")));
    awaitVersion(4);
    fake.watchLines.add(bookmark(9));
    fake.currentRevision.set(9);
    fake.watchLines.add(FakeControlPlane.END);
    awaitWatches(2);

    assertThat(fake.watchesFrom).containsExactly("3", "9");
    assertThat(fake.lists.get()).as("resumed, not listed again").isEqualTo(1);
    fake.watchLines.add(event("ADDED", virtualService("ratings", 10, "ratings")));
    awaitVersion(10);
    assertThat(names()).containsExactlyInAnyOrder("reviews", "ratings");
    assertThat(source.state().reconnects()).isEqualTo(1);
  }

  @Test
  void aCompactedRevisionMeansListingAgain() throws InterruptedException {
    fake.listBody.set(list(3, virtualService("reviews", 2, "reviews")));
    source(client).loadInitial(Duration.ofSeconds(2));
    source.start();
    awaitWatches(1);

    fake.listBody.set(list(20, virtualService("ratings", 18, "ratings")));
    fake.watchLines.add(event("ERROR", FakeControlPlane.status(410, "too old resource version: 3 (15)")));
    fake.watchLines.add(FakeControlPlane.END);

    MeshSnapshot relisted = awaitVersion(20);
    assertThat(relisted.version()).isEqualTo(20);
    assertThat(names()).containsExactly("ratings");
    awaitWatches(2);
    assertThat(fake.watchesFrom).containsExactly("3", "20");
    assertThat(source.state().relists()).isEqualTo(1);
  }

  @Test
  void aWatchRefusedWithGoneAlsoListsAgain() throws InterruptedException {
    fake.listBody.set(list(3));
    fake.nextWatchStatus.set(410);
    source(client).loadInitial(Duration.ofSeconds(2));
    fake.listBody.set(list(30, virtualService("ratings", 30, "ratings")));
    source.start();

    awaitVersion(30);
    awaitWatches(2);
    assertThat(fake.watchesFrom).containsExactly("3", "30");
  }

  @Test
  void aControlPlaneThatLostItsHistoryIsListedAgainInsteadOfResumed() throws InterruptedException {
    fake.listBody.set(list(50, virtualService("reviews", 50, "reviews")));
    fake.currentRevision.set(50);
    source(client).loadInitial(Duration.ofSeconds(2));
    source.start();
    awaitWatches(1);

    // Restarted with an empty data directory: its revisions start over.
    fake.currentRevision.set(2);
    fake.listBody.set(list(2, virtualService("ratings", 2, "ratings")));
    fake.watchLines.add(FakeControlPlane.END);

    awaitVersion(2);
    awaitWatches(2);
    assertThat(names()).containsExactly("ratings");
    assertThat(fake.watchesFrom).containsExactly("50", "2");
  }

  @Test
  void theLastSnapshotStaysWhileTheControlPlaneIsAway() throws InterruptedException {
    fake.listBody.set(list(3, virtualService("reviews", 3, "reviews")));
    source(client).loadInitial(Duration.ofSeconds(2));
    source.start();
    awaitWatches(1);

    fake.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (source.state().connected() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }

    assertThat(names()).containsExactly("reviews");
    assertThat(published).isEmpty();
    assertThat(source.state().connected()).isFalse();
    assertThat(source.state().revision()).isEqualTo(3);
  }

  @Test
  void aSilentWatchIsTakenForDeadAndReopened() throws InterruptedException {
    fake.listBody.set(list(3));
    fake.currentRevision.set(3);
    source = new ControlPlaneConfigSource(client, LOCAL, new SnapshotCompiler(), published::add,
        new ControlPlaneConfigSource.Timing(Duration.ofMillis(10), new Backoff(Duration.ofMillis(10),
            Duration.ofMillis(50)), Duration.ofMillis(200)), RandomGenerator.getDefault());
    source.loadInitial(Duration.ofSeconds(2));
    source.start();

    awaitWatches(2);

    assertThat(fake.watchesFrom).startsWith("3", "3");
    assertThat(fake.lists.get()).isEqualTo(1);
  }

  @Test
  void closeEndsTheWatchPromptly() throws InterruptedException {
    fake.listBody.set(list(3));
    source(client).loadInitial(Duration.ofSeconds(2));
    source.start();
    awaitWatches(1);

    long start = System.nanoTime();
    source.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(source.state().connected()).isFalse();
  }
}
