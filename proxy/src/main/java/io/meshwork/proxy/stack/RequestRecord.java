package io.meshwork.proxy.stack;

import io.meshwork.model.identity.SpiffeId;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Set;

/**
 * What happened to one request, filled at fixed points by the exchange (start, routed, each
 * attempt, end) and read by the stages when it ends (Armeria's RequestLog). Confined to the
 * request's event loop.
 */
public final class RequestRecord {
  private final long startNanos;
  private final long startEpochMillis;
  private String protocol;
  private HttpHeaders requestHeaders;
  private HttpHeaders responseHeaders;
  private InetSocketAddress downstreamRemote;
  private String routeName;
  private String details;
  private long bytesReceived;
  private long bytesSent;
  private String method;
  private String authority;
  private String path;
  private boolean grpc;
  private SpiffeId peer;
  private String cluster;
  private String endpoint;
  private int attempts;
  private int status;
  private long endNanos = -1;
  private EnumSet<ResponseFlag> flags;

  public RequestRecord(long startNanos) {
    this(startNanos, System.currentTimeMillis());
  }

  /** @param startEpochMillis the wall-clock start, for the access log's {@code %START_TIME%} */
  public RequestRecord(long startNanos, long startEpochMillis) {
    this.startNanos = startNanos;
    this.startEpochMillis = startEpochMillis;
  }

  /**
   * The downstream side of the request: its protocol as the access log prints it ({@code HTTP/1.1},
   * {@code HTTP/2}), its headers (kept by reference: what the stages and the router made of them is
   * what the access log reads, as Envoy's {@code %REQ(...)%} does) and the peer's address.
   */
  public void downstream(String protocol, HttpHeaders headers, InetSocketAddress remote) {
    this.protocol = protocol;
    this.requestHeaders = headers;
    this.downstreamRemote = remote;
  }

  /** The headers of the response sent downstream, by reference. */
  public void responseHeaders(HttpHeaders headers) {
    this.responseHeaders = headers;
  }

  /** Envoy's %RESPONSE_CODE_DETAILS%: {@code via_upstream}, or why the proxy answered itself. */
  public void details(String text) {
    this.details = text;
  }

  /** The name of the route the request matched. */
  public void routeName(String name) {
    this.routeName = name;
  }

  /** Body bytes received from downstream. */
  public void received(long bytes) {
    bytesReceived += bytes;
  }

  /** Body bytes sent downstream. */
  public void sent(long bytes) {
    bytesSent += bytes;
  }

  public long startEpochMillis() {
    return startEpochMillis;
  }

  /** {@code HTTP/1.1}, {@code HTTP/2}, or null before the head was read. */
  public String protocol() {
    return protocol;
  }

  /** The request headers, or null before the head was read. */
  public HttpHeaders requestHeaders() {
    return requestHeaders;
  }

  /** The response headers sent downstream, or null when none were. */
  public HttpHeaders responseHeaders() {
    return responseHeaders;
  }

  /** The downstream peer, or null when unknown. */
  public InetSocketAddress downstreamRemote() {
    return downstreamRemote;
  }

  /** The matched route's name, or null. */
  public String routeName() {
    return routeName;
  }

  /** Why the response is what it is ({@code via_upstream}, {@code no_route}, ...), or null. */
  public String details() {
    return details;
  }

  public long bytesReceived() {
    return bytesReceived;
  }

  public long bytesSent() {
    return bytesSent;
  }

  /** The request as it arrived; the strings are the head's own, nothing is copied. */
  public void request(String method, String authority, String path, boolean grpc) {
    this.method = method;
    this.authority = authority;
    this.path = path;
    this.grpc = grpc;
  }

  /** The identity the downstream proved in a mutual-TLS handshake; absent on plaintext (the default). */
  public void peer(SpiffeId identity) {
    this.peer = identity;
  }

  /** The downstream's mutual-TLS identity, or null when the connection was plaintext. */
  public SpiffeId peer() {
    return peer;
  }

  /** The request method, or null before the head was read. */
  public String method() {
    return method;
  }

  /** The request's authority (Host or :authority), or null when it had none. */
  public String authority() {
    return authority;
  }

  /** The request target as received, or null before the head was read. */
  public String path() {
    return path;
  }

  /** Whether the caller spoke gRPC. */
  public boolean grpc() {
    return grpc;
  }

  public void routed(String clusterName) {
    this.cluster = clusterName;
  }

  public void attemptStarted(String endpointAuthority) {
    attempts++;
    this.endpoint = endpointAuthority;
  }

  public void flag(ResponseFlag flag) {
    if (flags == null) {
      flags = EnumSet.noneOf(ResponseFlag.class);
    }
    flags.add(flag);
  }

  public void status(int code) {
    this.status = code;
  }

  /** Marks the end; later calls are ignored, so the first exit wins. */
  public boolean end(long nanos) {
    if (endNanos >= 0) {
      return false;
    }
    endNanos = nanos;
    return true;
  }

  public long startNanos() {
    return startNanos;
  }

  /** Nanoseconds from start to end, or -1 while the request runs. */
  public long durationNanos() {
    return endNanos < 0 ? -1 : endNanos - startNanos;
  }

  /** The cluster the router picked, or null when the request was not forwarded. */
  public String cluster() {
    return cluster;
  }

  /** The endpoint of the last attempt, or null when none started. */
  public String endpoint() {
    return endpoint;
  }

  public int attempts() {
    return attempts;
  }

  /** The status sent downstream, or 0 when none was (a reset, a downstream that went away). */
  public int status() {
    return status;
  }

  public Set<ResponseFlag> flags() {
    return flags == null ? Set.of() : Set.copyOf(flags);
  }

  public boolean has(ResponseFlag flag) {
    return flags != null && flags.contains(flag);
  }

  /** Envoy's %RESPONSE_FLAGS%: the flags joined by commas, or "-". */
  public String flagText() {
    if (flags == null || flags.isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (ResponseFlag f : flags) {
      if (!b.isEmpty()) {
        b.append(',');
      }
      b.append(f.name());
    }
    return b.toString();
  }
}
