package io.meshwork.proxy.forward;

import io.meshwork.proxy.http.ConnectionErrorLog;
import io.meshwork.proxy.http.ConnectionErrors;
import io.meshwork.proxy.http.DownstreamLimits;
import io.meshwork.proxy.http.HeadScanner;
import io.meshwork.proxy.http.Http1Guard;
import io.meshwork.proxy.http.Http2RequestGuard;
import io.meshwork.proxy.http.HttpLimits;
import io.meshwork.proxy.http.RejectionCounters;
import io.meshwork.proxy.tcp.TcpRelay;
import io.meshwork.proxy.tcp.TcpTraffic;
import io.meshwork.proxy.upstream.Http1Connection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one place that knows the pipelines of a forwarding port. A connection starts as HTTP/1.1
 * and becomes HTTP/2 by prior knowledge (RFC 9113 §3.3) or by {@code Upgrade: h2c}
 * (RFC 7540 §3.2); every HTTP/2 stream gets a child channel that speaks HttpObjects, so the
 * exchange sees the same messages whatever the protocol.
 *
 * <p>HTTP/1.1 runs behind a {@link HeadScanner} (raw bytes, before the decoder) and an
 * {@link Http1Guard} (decoded heads, after it), which refuse malformed and ambiguous requests and
 * time out slow heads. HTTP/2 runs with Netty's flood protections set from {@link HttpLimits}; every
 * one of them ends the connection with GOAWAY, and malformed or connection-specific headers
 * (RFC 9113 §8.2.2, §8.3) reset their stream before anything is forwarded.
 */
public final class HttpListenerInitializer extends ChannelInitializer<Channel> {
  private static final int UPGRADE_MAX_CONTENT = 64 * 1024;
  /** How long a CONNECT tunnel may carry no byte either way (Istio's TCP idle timeout, 1 h). */
  static final Duration TUNNEL_IDLE_TIMEOUT = Duration.ofHours(1);

  private final ForwardConfig config;
  private final DownstreamLimits limits;
  private final RejectionCounters rejections;
  private final ChannelHandler streamInitializer;
  private final ConnectionErrors errors;
  /** Answers some requests on the port itself (Dapr's API), ahead of forwarding; null for none. */
  private final Supplier<ChannelHandler> localApi;

  public HttpListenerInitializer(ForwardConfig config) {
    this(config, DownstreamLimits.DEFAULTS, new RejectionCounters());
  }

  /** @param rejections where refused HTTP/1 requests are counted by reason */
  public HttpListenerInitializer(ForwardConfig config, DownstreamLimits limits, RejectionCounters rejections) {
    this(config, limits, rejections, null);
  }

  /**
   * @param localApi makes, per connection or HTTP/2 stream, a handler that sits before forwarding and
   *     answers the requests it owns (it sees HttpObjects whatever the protocol); null for none
   */
  public HttpListenerInitializer(ForwardConfig config, DownstreamLimits limits, RejectionCounters rejections,
      Supplier<ChannelHandler> localApi) {
    this.localApi = localApi;
    this.config = config;
    this.limits = limits;
    this.rejections = rejections;
    this.errors = new ConnectionErrors(rejections, ConnectionErrorLog.shared());
    this.streamInitializer = new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new Http2RequestGuard(limits, rejections));
        if (localApi != null) {
          ch.pipeline().addLast(localApi.get());
        }
        ch.pipeline().addLast(new DownstreamHandler(config, true), errors);
      }
    };
  }

  @Override
  protected void initChannel(Channel ch) {
    HttpServerCodec codec = new HttpServerCodec(HttpLimits.decoderConfig(limits));
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, protocol ->
        AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
            ? new Http2ServerUpgradeCodec(frameCodec(), multiplexer())
            : null,
        UPGRADE_MAX_CONTENT);
    ChannelHandler priorKnowledge = new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel c) {
        c.pipeline().addBefore(ConnectionErrors.NAME, null, frameCodec());
        c.pipeline().addBefore(ConnectionErrors.NAME, null, multiplexer());
      }
    };
    ChannelPipeline p = ch.pipeline();
    p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, upgrade, priorKnowledge));
    if (localApi != null) {
      p.addLast(localApi.get());
    }
    p.addLast(new DownstreamHandler(config, false));
    // Last, whatever the connection becomes: errors nobody handled are counted, not logged with stack traces.
    p.addLast(ConnectionErrors.NAME, errors);
    // The cleartext handler has put the codec in place (the channel is registered): wrap it.
    String codecName = p.context(codec).name();
    Http1Guard guard = new Http1Guard(limits, rejections);
    p.addBefore(codecName, null, guard.scanner());
    p.addAfter(codecName, null, guard);
  }

  /** Refused HTTP/1 requests by reason, for metrics. */
  public RejectionCounters rejections() {
    return rejections;
  }

  private Http2FrameCodec frameCodec() {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings()
            .maxConcurrentStreams(HttpLimits.H2_MAX_CONCURRENT_STREAMS)
            .maxHeaderListSize(limits.maxHeaderBytes()))
        .validateHeaders(true)
        .validateRequiredPseudoHeaders(true)
        // CVE-2023-44487 (Rapid Reset): streams opened and reset at once cost the server work
        // without counting against max concurrent streams.
        .decoderEnforceMaxRstFramesPerWindow(HttpLimits.H2_MAX_RST_FRAMES, HttpLimits.H2_RST_WINDOW_SECONDS)
        // SETTINGS and PING floods: their acks pile up for a peer that does not read.
        .encoderEnforceMaxQueuedControlFrames(HttpLimits.H2_MAX_QUEUED_CONTROL_FRAMES)
        .decoderEnforceMaxConsecutiveEmptyDataFrames(HttpLimits.H2_MAX_EMPTY_DATA_FRAMES)
        // CONTINUATION floods: a header block in many tiny frames, never ended.
        .decoderEnforceMaxSmallContinuationFrames(HttpLimits.H2_MAX_SMALL_CONTINUATION_FRAMES)
        .build();
  }

  private Http2MultiplexHandler multiplexer() {
    return new Http2MultiplexHandler(streamInitializer, streamInitializer);
  }

  /**
   * Tells an HTTP/2 downstream connection to open no more streams (GOAWAY, RFC 9113 §6.8); the
   * streams in flight finish. HTTP/1.1 connections learn it from Connection: close on their next
   * response. Call on the channel's event loop.
   */
  public static void drain(Channel ch) {
    if (ch.isActive() && ch.pipeline().get(Http2FrameCodec.class) != null) {
      ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    }
  }

  /**
   * The first request did not upgrade the connection to HTTP/2 (RFC 7540 §3.2 upgrades on the
   * first request), so the upgrade handler stops inspecting every request.
   */
  static void settleHttp1(ChannelPipeline pipeline) {
    removeIfPresent(pipeline, HttpServerUpgradeHandler.class);
  }

  /** The connection stopped speaking HTTP/1 (HTTP/2 by upgrade or prior knowledge, or a tunnel): its guards go. */
  static void leaveHttp1(ChannelPipeline pipeline) {
    Http1Guard guard = pipeline.get(Http1Guard.class);
    if (guard != null) {
      guard.stop();
      pipeline.remove(guard);
    }
    removeIfPresent(pipeline, HeadScanner.class);
  }

  /**
   * After a 101 to a WebSocket handshake, both connections stop speaking HTTP: the codecs go and
   * bytes are spliced both ways (RFC 9110 §7.8).
   */
  static void switchToTunnel(ChannelHandlerContext downstreamCtx, Channel upstream) {
    Channel downstream = downstreamCtx.channel();
    ChannelPipeline down = downstream.pipeline();
    down.addLast(new TunnelHandler(upstream));
    down.remove(downstreamCtx.handler());
    removeIfPresent(down, HttpServerUpgradeHandler.class);
    removeIfPresent(down, HttpServerCodec.class);
    leaveHttp1(down);

    ChannelPipeline up = upstream.pipeline();
    Http1Connection connection = up.get(Http1Connection.class);
    if (connection != null) {
      connection.detach();
    }
    up.addLast(new TunnelHandler(downstream));
    removeIfPresent(up, Http1Connection.class);
    removeIfPresent(up, HttpClientCodec.class);
    downstream.config().setAutoRead(true);
    upstream.config().setAutoRead(true);
  }

  /**
   * After a 200 to CONNECT (RFC 9110 §9.3.6) the downstream connection stops speaking HTTP: its codec
   * and guards go, and bytes are spliced with the tunnel's upstream, half-closes relayed, until either
   * side closes or nothing moves for {@link #TUNNEL_IDLE_TIMEOUT}. Bytes the codec still held (sent
   * right behind the CONNECT) go upstream first.
   */
  static void switchToConnectTunnel(ChannelHandlerContext downstreamCtx, Channel upstream, TcpTraffic traffic) {
    Channel downstream = downstreamCtx.channel();
    ChannelPipeline down = downstream.pipeline();
    TcpRelay.splice(downstream, upstream, TUNNEL_IDLE_TIMEOUT, traffic);
    down.remove(downstreamCtx.handler());
    removeIfPresent(down, HttpServerUpgradeHandler.class);
    removeIfPresent(down, CleartextHttp2ServerUpgradeHandler.class);
    removeIfPresent(down, HttpServerCodec.class);
    leaveHttp1(down);
  }

  private static void removeIfPresent(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
    if (pipeline.get(type) != null) {
      pipeline.remove(type);
    }
  }
}
