package io.meshwork.proxy.socks;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.tcp.TcpConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.socksx.SocksPortUnificationServerHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The RFC 1928 handshake decisions, byte for byte, without sockets. */
class SocksHandshakeHandlerTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String MESH = MeshYaml.workload("a-1", "service-a", new InetSocketAddress("127.0.0.1", 9001))
      + """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: legacy, namespace: default}
      spec:
        hosts: [legacy.internal]
        location: MESH_INTERNAL
        resolution: STATIC
        endpoints: [{address: "unix:///var/run/legacy.sock"}]
        ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
      """;
  private static final String GREETING_NO_AUTH = "050100";
  private static final String REPLY_NO_AUTH = "0500";

  private final SocksCounters counters = new SocksCounters();
  private EmbeddedChannel channel;

  @AfterEach
  void closeChannel() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  /** A channel whose peer is {@code peer}, as an accepted socket would report it. */
  private EmbeddedChannel channel(SocketAddress peer, SnapshotRef snapshots) {
    SocksHandshakeHandler handler = new SocksHandshakeHandler(snapshots,
        new TcpConnector(NioSocketChannel.class, Duration.ofSeconds(1)), SocksSettings.DEFAULT, SocksHandshakeHandler.LOOPBACK, counters);
    channel = new EmbeddedChannel() {
      @Override
      protected SocketAddress remoteAddress0() {
        return peer;
      }
    };
    channel.freezeTime();
    channel.pipeline().addLast(new SocksPortUnificationServerHandler(), handler);
    return channel;
  }

  private EmbeddedChannel loopbackClient() {
    return channel(new InetSocketAddress("127.0.0.1", 40000), new SnapshotRef(MeshYaml.compile(MESH)));
  }

  private static void send(EmbeddedChannel ch, String hex) {
    ch.writeInbound(Unpooled.wrappedBuffer(HEX.parseHex(hex)));
  }

  private static String replies(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
      ByteBuf b = (ByteBuf) o;
      out.append(ByteBufUtil.hexDump(b));
      b.release();
    }
    return out.toString();
  }

  /** VER CMD RSV ATYP=DOMAIN LEN NAME PORT. */
  private static String domainRequest(int command, String host, int port) {
    byte[] name = host.getBytes(StandardCharsets.US_ASCII);
    return "05" + HEX.toHexDigits((byte) command) + "0003" + HEX.toHexDigits((byte) name.length) + HEX.formatHex(name)
        + HEX.toHexDigits((short) port);
  }

  /** A failure reply: VER REP RSV ATYP=IPv4 0.0.0.0:0. */
  private static String failure(String rep) {
    return "05" + rep + "0001" + "00000000" + "0000";
  }

  @Test
  void loopbackPeerOfferingNoAuthIsAccepted() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, "05020002");
    assertThat(replies(ch)).isEqualTo(REPLY_NO_AUTH);
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void nonLoopbackPeerGetsNoAcceptableMethods() {
    EmbeddedChannel ch = channel(new InetSocketAddress("192.0.2.10", 40000), new SnapshotRef(MeshYaml.compile(MESH)));
    send(ch, GREETING_NO_AUTH);
    assertThat(replies(ch)).isEqualTo("05ff");
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void loopbackPeerOfferingOnlyPasswordGetsNoAcceptableMethods() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, "050102");
    assertThat(replies(ch)).isEqualTo("05ff");
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void bindAndUdpAssociateAreNotSupported() {
    for (int command : new int[] {0x02, 0x03}) {
      EmbeddedChannel ch = loopbackClient();
      send(ch, GREETING_NO_AUTH);
      send(ch, domainRequest(command, "service-a", 80));
      assertThat(replies(ch)).isEqualTo(REPLY_NO_AUTH + failure("07"));
      assertThat(ch.isActive()).isFalse();
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void hostOutsideTheMeshIsRefusedByRuleset() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, GREETING_NO_AUTH);
    send(ch, domainRequest(0x01, "example.com", 443));
    assertThat(replies(ch)).isEqualTo(REPLY_NO_AUTH + failure("02"));
    assertThat(ch.isActive()).isFalse();
    assertThat(counters.get(SocksCounters.Outcome.NOT_ALLOWED_BY_RULESET)).isEqualTo(1);
  }

  @Test
  void addressOutsideTheMeshIsRefusedByRuleset() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, GREETING_NO_AUTH);
    send(ch, "050100015db8d822" + "0050"); // 93.184.216.34:80
    assertThat(replies(ch)).isEqualTo(REPLY_NO_AUTH + failure("02"));
  }

  @Test
  void serviceWithoutEndpointsIsHostUnreachable() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, GREETING_NO_AUTH);
    send(ch, domainRequest(0x01, "legacy.internal", 5432));
    assertThat(replies(ch)).isEqualTo(REPLY_NO_AUTH + failure("04"));
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void unknownAddressTypeIsNotSupported() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, GREETING_NO_AUTH);
    send(ch, "0501000905");
    assertThat(replies(ch)).isEqualTo(REPLY_NO_AUTH + failure("08"));
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void nothingIsAllowedBeforeTheFirstSnapshot() {
    EmbeddedChannel ch = channel(new InetSocketAddress("127.0.0.1", 40000), new SnapshotRef(null));
    send(ch, GREETING_NO_AUTH);
    send(ch, domainRequest(0x01, "service-a", 80));
    assertThat(replies(ch)).isEqualTo(REPLY_NO_AUTH + failure("01"));
  }

  @Test
  void socks4IsRejectedWithItsOwnStatus() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, "04010050" + "7f000001" + "00");
    // VN=0, CD=0x5B (request rejected or failed), DSTPORT and DSTIP ignored.
    assertThat(replies(ch)).startsWith("005b");
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void silentClientIsClosedAfterTheHandshakeTimeout() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, GREETING_NO_AUTH);
    ch.advanceTimeBy(9, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isActive()).isTrue();
    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isActive()).isFalse();
    assertThat(counters.get(SocksCounters.Outcome.HANDSHAKE_TIMEOUT)).isEqualTo(1);
  }

  @Test
  void clientThatNeverGreetsIsClosedToo() {
    EmbeddedChannel ch = loopbackClient();
    ch.advanceTimeBy(10, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void unknownVersionIsClosedWithoutReply() {
    EmbeddedChannel ch = loopbackClient();
    send(ch, "4745540a"); // "GET\n": an HTTP client on the wrong port
    assertThat(replies(ch)).isEmpty();
    assertThat(ch.isActive()).isFalse();
  }
}
