package io.meshwork.control.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.ratelimit.EmbeddedCounters;
import io.meshwork.control.ratelimit.RateLimitCounters;
import io.meshwork.control.registry.ServiceRegistry;
import io.meshwork.control.resource.Admission;
import io.meshwork.control.resource.ResourceStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The API's HTTP/1.1 server; the only class that knows the Netty pipeline. */
public final class ApiServer implements AutoCloseable {

    /** Whether connections are TLS; false only when plaintext was asked for. */
    private final boolean tls;

    /** Largest request body accepted; larger ones get 413 from the aggregator. Resources are small documents. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    private static final int IO_THREADS = 2;
    private static final int WORKER_THREADS = 4;

    private final EventLoopGroup boss;
    private final EventLoopGroup ioLoops;
    private final ExecutorService workers;
    private final ScheduledExecutorService ticker;
    private final Channel serverChannel;
    private final RateLimitCounters counters;

    private ApiServer(EventLoopGroup boss, EventLoopGroup ioLoops, ExecutorService workers,
            ScheduledExecutorService ticker, Channel serverChannel, boolean tls,
            RateLimitCounters counters) {
        this.tls = tls;
        this.boss = boss;
        this.ioLoops = ioLoops;
        this.workers = workers;
        this.ticker = ticker;
        this.serverChannel = serverChannel;
        this.counters = counters;
    }

    /**
     * Binds {@code listen} and serves the API over {@code store}.
     *
     * @param bookmarkInterval how often idle watch streams get a BOOKMARK event
     * @param versionInfo      the body of {@code GET /version}
     */
    public static ApiServer start(InetSocketAddress listen, ResourceStore store, Duration bookmarkInterval,
            ObjectNode versionInfo, ApiSecurity security) {
        return start(listen, store, bookmarkInterval, versionInfo, security,
                new EmbeddedCounters(Clock.systemUTC()));
    }

    /** @param counters where GLOBAL rate limits count; closed with the server */
    public static ApiServer start(InetSocketAddress listen, ResourceStore store, Duration bookmarkInterval,
            ObjectNode versionInfo, ApiSecurity security, RateLimitCounters counters) {
        ObjectMapper json = new ObjectMapper();
        Admission admission = new Admission();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("meshwork-api-ticker"));
        // Store calls block on fsync, so requests are served here rather than on the I/O threads.
        ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, daemon("meshwork-api-worker"));
        ApiServices services = new ApiServices(store, new ResourceEndpoints(store, admission, json),
                new RegistrationEndpoints(new ServiceRegistry(store, admission, json), json), json, workers, ticker,
                bookmarkInterval, versionInfo, security, counters);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup ioLoops = new MultiThreadIoEventLoopGroup(IO_THREADS, io);
        ChannelFuture bound = new ServerBootstrap()
                .group(boss, ioLoops)
                .channel(channelType)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        if (security.tls() != null) {
                            // Each connection takes the context current at accept time, so a renewed serving
                            // certificate applies to new connections without disturbing open ones.
                            c.pipeline().addLast("tls", security.tls().get().newHandler(c.alloc()));
                        }
                        c.pipeline()
                                .addLast("http", new HttpServerCodec())
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("aggregate", new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast("api", new ApiHandler(services));
                    }
                })
                .bind(listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdown(boss, ioLoops, workers, ticker);
            counters.close();
            throw new IllegalStateException("listen: " + listen + " (" + bound.cause().getMessage() + ")",
                    bound.cause());
        }
        return new ApiServer(boss, ioLoops, workers, ticker, bound.channel(), security.tls() != null, counters);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The base URL clients use: https unless plaintext was asked for. */
    public String url() {
        InetSocketAddress at = localAddress();
        String host = at.getAddress().getHostAddress();
        return (tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + at.getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        shutdown(boss, ioLoops, workers, ticker);
        counters.close();
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup ioLoops, ExecutorService workers,
            ScheduledExecutorService ticker) {
        ticker.shutdownNow();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
