package io.meshwork.proxy.hardening.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The origin behind every proxy under test: Netty's HTTP/1.1 server with its lenient defaults,
 * so a request a proxy lets through is read as it arrives. It answers 200 with an empty body
 * and remembers each request line, which tells whether a smuggled request got through.
 */
public final class ProbeBackend implements AutoCloseable {
  /** The path every case uses for the request it tries to smuggle. */
  public static final String SMUGGLED_PATH = "/smuggled";

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> headerNames = new CopyOnWriteArrayList<>();

  /** @param port 0 for a free one */
  public ProbeBackend(int port) {
    server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                    requests.add(request.method() + " " + request.uri());
                    request.headers().names().forEach(headerNames::add);
                    FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.EMPTY_BUFFER);
                    ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                    ctx.writeAndFlush(ok);
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    // A proxy under test resets connections it gives up on.
                    ctx.close();
                  }
                });
          }
        })
        .bind("127.0.0.1", port).syncUninterruptibly().channel();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** Request lines received since the last {@link #clear()}, in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Names of every header field received since the last {@link #clear()}. */
  public List<String> headerNames() {
    return List.copyOf(headerNames);
  }

  public boolean sawSmuggled() {
    return requests.stream().anyMatch(r -> r.contains(SMUGGLED_PATH));
  }

  public void clear() {
    requests.clear();
    headerNames.clear();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
