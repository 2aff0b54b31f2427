package io.meshwork.control.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.auth.Caller;
import io.meshwork.control.resource.ResourceKeys;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.resource.ResourceType;
import io.meshwork.control.resource.StoredObject;
import io.meshwork.control.store.StoreClosedException;
import io.meshwork.model.Kind;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection's requests. Store calls block on SQLite's fsync, so each request is handled on the API's
 * worker executor, never on the I/O event loop; reading pauses meanwhile, which keeps pipelined HTTP/1.1 answers
 * in order (RFC 9112 §9.3.2) and lets TCP push back on a client that sends faster than the store writes. A watch
 * hands the connection over to its {@link WatchStream}.
 */
final class ApiHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final ApiServices services;
    private volatile WatchStream stream;
    // Touched on the channel's event loop only.
    private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>();
    private boolean busy;

    ApiHandler(ApiServices services) {
        this.services = services;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // One read can decode several pipelined requests; they queue here and are served one at a time.
        pending.add(request);
        ctx.channel().config().setAutoRead(false);
        serveNext(ctx);
    }

    private void serveNext(ChannelHandlerContext ctx) {
        if (busy) {
            return;
        }
        if (stream != null && !pending.isEmpty()) {
            // A connection carrying a watch stream has no room for another answer.
            releasePending();
            ctx.close();
            return;
        }
        FullHttpRequest next = pending.poll();
        if (next == null) {
            ctx.channel().config().setAutoRead(true);
            return;
        }
        busy = true;
        try {
            services.executor().execute(() -> {
                try {
                    serve(ctx, next);
                } finally {
                    next.release();
                    ctx.executor().execute(() -> {
                        busy = false;
                        serveNext(ctx);
                    });
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            next.release();
            releasePending();
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePending();
        ctx.fireChannelInactive();
    }

    private void releasePending() {
        FullHttpRequest r;
        while ((r = pending.poll()) != null) {
            r.release();
        }
    }

    private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            send(ctx, Reply.of(ApiStatus.badRequest("malformed HTTP request: "
                    + request.decoderResult().cause().getMessage())), false);
            return;
        }
        Reply reply;
        try {
            Caller caller = services.security().authenticator().authenticate(
                    request.headers().get(HttpHeaderNames.AUTHORIZATION), peerChain(ctx));
            reply = route(ctx, request, caller);
        } catch (ApiException e) {
            reply = Reply.of(e.status());
        } catch (StoreClosedException e) {
            reply = Reply.of(ApiStatus.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
                    "the control plane is shutting down; retry shortly"));
        } catch (RuntimeException e) {
            // Storage failures included: their messages name the database file and carry SQLite's text.
            reply = Reply.of(FailureReport.internal(request.method() + " " + new QueryStringDecoder(request.uri())
                    .path(), e));
        }
        if (reply != null) {
            send(ctx, reply, HttpUtil.isKeepAlive(request));
        }
    }

    /** The reply to send, or null when the request became a watch stream. */
    private Reply route(ChannelHandlerContext ctx, FullHttpRequest request, Caller caller) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        HttpMethod method = request.method();
        ResourceEndpoints resources = services.resources();
        ApiRoute route = ApiRoute.parse(query.path());
        Optional<Reply> refused = services.access().check(route, method, caller);
        if (refused.isPresent()) {
            return refused.get();
        }
        SecurityEndpoints ca = services.certificates();
        return switch (route) {
            case ApiRoute.Certificates c -> only(method, "POST", () -> ca.certificates(caller,
                    RequestBody.object(request)));
            case ApiRoute.Bundle b -> only(method, "GET", () -> ca.trustBundle(
                    request.headers().get(HttpHeaderNames.IF_NONE_MATCH)));
            case ApiRoute.Tokens t -> method.equals(HttpMethod.GET) ? ca.listTokens()
                    : only(method, "POST", () -> ca.tokens(RequestBody.object(request)));
            case ApiRoute.Token t -> method.equals(HttpMethod.GET) ? ca.token(t.id())
                    : method.equals(HttpMethod.DELETE) ? ca.revokeToken(t.id())
                    : Reply.methodNotAllowed(method.name(), "GET", "DELETE");
            case ApiRoute.RevokedIdentities r -> method.equals(HttpMethod.GET) ? ca.revokedIdentities()
                    : only(method, "POST", () -> ca.revokeIdentity(RequestBody.object(request)));
            case ApiRoute.AdminTokenRotation r -> only(method, "POST", ca::rotateAdminToken);
            case ApiRoute.RootRotation r -> only(method, "POST", () -> ca.rotate(request.content().isReadable()
                    ? RequestBody.object(request) : services.json().missingNode()));
            case ApiRoute.Health h -> only(method, "GET", () -> Reply.ok(services.json().createObjectNode()
                    .put("status", "ok")));
            case ApiRoute.Version v -> only(method, "GET", () -> Reply.ok(services.versionInfo()));
            case ApiRoute.Discovery d -> only(method, "GET", () -> Reply.ok(ApiDiscovery.groups(services.json())));
            case ApiRoute.Snapshot s -> only(method, "GET", () -> isWatch(query)
                    ? watch(ctx, request, query, ResourceKeys.ALL, "SnapshotList",
                            ApiRoute.MESHWORK_GROUP + "/" + ApiRoute.MESHWORK_VERSION, UnaryOperator.identity(),
                            services.store()::listAll)
                    : resources.snapshot());
            case ApiRoute.Apply a -> only(method, "POST", () -> resources.apply(
                    RequestBody.isYaml(request) ? "request.yaml" : "request.json", RequestBody.bytes(request),
                    RequestBody.dryRun(param(query, "dryRun"))));
            case ApiRoute.Collection c -> {
                if (method.equals(HttpMethod.GET)) {
                    yield isWatch(query)
                            ? watch(ctx, request, query, ResourceKeys.prefix(c.type().kind(), c.namespace()),
                                    c.type().listKind(), c.type().apiVersion(),
                                    o -> resources.present(c.type(), o),
                                    () -> services.store().list(c.type().kind(), c.namespace()))
                            : resources.list(c.type(), c.namespace());
                }
                boolean creatable = c.namespace() != null || !c.type().kind().namespaced();
                if (method.equals(HttpMethod.POST) && creatable) {
                    yield resources.create(c.type(), c.namespace(), RequestBody.object(request));
                }
                yield !creatable
                        ? Reply.methodNotAllowed(method.name(), "GET")
                        : Reply.methodNotAllowed(method.name(), "GET", "POST");
            }
            case ApiRoute.Item i -> {
                String ns = i.type().kind().namespaced() ? i.namespace() : null;
                if (method.equals(HttpMethod.GET)) {
                    yield resources.get(i.type(), ns, i.name());
                }
                if (method.equals(HttpMethod.PUT)) {
                    yield resources.replace(i.type(), ns, i.name(), RequestBody.object(request));
                }
                if (method.equals(HttpMethod.DELETE)) {
                    JsonNode options = request.content().isReadable()
                            ? RequestBody.object(request) : services.json().missingNode();
                    yield resources.delete(i.type(), ns, i.name(), param(query, "resourceVersion"),
                            options);
                }
                yield Reply.methodNotAllowed(method.name(), "GET", "PUT", "DELETE");
            }
            case ApiRoute.Registrations r -> {
                if (!method.equals(HttpMethod.POST)) {
                    yield Reply.methodNotAllowed(method.name(), "POST");
                }
                ObjectNode body = RequestBody.object(request);
                yield services.access().ownService(caller, body.path("service").asText())
                        .orElseGet(() -> services.registrations().register(r.namespace(), body));
            }
            case ApiRoute.Registration r -> {
                // A workload acts only on its own registrations; a missing one falls through to the 404 that tells
                // a sidecar whose lease lapsed to register again.
                Optional<Reply> foreign = caller instanceof Caller.Workload
                        ? registeredService(r.namespace(), r.name())
                                .flatMap(service -> services.access().ownService(caller, service))
                        : Optional.empty();
                if (foreign.isPresent()) {
                    yield foreign.get();
                }
                if (r.keepAlive()) {
                    yield method.equals(HttpMethod.PUT) || method.equals(HttpMethod.POST)
                            ? services.registrations().keepAlive(r.namespace(), r.name())
                            : Reply.methodNotAllowed(method.name(), "PUT", "POST");
                }
                yield method.equals(HttpMethod.DELETE)
                        ? services.registrations().deregister(r.namespace(), r.name())
                        : Reply.methodNotAllowed(method.name(), "DELETE");
            }
            case ApiRoute.RateLimitLease l -> only(method, "POST", () -> services.rateLimits().lease(caller, l.namespace(),
                    l.name(), RequestBody.object(request)));
            case ApiRoute.Unknown u -> Reply.of(ApiStatus.notFound(u.reason()));
            case ApiRoute.Invalid i -> Reply.of(ApiStatus.badRequest(i.reason()));
        };
    }

    /** The service account of a registered workload, if there is such a registration. */
    private Optional<String> registeredService(String namespace, String name) {
        return services.store().get(Kind.WORKLOAD_ENTRY, namespace, name)
                .map(o -> o.object().path("spec").path("serviceAccount").asText(""));
    }

    /** The client's certificate chain, verified by the handshake; empty over plaintext or without one. */
    private static List<X509Certificate> peerChain(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return List.of();
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return Arrays.stream(chain).filter(X509Certificate.class::isInstance)
                    .map(X509Certificate.class::cast).toList();
        } catch (SSLPeerUnverifiedException none) {
            return List.of();
        }
    }

    private static Reply only(HttpMethod method, String allowed, Supplier<Reply> answer) {
        return method.name().equals(allowed) ? answer.get() : Reply.methodNotAllowed(method.name(), allowed);
    }

    private static boolean isWatch(QueryStringDecoder query) {
        String w = param(query, "watch");
        return "true".equals(w) || "1".equals(w);
    }

    private static String param(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * Answers with a chunked stream of events after {@code resourceVersion}. Without one (or with "0"), the stream
     * starts with an ADDED event per existing object and continues from the revision they were read at, as
     * Kubernetes does.
     */
    private Reply watch(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query, String prefix,
            String bookmarkKind, String bookmarkApiVersion, UnaryOperator<ObjectNode> present,
            Supplier<ResourceStore.ObjectList> initial) {
        String rv = param(query, "resourceVersion");
        long from = -1;
        if (rv != null && !rv.isEmpty() && !rv.equals("0")) {
            try {
                from = Long.parseLong(rv);
            } catch (NumberFormatException e) {
                from = -2;
            }
            if (from < 0) {
                return Reply.of(ApiStatus.badRequest("resourceVersion: " + rv
                        + " (expected: a resourceVersion previously returned by this server)"));
            }
            long compacted = services.store().keyValueStore().compactRevision();
            if (from < compacted) {
                return Reply.of(ApiStatus.gone("too old resource version: " + from + " (" + compacted
                        + "); list again and watch from the list's resourceVersion"));
            }
        }
        Duration timeout = null;
        String timeoutSeconds = param(query, "timeoutSeconds");
        if (timeoutSeconds != null) {
            try {
                timeout = Duration.ofSeconds(Long.parseLong(timeoutSeconds));
            } catch (NumberFormatException e) {
                return Reply.of(ApiStatus.badRequest("timeoutSeconds: " + timeoutSeconds + " (expected: an integer)"));
            }
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.channel().writeAndFlush(head);
        stream = new WatchStream(ctx.channel(), services.store(), services.json(), present, bookmarkKind,
                bookmarkApiVersion);
        if (from < 0) {
            ResourceStore.ObjectList list = initial.get();
            for (StoredObject o : list.items()) {
                stream.sendInitial(o);
            }
            from = list.revision();
        }
        stream.start(prefix, from, services.ticker(), services.bookmarkInterval(), timeout);
        return null;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        WatchStream s = stream;
        if (s != null) {
            s.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private void send(ChannelHandlerContext ctx, Reply reply, boolean keepAlive) {
        FullHttpResponse response;
        if (reply.status().equals(HttpResponseStatus.NOT_MODIFIED)) {
            // RFC 9110 §15.4.5: a 304 carries no content.
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), Unpooled.EMPTY_BUFFER);
        } else {
            byte[] body;
            try {
                ObjectMapper json = services.json();
                body = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(reply.body());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                    Unpooled.wrappedBuffer(body, new byte[] {'\n'}));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        HttpUtil.setContentLength(response, response.content().readableBytes());
        for (String w : reply.warnings()) {
            response.headers().add(HttpHeaderNames.WARNING, "299 - \"" + w.replace("\"", "'") + "\"");
        }
        reply.headers().forEach(response.headers()::set);
        HttpUtil.setKeepAlive(response, keepAlive);
        var f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
