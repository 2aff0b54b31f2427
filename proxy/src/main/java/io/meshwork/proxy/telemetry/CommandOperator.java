package io.meshwork.proxy.telemetry;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.stack.RequestRecord;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One of Envoy's access-log command operators ({@code %RESPONSE_CODE%}, {@code %REQ(USER-AGENT)%},
 * ...), resolved when the format is compiled: rendering a request only reads its record.
 */
sealed interface CommandOperator {

  /**
   * Appends the value for {@code r} to {@code out}, or returns false (appending nothing) when the
   * request has none; the format prints {@code -} for it in TEXT and {@code null} in JSON.
   */
  boolean appendTo(RequestRecord r, StringBuilder out);

  /** Whether a JSON format prints the value as a number rather than a string (Envoy's typed JSON). */
  default boolean numeric() {
    return false;
  }

  /** The operator of one {@code %...%} token without its percent signs, or an error naming what is wrong. */
  static CommandOperator parse(String token) {
    int maxLength = -1;
    String body = token;
    int close = token.lastIndexOf(')');
    int colon = token.lastIndexOf(':');
    if (colon > close && colon > 0) {
      String digits = token.substring(colon + 1);
      if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
        maxLength = Integer.parseInt(digits);
        body = token.substring(0, colon);
      }
    }
    String name = body;
    String arg = null;
    int open = body.indexOf('(');
    if (open >= 0) {
      if (!body.endsWith(")")) {
        throw new IllegalArgumentException("%" + token + "% has no closing parenthesis");
      }
      name = body.substring(0, open);
      arg = body.substring(open + 1, body.length() - 1);
    }
    CommandOperator op = switch (name) {
      case "REQ" -> Header.of(true, required(name, arg));
      case "RESP" -> Header.of(false, required(name, arg));
      case "ENVIRONMENT" -> {
        String value = System.getenv(required(name, arg));
        yield new Constant(value == null || value.isEmpty() ? null : value);
      }
      default -> {
        if (arg != null) {
          throw new IllegalArgumentException("%" + token + "% takes no argument here"
              + (name.equals("START_TIME") ? " (custom START_TIME formats are not supported yet)" : ""));
        }
        yield field(name);
      }
    };
    if (maxLength >= 0) {
      if (!(op instanceof Header)) {
        throw new IllegalArgumentException("%" + token + "%: only REQ and RESP take a maximum length");
      }
      op = new Truncated(op, maxLength);
    }
    return op;
  }

  private static String required(String name, String arg) {
    if (arg == null || arg.isEmpty()) {
      throw new IllegalArgumentException("%" + name + "% needs an argument, e.g. %" + name + "(X-REQUEST-ID)%");
    }
    return arg;
  }

  private static CommandOperator field(String name) {
    return switch (name) {
      case "START_TIME" -> new Field(name, (r, out) -> {
        Timestamps.appendIso(r.startEpochMillis(), out);
        return true;
      }, false);
      case "PROTOCOL" -> text(name, RequestRecord::protocol);
      case "RESPONSE_CODE" -> new Field(name, (r, out) -> {
        out.append(r.status());
        return true;
      }, true);
      case "RESPONSE_FLAGS" -> new Field(name, (r, out) -> {
        String flags = r.flagText();
        if (flags.equals("-")) {
          return false;
        }
        out.append(flags);
        return true;
      }, false);
      case "RESPONSE_CODE_DETAILS" -> text(name, RequestRecord::details);
      case "BYTES_RECEIVED" -> number(name, RequestRecord::bytesReceived);
      case "BYTES_SENT" -> number(name, RequestRecord::bytesSent);
      case "DURATION" -> new Field(name, (r, out) -> {
        long nanos = r.durationNanos();
        if (nanos < 0) {
          return false;
        }
        out.append(nanos / 1_000_000);
        return true;
      }, true);
      case "UPSTREAM_HOST" -> text(name, RequestRecord::endpoint);
      case "UPSTREAM_CLUSTER", "UPSTREAM_CLUSTER_RAW" -> text(name, RequestRecord::cluster);
      case "UPSTREAM_REQUEST_ATTEMPT_COUNT" -> number(name, r -> r.attempts());
      case "ROUTE_NAME" -> text(name, RequestRecord::routeName);
      case "DOWNSTREAM_REMOTE_ADDRESS" -> new Field(name, (r, out) -> address(r.downstreamRemote(), true, out), false);
      case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT" ->
          new Field(name, (r, out) -> address(r.downstreamRemote(), false, out), false);
      case "DOWNSTREAM_DIRECT_REMOTE_ADDRESS" ->
          new Field(name, (r, out) -> address(r.downstreamRemote(), true, out), false);
      case "DOWNSTREAM_PEER_URI_SAN" -> new Field(name, (r, out) -> {
        SpiffeId peer = r.peer();
        if (peer == null) {
          return false;
        }
        out.append("spiffe://").append(peer.trustDomain()).append(peer.path());
        return true;
      }, false);
      case "HOSTNAME" -> new Constant(hostName());
      // Known to Envoy and in Istio's default format; this proxy does not record them (yet), so they print "-".
      case "CONNECTION_TERMINATION_DETAILS", "UPSTREAM_TRANSPORT_FAILURE_REASON", "UPSTREAM_LOCAL_ADDRESS",
          "DOWNSTREAM_LOCAL_ADDRESS", "REQUESTED_SERVER_NAME", "UPSTREAM_TRANSPORT_FAILURE_REASON_RAW" ->
          new Constant(null);
      default -> throw new IllegalArgumentException("%" + name + "% is not a command operator this proxy knows");
    };
  }

  private static boolean address(InetSocketAddress a, boolean withPort, StringBuilder out) {
    if (a == null) {
      return false;
    }
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    if (withPort && host.indexOf(':') >= 0) {
      out.append('[').append(host).append(']');
    } else {
      out.append(host);
    }
    if (withPort) {
      out.append(':').append(a.getPort());
    }
    return true;
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return null;
    }
  }

  private static Field text(String name, Function<RequestRecord, String> value) {
    return new Field(name, (r, out) -> {
      String v = value.apply(r);
      if (v == null || v.isEmpty()) {
        return false;
      }
      out.append(v);
      return true;
    }, false);
  }

  private static Field number(String name, ToLongFunction<RequestRecord> value) {
    return new Field(name, (r, out) -> {
      out.append(value.applyAsLong(r));
      return true;
    }, true);
  }

  /** How a field operator reads the record. */
  @FunctionalInterface
  interface Reader {
    boolean appendTo(RequestRecord r, StringBuilder out);
  }

  /** A value of the request record. */
  record Field(String name, Reader reader, boolean numeric) implements CommandOperator {
    @Override
    public boolean appendTo(RequestRecord r, StringBuilder out) {
      return reader.appendTo(r, out);
    }
  }

  /** A value fixed for the life of the process ({@code %HOSTNAME%}, {@code %ENVIRONMENT(X)%}), or none. */
  record Constant(String value) implements CommandOperator {
    @Override
    public boolean appendTo(RequestRecord r, StringBuilder out) {
      if (value == null) {
        return false;
      }
      out.append(value);
      return true;
    }
  }

  /**
   * {@code %REQ(X?Y)%} and {@code %RESP(X?Y)%}: header X, else header Y. The pseudo-headers {@code
   * :METHOD}, {@code :PATH}, {@code :AUTHORITY} and {@code :SCHEME} read the request line; the names are
   * lower-cased once, here.
   */
  record Header(boolean request, String name, String alternative) implements CommandOperator {
    static Header of(boolean request, String arg) {
      int q = arg.indexOf('?');
      String main = (q < 0 ? arg : arg.substring(0, q)).trim().toLowerCase(Locale.ROOT);
      String alt = q < 0 ? null : arg.substring(q + 1).trim().toLowerCase(Locale.ROOT);
      if (main.isEmpty() || (alt != null && alt.isEmpty())) {
        throw new IllegalArgumentException("%" + (request ? "REQ" : "RESP") + "(" + arg + ")% names an empty header");
      }
      return new Header(request, main, alt);
    }

    @Override
    public boolean appendTo(RequestRecord r, StringBuilder out) {
      return one(r, name, out) || (alternative != null && one(r, alternative, out));
    }

    private boolean one(RequestRecord r, String header, StringBuilder out) {
      String v;
      if (request && header.charAt(0) == ':') {
        v = switch (header) {
          case ":method" -> r.method();
          case ":path" -> path(r.path());
          case ":authority" -> authority(r);
          case ":scheme" -> "http";
          default -> null;
        };
      } else {
        HttpHeaders h = request ? r.requestHeaders() : r.responseHeaders();
        v = h == null ? null : h.get(header);
      }
      if (v == null || v.isEmpty()) {
        return false;
      }
      out.append(v);
      return true;
    }

    /** The authority as the caller sent it (before any route's authority rewrite). */
    private static String authority(RequestRecord r) {
      return r.authority();
    }

    /** The path of a request target: origin-form as is, the path and query of an absolute-form one. */
    static String path(String target) {
      if (target == null || target.isEmpty() || target.charAt(0) == '/') {
        return target;
      }
      int scheme = target.indexOf("://");
      if (scheme < 0) {
        return target;
      }
      int slash = target.indexOf('/', scheme + 3);
      return slash < 0 ? "/" : target.substring(slash);
    }
  }

  /** An operator whose value is cut to at most {@code max} characters ({@code %REQ(USER-AGENT):10%}). */
  record Truncated(CommandOperator inner, int max) implements CommandOperator {
    @Override
    public boolean appendTo(RequestRecord r, StringBuilder out) {
      int start = out.length();
      if (!inner.appendTo(r, out)) {
        return false;
      }
      if (out.length() - start > max) {
        out.setLength(start + max);
      }
      return true;
    }
  }
}
