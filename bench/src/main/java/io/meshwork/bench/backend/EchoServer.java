package io.meshwork.bench.backend;

import io.meshwork.bench.transport.NativeTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The upstream of every benchmarked path: HTTP/1.1 keep-alive, a fixed small body, nothing else.
 *
 * <p>Usage: {@code EchoServer PORT [THREADS [BODY_BYTES]]}; port 0 picks a free port, which is
 * printed as {@code listening 127.0.0.1:PORT}. It binds the loopback address only.
 */
public final class EchoServer implements AutoCloseable {

  /** Body size of the benchmark: small, as in typical JSON RPC answers. */
  public static final int DEFAULT_BODY_BYTES = 64;

  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final CannedResponses responses;

  private EchoServer(EventLoopGroup group, Channel serverChannel, CannedResponses responses) {
    this.group = group;
    this.serverChannel = serverChannel;
    this.responses = responses;
  }

  /** Binds {@code 127.0.0.1:port} (0 for any free port) with {@code threads} event loops. */
  public static EchoServer start(int port, int threads, int bodyBytes) throws InterruptedException {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    NativeTransport transport = NativeTransport.best();
    CannedResponses responses = new CannedResponses(PooledByteBufAllocator.DEFAULT, bodyBytes);
    EventLoopGroup group = transport.newGroup(threads, "echo");
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(transport.serverChannelClass())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpRequestDecoder(), new EchoHandler(responses));
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", port))
          .sync()
          .channel();
      return new EchoServer(group, channel, responses);
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      responses.close();
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    responses.close();
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: EchoServer PORT [THREADS [BODY_BYTES]]");
      System.exit(2);
    }
    int port;
    int threads;
    int bodyBytes;
    try {
      port = Integer.parseInt(args[0]);
      threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
      bodyBytes = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_BODY_BYTES;
    } catch (NumberFormatException e) {
      System.err.println("error: not a number: " + e.getMessage());
      System.exit(2);
      return;
    }
    EchoServer server;
    try {
      server = start(port, threads, bodyBytes);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      // Netty rethrows the bind failure (port taken) unchecked-in-disguise.
      System.err.println("error: cannot listen on 127.0.0.1:" + port + ": " + e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "echo-shutdown"));
    System.out.println("listening 127.0.0.1:" + server.port() + " (" + NativeTransport.best().name()
        + ", " + threads + " thread(s), " + bodyBytes + "-byte body)");
    stopped.await();
  }
}
