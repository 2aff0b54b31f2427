package io.meshwork.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.ResponseFlag;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envoy's command operators rendered from request records on a fixed clock, as TEXT and as JSON. */
class AccessLogFormatTest {
  /** 2024-01-15T10:30:00.042Z. */
  static final long START = 1_705_314_600_042L;

  static RequestRecord record() {
    RequestRecord r = new RequestRecord(1_000_000L, START);
    r.request("GET", "products:8080", "http://products:8080/items?x=1", false);
    HttpHeaders h = new DefaultHttpHeaders();
    h.set("user-agent", "curl/8.5.0");
    h.set("x-request-id", "3f1c6c2e-1d2b-4e7f-9a55-0c1d2e3f4a5b");
    h.set("x-forwarded-for", "10.0.0.7");
    r.downstream("HTTP/1.1", h, new InetSocketAddress("127.0.0.1", 40500));
    r.routed("outbound|8080||products.shop.svc.cluster.local");
    r.routeName("products-route");
    r.attemptStarted("127.0.0.1:9001");
    r.received(12);
    HttpHeaders resp = new DefaultHttpHeaders();
    resp.set("x-envoy-upstream-service-time", "3");
    r.responseHeaders(resp);
    r.status(200);
    r.details("via_upstream");
    r.sent(615);
    r.end(1_000_000L + 4_700_000L);
    return r;
  }

  @Test
  void istioDefaultTextLine() {
    String line = AccessLogFormat.istioDefault(AccessLogFormat.Encoding.TEXT).render(record());
    assertThat(line).isEqualTo("[2024-01-15T10:30:00.042Z] \"GET /items?x=1 HTTP/1.1\" 200 - via_upstream - \"-\""
        + " 12 615 4 3 \"10.0.0.7\" \"curl/8.5.0\" \"3f1c6c2e-1d2b-4e7f-9a55-0c1d2e3f4a5b\" \"products:8080\""
        + " \"127.0.0.1:9001\" outbound|8080||products.shop.svc.cluster.local - - 127.0.0.1:40500 - products-route\n");
  }

  @Test
  void absentValuesPrintADashAndFlagsJoinWithCommas() {
    RequestRecord r = new RequestRecord(0, START);
    r.request("POST", null, "/pay", false);
    r.downstream("HTTP/2", new DefaultHttpHeaders(), null);
    r.flag(ResponseFlag.UF);
    r.flag(ResponseFlag.URX);
    r.status(503);
    r.details("upstream_connect_error");
    r.end(2_000_000);
    String line = AccessLogFormat.compile("%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
        + " %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %UPSTREAM_HOST% %UPSTREAM_CLUSTER%"
        + " %REQ(USER-AGENT)% %DURATION%", AccessLogFormat.Encoding.TEXT).render(r);
    assertThat(line).isEqualTo("POST /pay HTTP/2 503 UF,URX upstream_connect_error - - - 2\n");
  }

  @Test
  void originalPathHeaderWinsOverThePathAndLengthsTruncate() {
    RequestRecord r = record();
    r.requestHeaders().set("x-envoy-original-path", "/before/rewrite");
    String line = AccessLogFormat.compile("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %REQ(USER-AGENT):4%",
        AccessLogFormat.Encoding.TEXT).render(r);
    assertThat(line).isEqualTo("/before/rewrite curl\n");
  }

  @Test
  void istioDefaultJsonHasIstiosKeysWithTypedValues() throws Exception {
    String line = AccessLogFormat.istioDefault(AccessLogFormat.Encoding.JSON).render(record());
    assertThat(line).endsWith("}\n").doesNotContain("\n{");
    JsonNode json = new ObjectMapper().readTree(line);
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("start_time", "route_name", "method", "path", "protocol", "response_code",
        "response_flags", "response_code_details", "connection_termination_details", "bytes_received", "bytes_sent",
        "duration", "upstream_service_time", "x_forwarded_for", "user_agent", "request_id", "authority",
        "upstream_host", "upstream_cluster", "upstream_local_address", "downstream_local_address",
        "downstream_remote_address", "requested_server_name", "upstream_transport_failure_reason");
    assertThat(json.get("start_time").asText()).isEqualTo("2024-01-15T10:30:00.042Z");
    assertThat(json.get("response_code").isInt()).isTrue();
    assertThat(json.get("response_code").asInt()).isEqualTo(200);
    assertThat(json.get("bytes_sent").asLong()).isEqualTo(615);
    assertThat(json.get("duration").asLong()).isEqualTo(4);
    assertThat(json.get("response_flags").isNull()).isTrue();
    assertThat(json.get("upstream_service_time").asText()).isEqualTo("3");
    assertThat(json.get("upstream_cluster").asText()).isEqualTo("outbound|8080||products.shop.svc.cluster.local");
    assertThat(json.get("requested_server_name").isNull()).isTrue();
    assertThat(json.get("path").asText()).isEqualTo("/items?x=1");
  }

  @Test
  void jsonEscapesQuotesBackslashesAndControlCharacters() throws Exception {
    RequestRecord r = record();
    // Netty refuses control characters from the wire; headers made elsewhere may still carry them.
    HttpHeaders raw = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    raw.set("user-agent", "a \"quoted\" \\ agent\u0001\t\u2028");
    r.downstream("HTTP/1.1", raw, null);
    AccessLogFormat f = AccessLogFormat.compile("{\"ua\": \"%REQ(USER-AGENT)%\", \"mixed\": \"ua=%REQ(USER-AGENT)%"
        + " id=%REQ(X-NONE)%\", \"code\": \"%RESPONSE_CODE%\"}", AccessLogFormat.Encoding.JSON);
    String line = f.render(r);
    assertThat(line).contains("\\\"quoted\\\"", "\\\\", "\\u0001", "\\t", "\\u2028")
        .doesNotContain("\u0001", "\u2028");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("ua").asText()).isEqualTo("a \"quoted\" \\ agent\u0001\t\u2028");
    assertThat(json.get("mixed").asText()).isEqualTo("ua=a \"quoted\" \\ agent\u0001\t\u2028 id=-");
    assertThat(json.get("code").asInt()).isEqualTo(200);
  }

  @Test
  void peerIdentityAndAttemptCount() {
    RequestRecord r = record();
    r.peer(SpiffeId.forWorkload("cluster.local", "shop", "orders"));
    assertThat(AccessLogFormat.compile("%DOWNSTREAM_PEER_URI_SAN% %UPSTREAM_REQUEST_ATTEMPT_COUNT%"
        + " %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", AccessLogFormat.Encoding.TEXT).render(r))
        .isEqualTo("spiffe://cluster.local/ns/shop/sa/orders 1 127.0.0.1\n");
  }

  @Test
  void badFormatsAreErrorsNamingTheOperator() {
    assertThatThrownBy(() -> AccessLogFormat.compile("%RESPONSE_COD%", AccessLogFormat.Encoding.TEXT))
        .hasMessage("at offset 0: %RESPONSE_COD% is not a command operator this proxy knows");
    assertThatThrownBy(() -> AccessLogFormat.compile("x %REQ(:METHOD)", AccessLogFormat.Encoding.TEXT))
        .hasMessage("the % at offset 2 opens a command operator that never closes");
    assertThatThrownBy(() -> AccessLogFormat.compile("%REQ()%", AccessLogFormat.Encoding.TEXT))
        .hasMessageContaining("%REQ% needs an argument");
    assertThatThrownBy(() -> AccessLogFormat.compile("%START_TIME(%s)%", AccessLogFormat.Encoding.TEXT))
        .hasMessageContaining("offset 0");
    assertThatThrownBy(() -> AccessLogFormat.compile("[1, 2]", AccessLogFormat.Encoding.JSON))
        .hasMessageContaining("is not a JSON object of format strings");
    assertThatThrownBy(() -> AccessLogFormat.compile("{\"n\": 5}", AccessLogFormat.Encoding.JSON))
        .hasMessage("key \"n\": 5 (expected: a format string)");
    assertThatThrownBy(() -> AccessLogFormat.compile("{\"m\": \"%METHOD%\"}", AccessLogFormat.Encoding.JSON))
        .hasMessage("key \"m\": at offset 0: %METHOD% is not a command operator this proxy knows");
  }

  @Test
  void aTextFormatWithoutANewlineGetsOne() {
    assertThat(AccessLogFormat.compile("%RESPONSE_CODE%", AccessLogFormat.Encoding.TEXT).render(record()))
        .isEqualTo("200\n");
  }
}
