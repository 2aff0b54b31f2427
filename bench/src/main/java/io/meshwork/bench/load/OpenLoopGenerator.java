package io.meshwork.bench.load;

import io.meshwork.bench.transport.NativeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP/1.1 load generator with N keep-alive connections, open loop at a fixed rate (latency from
 * the intended start, see {@link LoadConnection}) or closed loop for saturation throughput.
 *
 * <p>All connections are opened before the clock starts, so connection set-up is never timed, and
 * the run is bounded: warm-up + duration + grace at most.
 */
public final class OpenLoopGenerator {

  /** Lets every connection receive its start task before the first slot comes due. */
  private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private OpenLoopGenerator() {}

  /** Runs {@code spec} to the end and reports its measured part. */
  public static LoadReport run(LoadSpec spec) throws InterruptedException {
    NativeTransport transport = NativeTransport.best();
    EventLoopGroup group = transport.newGroup(spec.threads(), "load");
    ByteBuf request = encodeRequest(spec);
    List<Channel> channels = new ArrayList<>();
    List<LoadConnection> connections = new ArrayList<>();
    try {
      Bootstrap bootstrap = new Bootstrap()
          .group(group)
          .channel(transport.socketChannelClass())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
      for (int i = 0; i < spec.connections(); i++) {
        LoadConnection connection = new LoadConnection(request);
        Channel channel = bootstrap.clone()
            .handler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpResponseDecoder(), connection);
              }
            })
            .connect(spec.host(), spec.port())
            .sync()
            .channel();
        channels.add(channel);
        connections.add(connection);
      }
      // Every event loop of a group shares the system ticker, so one start time serves all.
      long start = group.next().ticker().nanoTime() + START_DELAY_NANOS;
      MeasurementWindow window = MeasurementWindow.of(start, spec.warmup().toNanos(), spec.duration().toNanos());
      List<CompletableFuture<ConnectionStats>> done = new ArrayList<>();
      for (int i = 0; i < channels.size(); i++) {
        LoadConnection connection = connections.get(i);
        Pacer pacer = Pacer.create(spec.pacing(), window, i, channels.size());
        channels.get(i).eventLoop().execute(() -> connection.start(pacer, window));
        done.add(connection.finished());
      }
      awaitOrAbort(channels, connections, done, window, spec.grace());
      List<ConnectionStats> stats = new ArrayList<>();
      for (CompletableFuture<ConnectionStats> future : done) {
        stats.add(future.join());
      }
      return LoadReport.merge(spec.pacing(), Duration.ofNanos(window.measuredNanos()), stats);
    } finally {
      for (Channel channel : channels) {
        channel.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      request.release();
    }
  }

  private static void awaitOrAbort(
      List<Channel> channels,
      List<LoadConnection> connections,
      List<CompletableFuture<ConnectionStats>> done,
      MeasurementWindow window,
      Duration grace) throws InterruptedException {
    CompletableFuture<Void> all = CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    long waitNanos = window.endNanos() - channels.get(0).eventLoop().ticker().nanoTime() + grace.toNanos();
    try {
      all.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
      return;
    } catch (TimeoutException e) {
      // Answers still missing after the grace period are counted as timeouts below.
    } catch (ExecutionException e) {
      throw new IllegalStateException("load connection failed", e.getCause());
    }
    for (int i = 0; i < channels.size(); i++) {
      channels.get(i).eventLoop().execute(connections.get(i)::abort);
    }
    try {
      all.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException("load connections did not stop after abort", e);
    }
  }

  /**
   * The one request every connection repeats. Pre-encoded: the generator must spend its CPU on
   * the connections, not on re-encoding identical headers.
   */
  static ByteBuf encodeRequest(LoadSpec spec) {
    String authority = spec.host().contains(":") ? "[" + spec.host() + "]:" + spec.port() : spec.host() + ":" + spec.port();
    String text = "GET " + spec.path() + " HTTP/1.1\r\n"
        + "host: " + authority + "\r\n"
        + "user-agent: meshwork-bench\r\n"
        + "\r\n";
    return Unpooled.directBuffer(text.length()).writeBytes(text.getBytes(StandardCharsets.US_ASCII));
  }

  public static void main(String[] args) throws InterruptedException {
    LoadSpec spec;
    try {
      spec = LoadSpec.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(LoadSpec.USAGE);
      System.exit(2);
      return;
    }
    LoadReport report;
    try {
      report = run(spec);
    } catch (Exception e) {
      System.err.println("error: load run against " + spec.host() + ":" + spec.port() + " failed: " + e);
      System.exit(1);
      return;
    }
    System.out.println(report.summary());
    System.out.println(report.resultLine());
  }
}
