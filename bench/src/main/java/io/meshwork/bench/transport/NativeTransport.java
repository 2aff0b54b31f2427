package io.meshwork.bench.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * The transport a bench process runs on. Native epoll avoids the JDK selector's allocations and
 * wake-up overhead, which matters when the load generator and the echo backend share one core.
 */
public record NativeTransport(
    String name,
    Supplier<IoHandlerFactory> ioHandlerFactory,
    Class<? extends ServerChannel> serverChannelClass,
    Class<? extends SocketChannel> socketChannelClass) {

  /** Epoll when its native library loads on this host, NIO otherwise. */
  public static NativeTransport best() {
    if (Epoll.isAvailable()) {
      return new NativeTransport(
          "epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class);
    }
    return new NativeTransport(
        "nio", NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /** A group of {@code threads} event loops named {@code poolName-N}. */
  public MultiThreadIoEventLoopGroup newGroup(int threads, String poolName) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory(poolName), ioHandlerFactory.get());
  }
}
