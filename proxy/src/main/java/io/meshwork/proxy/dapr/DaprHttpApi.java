package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ModelMapper;
import io.meshwork.model.dapr.Component;
import io.meshwork.proxy.forward.TargetResolver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Dapr's HTTP API on the sidecar's HTTP port, in front of forwarding: {@code /v1.0/state/...},
 * {@code /v1.0/publish/...} and {@code /v1.0-alpha1/publish/bulk/...}, {@code /v1.0/metadata} and {@code /v1.0/healthz} are answered here (Dapr 1.1x semantics and error
 * bodies); every other request passes on unchanged, so {@code /v1.0/invoke/...} keeps going through the
 * mesh. A Dapr request's body is collected up to {@link #MAX_BODY} (Dapr's default limit); the store
 * call runs off the event loop and its answer is written back on it. While an HTTP/1.1 answer is
 * pending, later requests on the connection wait, so responses keep their order (RFC 9112 §9.3.2).
 */
public final class DaprHttpApi extends ChannelInboundHandlerAdapter {
  /** Dapr's default {@code --max-body-size}: 4 MiB. */
  public static final int MAX_BODY = 4 * 1024 * 1024;
  private static final String STATE = "/v1.0/state";
  private static final String METADATA = "/v1.0/metadata";
  private static final String HEALTHZ = "/v1.0/healthz";
  private static final String PUBLISH = "/v1.0/publish";
  private static final String ALPHA_PUBLISH = "/v1.0-alpha1/publish";
  private static final String BULK_PUBLISH = "/v1.0-alpha1/publish/bulk";

  private final StateStores stores;
  private final PubSub pubSub;
  private final Supplier<DaprComponents> components;
  private final String appId;
  private final String namespace;
  private final TargetResolver callerGuard;

  private HttpRequest request;
  private CompositeByteBuf body;
  private boolean tooLarge;
  private boolean busy;
  private final ArrayDeque<Object> held = new ArrayDeque<>();

  /**
   * @param callerGuard refuses callers that may not use the port (the same guard as forwarding's)
   */
  public DaprHttpApi(StateStores stores, Supplier<DaprComponents> components, String appId, String namespace,
      TargetResolver callerGuard) {
    this(stores, null, components, appId, namespace, callerGuard);
  }

  /**
   * @param pubSub the sidecar's topics; null answers every publish with {@code ERR_PUBSUB_NOT_CONFIGURED}
   * @param callerGuard refuses callers that may not use the port (the same guard as forwarding's)
   */
  public DaprHttpApi(StateStores stores, PubSub pubSub, Supplier<DaprComponents> components, String appId,
      String namespace, TargetResolver callerGuard) {
    this.stores = stores;
    this.pubSub = pubSub;
    this.components = components;
    this.appId = appId;
    this.namespace = namespace;
    this.callerGuard = callerGuard;
  }

  /** Whether {@code uri} (origin-form) names one of the Dapr APIs answered here. */
  static boolean handles(String uri) {
    return isApi(uri, STATE) || isApi(uri, METADATA) || isApi(uri, HEALTHZ) || isApi(uri, PUBLISH)
        || isApi(uri, ALPHA_PUBLISH);
  }

  private static boolean isApi(String uri, String prefix) {
    return uri.startsWith(prefix) && (uri.length() == prefix.length() || "/?".indexOf(uri.charAt(prefix.length())) >= 0);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (busy) {
      held.add(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      if (!handles(req.uri())) {
        ctx.fireChannelRead(msg);
        return;
      }
      request = req;
      body = ctx.alloc().compositeBuffer();
      tooLarge = false;
      if (!(msg instanceof HttpContent)) {
        ReferenceCountUtil.release(msg);
        return;
      }
    } else if (request == null) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpContent content) {
      ByteBuf data = content.content();
      if (!tooLarge && body.readableBytes() + data.readableBytes() <= MAX_BODY) {
        body.addComponent(true, data.retain());
      } else {
        tooLarge = true;
      }
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      if (last) {
        dispatch(ctx);
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void dispatch(ChannelHandlerContext ctx) {
    HttpRequest req = request;
    byte[] bytes = ByteBufUtil.getBytes(body);
    body.release();
    body = null;
    request = null;
    busy = true;
    CompletableFuture<FullHttpResponse> answer;
    if (tooLarge) {
      answer = CompletableFuture.completedFuture(error(new DaprError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          DaprError.BODY_TOO_LARGE, "the request body is larger than " + MAX_BODY + " bytes")));
    } else if (callerGuard.resolve(req, remote(ctx)) instanceof TargetResolver.Rejected rejected) {
      answer = CompletableFuture.completedFuture(error(new DaprError(HttpResponseStatus.FORBIDDEN,
          DaprError.PERMISSION_DENIED, rejected.message())));
    } else {
      answer = serve(req, bytes);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    answer.whenCompleteAsync((response, failure) -> {
      FullHttpResponse out = response != null ? response : error(new DaprError(
          HttpResponseStatus.INTERNAL_SERVER_ERROR, DaprError.STATE_GET, "the request failed"));
      HttpUtil.setContentLength(out, out.content().readableBytes());
      if (!keepAlive && req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      var written = ctx.writeAndFlush(out);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      busy = false;
      while (!busy && !held.isEmpty()) {
        channelRead(ctx, held.poll());
      }
    }, ctx.executor());
  }

  private static InetSocketAddress remote(ChannelHandlerContext ctx) {
    // An HTTP/2 stream's peer is its connection's.
    var channel = ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel ? ctx.channel().parent()
        : ctx.channel();
    return channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
  }

  /** Answers one Dapr request; the future completes on a store's thread or at once. */
  CompletableFuture<FullHttpResponse> serve(HttpRequest req, byte[] bytes) {
    QueryStringDecoder query = new QueryStringDecoder(req.uri());
    String path = query.path();
    HttpMethod method = req.method();
    try {
      if (path.equals(METADATA)) {
        return done(method == HttpMethod.GET ? json(HttpResponseStatus.OK, metadata()) : notAllowed(method, path));
      }
      if (path.startsWith(HEALTHZ)) {
        return done(empty(HttpResponseStatus.NO_CONTENT));
      }
      if (path.startsWith(BULK_PUBLISH + "/") || path.equals(BULK_PUBLISH)) {
        return publish(req, query, path.substring(BULK_PUBLISH.length()), bytes, true);
      }
      if (path.startsWith(PUBLISH + "/") || path.equals(PUBLISH)) {
        return publish(req, query, path.substring(PUBLISH.length()), bytes, false);
      }
      if (path.startsWith(ALPHA_PUBLISH)) {
        return done(notAllowed(method, path));
      }
      // /v1.0/state/{store}[/{key} | /bulk | /transaction]
      String rest = path.length() > STATE.length() ? path.substring(STATE.length() + 1) : "";
      int slash = rest.indexOf('/');
      String storeName = slash < 0 ? rest : rest.substring(0, slash);
      String key = slash < 0 ? "" : rest.substring(slash + 1);
      DaprComponents current = components.get();
      if (current.stateStores().isEmpty()) {
        return done(error(new DaprError(HttpResponseStatus.INTERNAL_SERVER_ERROR,
            DaprError.STATE_STORES_NOT_CONFIGURED, "state store is not configured")));
      }
      Resource<Component> component = current.stateStores().get(storeName);
      StateStore store = component == null ? null : stores.find(current, storeName).orElse(null);
      if (store == null) {
        return done(error(new DaprError(HttpResponseStatus.BAD_REQUEST, DaprError.STATE_STORE_NOT_FOUND,
            "state store " + storeName + " is not found")));
      }
      StateRequests.KeyPrefix prefix = StateRequests.KeyPrefix.of(
          component.spec().value("keyPrefix").orElse("appid"), appId, namespace, storeName);
      if (key.isEmpty()) {
        if (method != HttpMethod.POST && method != HttpMethod.PUT) {
          return done(notAllowed(method, path));
        }
        List<StateOperation> ops = StateRequests.save(bytes, prefix);
        return write(store, ops, DaprError.STATE_SAVE, storeName);
      }
      if (key.equals("bulk") && method == HttpMethod.POST) {
        return bulkGet(store, StateRequests.bulkKeys(bytes), prefix, storeName);
      }
      if (key.equals("transaction") && method == HttpMethod.POST) {
        return write(store, StateRequests.transaction(bytes, prefix), DaprError.STATE_TRANSACTION, storeName);
      }
      StateRequests.checkKey(key, "key");
      if (method == HttpMethod.GET) {
        return store.get(prefix.apply(key)).handle((item, failure) -> failure != null
            ? error(failure(failure, DaprError.STATE_GET, storeName, "getting"))
            : item == null ? empty(HttpResponseStatus.NO_CONTENT) : item(item));
      }
      if (method == HttpMethod.DELETE) {
        String etag = req.headers().get(HttpHeaderNames.IF_MATCH);
        Concurrency concurrency = StateRequests.concurrency(
            query.parameters().getOrDefault("concurrency", List.of("")).getFirst(), "concurrency");
        return write(store, List.of(new StateOperation.Delete(prefix.apply(key),
            etag == null || etag.isEmpty() ? null : etag, concurrency)), DaprError.STATE_DELETE, storeName);
      }
      return done(notAllowed(method, path));
    } catch (StateRequests.Malformed e) {
      return done(error(DaprError.malformed(e.getMessage())));
    }
  }

  /** {@code rest}: {@code /{pubsub}/{topic}}; a topic may hold slashes, as in Dapr. */
  private CompletableFuture<FullHttpResponse> publish(HttpRequest req, QueryStringDecoder query, String rest,
      byte[] bytes, boolean bulk) {
    if (req.method() != HttpMethod.POST) {
      return done(notAllowed(req.method(), query.path()));
    }
    String names = rest.startsWith("/") ? rest.substring(1) : rest;
    int slash = names.indexOf('/');
    String pubsubName = slash < 0 ? names : names.substring(0, slash);
    String topic = slash < 0 ? "" : names.substring(slash + 1);
    if (pubSub == null || components.get().pubSubs().isEmpty()) {
      return done(error(new DaprError(HttpResponseStatus.BAD_REQUEST, DaprError.PUBSUB_NOT_CONFIGURED,
          "no pubsub is configured")));
    }
    if (pubsubName.isEmpty()) {
      return done(error(new DaprError(HttpResponseStatus.NOT_FOUND, DaprError.PUBSUB_EMPTY, "pubsub name is empty")));
    }
    if (!pubSub.has(pubsubName)) {
      return done(error(new DaprError(HttpResponseStatus.NOT_FOUND, DaprError.PUBSUB_NOT_FOUND,
          "pubsub " + pubsubName + " is not found")));
    }
    if (topic.isEmpty()) {
      return done(error(new DaprError(HttpResponseStatus.NOT_FOUND, DaprError.TOPIC_EMPTY,
          "topic is empty in pubsub " + pubsubName)));
    }
    boolean raw = "true".equalsIgnoreCase(
        query.parameters().getOrDefault("metadata.rawPayload", List.of("")).getFirst());
    String traceparent = req.headers().get("traceparent");
    String tracestate = req.headers().get("tracestate");
    List<Message> messages;
    List<String> entryIds = List.of();
    try {
      if (bulk) {
        PublishRequests.Bulk entries = PublishRequests.bulk(bytes, raw, appId, pubsubName, topic, traceparent, tracestate);
        messages = entries.messages();
        entryIds = entries.entryIds();
      } else {
        String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        messages = List.of(PublishRequests.single(bytes, contentType, raw, appId, pubsubName, topic, traceparent,
            tracestate));
      }
    } catch (StateRequests.Malformed e) {
      return done(error(new DaprError(HttpResponseStatus.BAD_REQUEST, DaprError.PUBSUB_CLOUD_EVENTS_SER,
          "error when marshalling cloud event envelope for topic " + topic + " pubsub " + pubsubName + ": "
              + e.getMessage())));
    }
    List<String> ids = entryIds;
    return pubSub.publish(pubsubName, topic, messages).handle((ok, failure) -> {
      if (failure == null) {
        return empty(HttpResponseStatus.NO_CONTENT);
      }
      String message = "error when publish to topic " + topic + " in pubsub " + pubsubName + ": "
          + (failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure).getMessage();
      if (!bulk) {
        return error(new DaprError(HttpResponseStatus.INTERNAL_SERVER_ERROR, DaprError.PUBSUB_PUBLISH_MESSAGE, message));
      }
      ObjectNode out = ModelMapper.json().createObjectNode();
      ArrayNode failed = out.putArray("failedEntries");
      ids.forEach(id -> failed.addObject().put("entryId", id).put("error", message));
      out.put("errorCode", DaprError.PUBSUB_PUBLISH_MESSAGE);
      return json(HttpResponseStatus.INTERNAL_SERVER_ERROR, out);
    });
  }

  private CompletableFuture<FullHttpResponse> write(StateStore store, List<StateOperation> ops, String code,
      String storeName) {
    if (ops.isEmpty()) {
      return done(empty(HttpResponseStatus.NO_CONTENT));
    }
    String doing = code.equals(DaprError.STATE_DELETE) ? "deleting" : "saving";
    return store.apply(ops).handle((ok, failure) -> failure != null
        ? error(failure(failure, code, storeName, doing))
        : empty(HttpResponseStatus.NO_CONTENT));
  }

  private CompletableFuture<FullHttpResponse> bulkGet(StateStore store, List<String> keys,
      StateRequests.KeyPrefix prefix, String storeName) {
    List<CompletableFuture<ObjectNode>> reads = new ArrayList<>(keys.size());
    for (String key : keys) {
      reads.add(store.get(prefix.apply(key)).handle((item, failure) -> {
        ObjectNode entry = ModelMapper.json().createObjectNode();
        entry.put("key", key);
        if (failure != null) {
          entry.put("error", failure(failure, DaprError.STATE_BULK_GET, storeName, "getting").message());
        } else if (item != null) {
          entry.set("data", data(item.value()));
          entry.put("etag", item.etag());
        }
        return entry;
      }));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(all -> {
      ArrayNode out = ModelMapper.json().createArrayNode();
      reads.forEach(r -> out.add(r.join()));
      return json(HttpResponseStatus.OK, out);
    });
  }

  /** A stored value as JSON: as written when it is JSON, as a string otherwise. */
  private static com.fasterxml.jackson.databind.JsonNode data(byte[] value) {
    try {
      return ModelMapper.json().readTree(value);
    } catch (java.io.IOException e) {
      return ModelMapper.json().getNodeFactory().textNode(new String(value, StandardCharsets.UTF_8));
    }
  }

  private ObjectNode metadata() {
    ObjectNode out = ModelMapper.json().createObjectNode();
    out.put("id", appId);
    out.put("runtimeVersion", "meshwork");
    ArrayNode list = out.putArray("components");
    for (Resource<Component> c : components.get().stateStores().values()) {
      ObjectNode entry = list.addObject();
      entry.put("name", c.name());
      entry.put("type", c.spec().type());
      entry.put("version", c.spec().version() == null ? "v1" : c.spec().version());
      entry.putArray("capabilities").add("ETAG").add("TRANSACTIONAL").add("TTL");
    }
    for (Resource<Component> c : components.get().pubSubs().values()) {
      ObjectNode entry = list.addObject();
      entry.put("name", c.name());
      entry.put("type", c.spec().type());
      entry.put("version", c.spec().version() == null ? "v1" : c.spec().version());
      entry.putArray("capabilities");
    }
    ArrayNode subscriptions = out.putArray("subscriptions");
    if (pubSub != null) {
      for (Subscription s : pubSub.subscriptions()) {
        ObjectNode entry = subscriptions.addObject();
        entry.put("pubsubname", s.pubsub());
        entry.put("topic", s.topic());
        if (s.deadLetterTopic() != null) {
          entry.put("deadLetterTopic", s.deadLetterTopic());
        }
        entry.putObject("metadata").put("rawPayload", Boolean.toString(s.rawPayload()));
        ArrayNode rules = entry.putObject("rules").putArray("rules");
        s.rules().forEach(r -> rules.addObject().put("match", "event." + r.attribute() + " == \"" + r.value() + "\"")
            .put("path", r.path()));
        if (s.route() != null) {
          rules.addObject().put("match", "").put("path", s.route());
        }
      }
    }
    return out;
  }

  /** Dapr's answer to a failed store call: 409 for a stale ETag, 500 otherwise. */
  static DaprError failure(Throwable failure, String code, String storeName, String doing) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String message = switch (cause) {
      case StateFailure f -> f.getMessage();
      case TimeoutException t -> "state store " + storeName + " did not answer in time";
      default -> "state store " + storeName + ": " + cause.getClass().getSimpleName();
    };
    HttpResponseStatus status = cause instanceof StateFailure f && f.reason() == StateFailure.Reason.ETAG_MISMATCH
        ? HttpResponseStatus.CONFLICT : HttpResponseStatus.INTERNAL_SERVER_ERROR;
    return new DaprError(status, code, "failed " + doing + " state in state store " + storeName + ": " + message);
  }

  private static FullHttpResponse item(StateItem item) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(item.value()));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    if (item.etag() != null) {
      r.headers().set(HttpHeaderNames.ETAG, item.etag());
    }
    if (item.expiresAtMillis() > 0) {
      r.headers().set("metadata.ttlExpireTime", Instant.ofEpochMilli(item.expiresAtMillis()).toString());
    }
    return r;
  }

  private static FullHttpResponse notAllowed(HttpMethod method, String path) {
    return error(new DaprError(HttpResponseStatus.METHOD_NOT_ALLOWED, DaprError.NOT_FOUND,
        method + " " + path + " is not a Dapr API method"));
  }

  static FullHttpResponse error(DaprError e) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, e.status(),
        Unpooled.copiedBuffer(e.toJson(), StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return r;
  }

  private static FullHttpResponse json(HttpResponseStatus status, com.fasterxml.jackson.databind.JsonNode body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body.toString(), StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return r;
  }

  private static FullHttpResponse empty(HttpResponseStatus status) {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
  }

  private static CompletableFuture<FullHttpResponse> done(FullHttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (body != null) {
      body.release();
      body = null;
    }
    held.forEach(ReferenceCountUtil::release);
    held.clear();
  }
}
