package io.meshwork.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.route.RouteDecision;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may call the admin port: the check itself, and the handler answering a caller from another machine. */
class AdminAccessTest {
  static final InetAddress REMOTE = address("10.1.2.3");
  static final InetAddress LOOPBACK = address("127.0.0.1");
  static final InetAddress LOOPBACK6 = address("::1");

  @TempDir Path dir;

  static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean allowed(AdminAccess.Decision d) {
    return d instanceof AdminAccess.Decision.Allowed;
  }

  static HttpResponseStatus status(AdminAccess.Decision d) {
    return d instanceof AdminAccess.Decision.Refused r ? r.status() : HttpResponseStatus.OK;
  }

  @Test
  void loopbackCallersMayDoEverythingWithoutAToken() {
    AdminAccess access = AdminAccess.LOOPBACK_ONLY;
    for (InetAddress local : List.of(LOOPBACK, LOOPBACK6, address("127.0.0.2"))) {
      assertThat(allowed(access.check(local, null, "/drain", HttpMethod.POST))).isTrue();
      assertThat(allowed(access.check(local, null, "/config", HttpMethod.GET))).isTrue();
    }
  }

  @Test
  void othersGetReadyOnlyWhenNoTokenIsConfigured() {
    AdminAccess access = AdminAccess.LOOPBACK_ONLY;
    assertThat(allowed(access.check(REMOTE, null, "/ready", HttpMethod.GET))).isTrue();
    assertThat(status(access.check(REMOTE, null, "/config", HttpMethod.GET))).isEqualTo(HttpResponseStatus.FORBIDDEN);
    assertThat(status(access.check(REMOTE, null, "/drain", HttpMethod.POST))).isEqualTo(HttpResponseStatus.FORBIDDEN);
    assertThat(status(access.check(REMOTE, null, "/drain", HttpMethod.DELETE))).isEqualTo(HttpResponseStatus.FORBIDDEN);
    assertThat(status(access.check(REMOTE, null, "/ready", HttpMethod.POST))).as("only reads of /ready are open")
        .isEqualTo(HttpResponseStatus.FORBIDDEN);
    assertThat(status(access.check(null, null, "/config", HttpMethod.GET))).isEqualTo(HttpResponseStatus.FORBIDDEN);
  }

  @Test
  void othersNeedTheBearerTokenWhenOneIsConfigured() {
    AdminAccess access = AdminAccess.withToken("s3cret-token");
    assertThat(status(access.check(REMOTE, null, "/drain", HttpMethod.POST))).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
    assertThat(status(access.check(REMOTE, "Bearer wrong", "/drain", HttpMethod.POST)))
        .isEqualTo(HttpResponseStatus.UNAUTHORIZED);
    assertThat(status(access.check(REMOTE, "Basic czNjcmV0LXRva2Vu", "/config", HttpMethod.GET)))
        .isEqualTo(HttpResponseStatus.UNAUTHORIZED);
    assertThat(status(access.check(REMOTE, "Bearer s3cret-token-and-more", "/config", HttpMethod.GET)))
        .isEqualTo(HttpResponseStatus.UNAUTHORIZED);
    assertThat(allowed(access.check(REMOTE, "Bearer s3cret-token", "/drain", HttpMethod.POST))).isTrue();
    assertThat(allowed(access.check(REMOTE, "bearer  s3cret-token ", "/config", HttpMethod.GET))).isTrue();
    assertThat(allowed(access.check(LOOPBACK, null, "/drain", HttpMethod.POST))).isTrue();
    assertThat(access.toString()).doesNotContain("s3cret");
  }

  @Test
  void theTokenFileMustBeOwnerOnlyAndNotEmpty() throws Exception {
    Path token = Files.writeString(dir.resolve("admin.token"), "s3cret-token\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    assertThat(AdminAccess.fromFile(token).hasToken()).isTrue();
    assertThat(allowed(AdminAccess.fromFile(token).check(REMOTE, "Bearer s3cret-token", "/config", HttpMethod.GET)))
        .isTrue();

    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> AdminAccess.fromFile(token)).hasMessage("admin token file: " + token
        + " is readable by group or others (expected: owner-only, chmod 600)");
    Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
    Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> AdminAccess.fromFile(empty)).hasMessageContaining("is empty");
    assertThatThrownBy(() -> AdminAccess.fromFile(dir.resolve("missing"))).hasMessageContaining("cannot read");
  }

  /** An embedded channel whose peer is another machine. */
  static final class RemoteChannel extends EmbeddedChannel {
    RemoteChannel(io.netty.channel.ChannelHandler... handlers) {
      super(handlers);
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return new InetSocketAddress(REMOTE, 40000);
    }
  }

  FullHttpResponse call(AdminControls controls, HttpMethod method, String path, String authorization) {
    EmbeddedChannel ch = new RemoteChannel(new HttpServerCodec(), new HttpObjectAggregator(8192),
        new AdminHandler(controls));
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path);
    if (authorization != null) {
      request.headers().set("authorization", authorization);
    }
    ch.writeInbound(encode(request));
    ch.runPendingTasks();
    EmbeddedChannel decoder = new EmbeddedChannel(new io.netty.handler.codec.http.HttpResponseDecoder(),
        new HttpObjectAggregator(8192));
    for (Object out; (out = ch.readOutbound()) != null; ) {
      decoder.writeInbound(out);
    }
    return decoder.readInbound();
  }

  static ByteBuf encode(DefaultFullHttpRequest request) {
    EmbeddedChannel encoder = new EmbeddedChannel(new io.netty.handler.codec.http.HttpRequestEncoder());
    encoder.writeOutbound(request);
    ByteBuf all = io.netty.buffer.Unpooled.buffer();
    for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
      all.writeBytes(b);
      b.release();
    }
    return all;
  }

  @Test
  void theHandlerRefusesARemoteCallerBeforeActing() {
    AtomicInteger drains = new AtomicInteger();
    MeshSnapshot snapshot = new MeshSnapshot(1, (request, host, port, path, random) -> new RouteDecision.UnknownHost(host),
        Map.of(), List.of(), Map.of("hosts", List.of("orders.shop")));
    AdminControls controls = new AdminControls(Optional::empty, () -> snapshot, drains::incrementAndGet, () -> { },
        AdminAccess.withToken("s3cret-token"));

    FullHttpResponse ready = call(controls, HttpMethod.GET, "/ready", null);
    assertThat(ready.status()).isEqualTo(HttpResponseStatus.OK);
    FullHttpResponse config = call(controls, HttpMethod.GET, "/config", null);
    assertThat(config.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
    assertThat(config.headers().get("www-authenticate")).isEqualTo("Bearer realm=\"meshwork-admin\"");
    assertThat(config.content().toString(StandardCharsets.UTF_8)).doesNotContain("orders.shop")
        .contains("GET /config from 10.1.2.3 needs 'Authorization: Bearer <token>'");
    assertThat(call(controls, HttpMethod.POST, "/drain", "Bearer nope").status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
    assertThat(drains).hasValue(0);
    assertThat(call(controls, HttpMethod.GET, "/config", "Bearer s3cret-token").content()
        .toString(StandardCharsets.UTF_8)).contains("orders.shop");
  }
}
