package io.meshwork.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.http.ErrorResponses;
import io.meshwork.proxy.telemetry.IstioMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Serves the admin endpoints; small aggregated requests only, so it never touches the data path. */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String INDEX = """
      meshwork sidecar admin
        GET    /ready   200 once listeners are bound, a snapshot is loaded and the workload has its
                        certificate (when it should have one); else 503 and why
        GET    /config  the loaded snapshot: version, summary, notices (JSON)
        GET    /metrics Istio's standard metrics (Prometheus text format; OpenMetrics when asked)
        POST   /drain   stop accepting new connections; in-flight requests finish
        DELETE /drain   accept connections again on the same ports
      /ready is open to all; the rest needs a loopback caller or the --admin-token-file bearer token.
      """;

  private final AdminControls controls;

  AdminHandler(AdminControls controls) {
    this.controls = controls;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      send(ctx, request, ErrorResponses.text(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, "bad_request", "bad request\n"));
      return;
    }
    String path = request.uri();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    HttpMethod method = request.method();
    InetAddress remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    if (controls.access().check(remote, request.headers().get(HttpHeaderNames.AUTHORIZATION), path, method)
        instanceof AdminAccess.Decision.Refused refused) {
      FullHttpResponse response = text(ctx, refused.status(), refused.message() + "\n");
      if (refused.status().equals(HttpResponseStatus.UNAUTHORIZED)) {
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"meshwork-admin\"");
      }
      send(ctx, request, response);
      return;
    }
    FullHttpResponse response = switch (path) {
      case "/" -> get(method) ? text(ctx, HttpResponseStatus.OK, INDEX) : notAllowed(ctx, "GET");
      case "/ready" -> !get(method) ? notAllowed(ctx, "GET") : ready(ctx);
      case "/config" -> get(method) ? config(ctx) : notAllowed(ctx, "GET");
      case "/metrics" -> get(method) ? metrics(ctx, request.headers().get(HttpHeaderNames.ACCEPT)) : notAllowed(ctx, "GET");
      case "/drain" -> {
        if (HttpMethod.POST.equals(method)) {
          later(ctx, request, controls.drain(), "draining\n");
        } else if (HttpMethod.DELETE.equals(method)) {
          later(ctx, request, controls.undrain(), "accepting\n");
        } else {
          yield notAllowed(ctx, "POST, DELETE");
        }
        yield null;
      }
      default -> text(ctx, HttpResponseStatus.NOT_FOUND, "not found: " + path + "\n");
    };
    if (response != null) {
      send(ctx, request, response);
    }
  }

  private FullHttpResponse metrics(ChannelHandlerContext ctx, String accept) {
    if (controls.metrics() == null) {
      return text(ctx, HttpResponseStatus.NOT_FOUND, "this sidecar keeps no metrics\n");
    }
    IstioMetrics.Scrape scrape = controls.metrics().apply(accept);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        ctx.alloc().buffer(scrape.body().length).writeBytes(scrape.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, scrape.contentType());
    HttpUtil.setContentLength(response, scrape.body().length);
    return response;
  }

  private FullHttpResponse ready(ChannelHandlerContext ctx) {
    Optional<String> why = controls.notReady().get();
    return why.isEmpty() ? text(ctx, HttpResponseStatus.OK, "ready\n")
        : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + why.get() + "\n");
  }

  /**
   * Draining closes listeners and undraining binds them, both waiting for the result: that must not
   * happen on an event loop, so it runs on Netty's global executor and the answer follows.
   */
  private static void later(ChannelHandlerContext ctx, FullHttpRequest request, Runnable action, String done) {
    request.retain();
    GlobalEventExecutor.INSTANCE.execute(() -> {
      String failure = null;
      try {
        action.run();
      } catch (RuntimeException e) {
        failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      String error = failure;
      ctx.executor().execute(() -> {
        try {
          send(ctx, request, error == null ? text(ctx, HttpResponseStatus.OK, done)
              : text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, error + "\n"));
        } finally {
          request.release();
        }
      });
    });
  }

  private static boolean get(HttpMethod method) {
    return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
  }

  private FullHttpResponse config(ChannelHandlerContext ctx) {
    MeshSnapshot snapshot = controls.snapshot().get();
    if (snapshot == null) {
      return text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "no snapshot loaded\n");
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("version", snapshot.version());
    view.put("summary", snapshot.summary());
    view.put("notices", snapshot.notices());
    view.putAll(controls.stats().get());
    try {
      byte[] json = JSON.writeValueAsBytes(view);
      ByteBuf content = ctx.alloc().buffer(json.length + 1).writeBytes(json).writeByte('\n');
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
      return response;
    } catch (Exception e) {
      return text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot render config: " + e.getMessage() + "\n");
    }
  }

  private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
    return ErrorResponses.text(ctx.alloc(), status, null, body);
  }

  private static FullHttpResponse notAllowed(ChannelHandlerContext ctx, String allow) {
    FullHttpResponse response = ErrorResponses.text(
        ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed\n");
    response.headers().set(HttpHeaderNames.ALLOW, allow);
    return response;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
