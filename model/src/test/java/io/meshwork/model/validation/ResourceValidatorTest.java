package io.meshwork.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.ObjectMeta;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.model.networking.WorkloadEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Istio's rules, one kind at a time; each case asserts the exact field and message. */
class ResourceValidatorTest {

  private static List<String> problems(String apiVersion, String kind, String spec) {
    String yaml = "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata: {name: r, namespace: shop}\nspec:\n"
        + spec.indent(2);
    ParseResult result = ResourceParser.parse("t.yaml", yaml);
    return result.diagnostics().stream().map(d -> d.field() + ": " + d.message()).toList();
  }

  private static List<String> vs(String spec) {
    return problems("networking.istio.io/v1", "VirtualService", spec);
  }

  private static List<String> dr(String spec) {
    return problems("networking.istio.io/v1", "DestinationRule", spec);
  }

  @Test
  void virtualServiceRouteActions() {
    assertThat(vs("hosts: [a]\nhttp:\n- timeout: 1s\n")).containsExactly(
        "spec.http[0]: missing (expected: exactly one of route, redirect, directResponse or delegate)");
    assertThat(vs("hosts: [a]\nhttp:\n- route: [{destination: {host: a}}]\n  redirect: {uri: /x}\n")).containsExactly(
        "spec.http[0]: route and redirect set (expected: exactly one of route, redirect, directResponse or delegate)");
    assertThat(vs("hosts: []\nhttp:\n- route: [{destination: {host: a}}]\n")).containsExactly(
        "spec.hosts: missing (expected: at least one host)");
    assertThat(vs("hosts: [a]\nhttp:\n- route: [{destination: {subset: v1}}]\n")).containsExactly(
        "spec.http[0].route[0].destination.host: missing (expected: a service host name)");
  }

  @Test
  void virtualServiceMirrors() {
    String route = "hosts: [a]\nhttp:\n- route: [{destination: {host: a}}]\n";
    assertThat(vs(route + "  mirrors:\n  - destination: {host: s}\n    percentage: {value: 25}\n"
        + "  - destination: {host: t}\n")).isEmpty();
    assertThat(vs(route + "  mirrors:\n  - destination: {host: s}\n    percentage: {value: 120}\n")).containsExactly(
        "spec.http[0].mirrors[0].percentage.value: 120.0 (expected: a percentage 0..100)");
    assertThat(vs(route + "  mirror: {host: s}\n  mirrors:\n  - destination: {host: t}\n")).containsExactly(
        "spec.http[0].mirrors: \"set with mirror\" (expected: one of mirror or mirrors (Istio))");
  }

  @Test
  void virtualServiceWeights() {
    assertThat(vs("hosts: [a]\nhttp:\n- route:\n  - {destination: {host: a}, weight: 60}\n"
        + "  - {destination: {host: b}, weight: 30}\n")).containsExactly(
        "spec.http[0].route: weights summing to 90 (expected: weights summing to 100)");
    assertThat(vs("hosts: [a]\nhttp:\n- route:\n  - {destination: {host: a}, weight: 101}\n")).containsExactly(
        "spec.http[0].route[0].weight: 101 (expected: an integer 0..100)");
    assertThat(vs("hosts: [a]\nhttp:\n- route:\n  - {destination: {host: a}, weight: 0}\n"
        + "  - {destination: {host: b}, weight: 100}\n")).isEmpty();
  }

  @Test
  void virtualServiceRetriesTimeoutsAndRegexes() {
    String route = "hosts: [a]\nhttp:\n- route: [{destination: {host: a}}]\n";
    assertThat(vs(route + "  retries: {attempts: -1, perTryTimeout: 0s, retryOn: '5xx,gateway-eror,503'}\n"))
        .containsExactly(
            "spec.http[0].retries.attempts: -1 (expected: an integer >= 0)",
            "spec.http[0].retries.perTryTimeout: 0s (expected: a duration of at least 1ms)",
            "spec.http[0].retries.retryOn: \"gateway-eror\" (expected: comma-separated retry conditions, each one of "
                + "5xx, cancelled, connect-failure, deadline-exceeded, envoy-ratelimited, gateway-error, internal, "
                + "refused-stream, reset, resource-exhausted, retriable-4xx, retriable-headers, retriable-status-codes,"
                + " unavailable or an HTTP status code)");
    assertThat(vs(route + "  timeout: 500us\n")).containsExactly(
        "spec.http[0].timeout: 500us (expected: a duration of at least 1ms)");
    assertThat(vs("hosts: [a]\nhttp:\n- match: [{uri: {regex: '/(a'}}]\n  route: [{destination: {host: a}}]\n"))
        .singleElement().asString().startsWith("spec.http[0].match[0].uri.regex: \"/(a\" (expected: a valid RE2");
    assertThat(vs("hosts: [a]\nhttp:\n- match: [{headers: {'bad header': {exact: x}}}]\n"
        + "  route: [{destination: {host: a}}]\n")).containsExactly(
        "spec.http[0].match[0].headers[\"bad header\"]: \"bad header\" (expected: a header name (an RFC 9110 token))");
  }

  @Test
  void stringMatchNeedsExactlyOneKind() {
    assertThat(vs("hosts: [a]\nhttp:\n- match: [{uri: {exact: /a, prefix: /b}}]\n  route: [{destination: {host: a}}]\n"))
        .containsExactly("spec.http[0].match[0].uri: a mapping (expected: exactly one of {exact: ...}, "
            + "{prefix: ...} or {regex: ...})");
    assertThat(vs("hosts: [a]\nhttp:\n- match: [{uri: {suffix: /a}}]\n  route: [{destination: {host: a}}]\n"))
        .singleElement().asString().startsWith("spec.http[0].match[0].uri: a mapping (expected: exactly one of");
  }

  @Test
  void faultsRedirectsAndDirectResponses() {
    String head = "hosts: [a]\nhttp:\n- ";
    assertThat(vs(head + "route: [{destination: {host: a}}]\n  fault: {abort: {percentage: {value: 150}}}\n"))
        .containsExactly(
            "spec.http[0].fault.abort.httpStatus: missing (expected: exactly one of httpStatus or grpcStatus)",
            "spec.http[0].fault.abort.percentage.value: 150.0 (expected: a percentage 0..100)");
    assertThat(vs(head + "redirect: {uri: /b, redirectCode: 200}\n")).containsExactly(
        "spec.http[0].redirect.redirectCode: 200 (expected: a redirect status 300..399)");
    assertThat(vs(head + "directResponse: {body: {string: hi}}\n")).containsExactly(
        "spec.http[0].directResponse.status: missing (expected: an HTTP status 200..599)");
  }

  @Test
  void destinationRuleRules() {
    assertThat(dr("trafficPolicy: {loadBalancer: {simple: RANDOM}}\n")).containsExactly(
        "spec.host: missing (expected: the service host the rule applies to)");
    assertThat(dr("host: a\nsubsets:\n- {name: v1}\n- {name: v1}\n- {name: V_2}\n")).containsExactly(
        "spec.subsets[1].name: \"v1\" (expected: a subset name not used by an earlier subset)",
        "spec.subsets[2].name: \"V_2\" (expected: a DNS-1123 label: lower-case letters, digits and '-', "
            + "at most 63 characters)");
    assertThat(dr("host: a\ntrafficPolicy:\n  loadBalancer:\n    simple: RANDOM\n"
        + "    consistentHash: {httpHeaderName: x-user, useSourceIp: true}\n")).containsExactly(
        "spec.trafficPolicy.loadBalancer: both simple and consistentHash set (expected: at most one of simple "
            + "and consistentHash)",
        "spec.trafficPolicy.loadBalancer.consistentHash: 2 hash keys set (expected: exactly one of "
            + "httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName)");
    assertThat(dr("host: a\ntrafficPolicy:\n  outlierDetection: {maxEjectionPercent: 120, interval: 0s}\n"
        + "  connectionPool: {tcp: {maxConnections: -1}}\n")).containsExactly(
        "spec.trafficPolicy.connectionPool.tcp.maxConnections: -1 (expected: an integer >= 0)",
        "spec.trafficPolicy.outlierDetection.interval: 0s (expected: a duration of at least 1ms)",
        "spec.trafficPolicy.outlierDetection.maxEjectionPercent: 120 (expected: a percentage 0..100)");
    assertThat(dr("host: a\ntrafficPolicy:\n  retryBudget: {percent: 150, minRetryConcurrency: -2}\n")).containsExactly(
        "spec.trafficPolicy.retryBudget.percent: 150.0 (expected: a percentage 0..100)",
        "spec.trafficPolicy.retryBudget.minRetryConcurrency: -2 (expected: an integer >= 0)");
    assertThat(dr("host: a\ntrafficPolicy:\n  retryBudget: {percent: 25, minRetryConcurrency: 5}\n")).isEmpty();
    assertThat(dr("host: a\nsubsets:\n- name: v1\n  trafficPolicy: {tls: {mode: MUTUAL}}\n")).containsExactly(
        "spec.subsets[0].trafficPolicy.tls.clientCertificate: missing (expected: a PEM certificate file for "
            + "MUTUAL mode, or credentialName)",
        "spec.subsets[0].trafficPolicy.tls.privateKey: missing (expected: a PEM key file for MUTUAL mode, "
            + "or credentialName)");
  }

  @Test
  void serviceEntryRules() {
    String se = "networking.istio.io/v1";
    assertThat(problems(se, "ServiceEntry", "hosts: [db]\nports: [{number: 70000, protocol: SMTP, name: x}]\n"))
        .containsExactly(
            "spec.ports[0].number: 70000 (expected: a port number 1..65535)",
            "spec.ports[0].protocol: \"SMTP\" (expected: one of HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP, TLS or UDP)");
    assertThat(problems(se, "ServiceEntry", "hosts: [db]\nports: [{number: 5432, protocol: tcp, name: pg}]\n"))
        .isEmpty();
    assertThat(problems(se, "ServiceEntry", "hosts: [db]\nresolution: STATIC\n")).containsExactly(
        "spec.endpoints: missing (expected: endpoints or a workloadSelector for STATIC resolution)");
    assertThat(problems(se, "ServiceEntry", "hosts: [db]\nresolution: STATIC\nendpoints: [{address: db.local}]\n"))
        .containsExactly("spec.endpoints[0].address: \"db.local\" (expected: an IP address for STATIC resolution)");
    assertThat(problems(se, "WorkloadEntry", "ports: {http: 0}\n")).containsExactly(
        "spec.address: missing (expected: an IP address or host name)",
        "spec.ports.http: 0 (expected: a port number 1..65535)");
  }

  @Test
  void securityRules() {
    String sec = "security.istio.io/v1";
    assertThat(problems(sec, "AuthorizationPolicy", "rules:\n- to: [{operation: {paths: ['/a/*/b', '*/x/*']}}]\n"
        + "  from: [{source: {ipBlocks: [10.0.0.0/33, 300.1.1.1, '::1', 'fd00::/8']}}]\n")).containsExactly(
        "spec.rules[0].from[0].source.ipBlocks[0]: \"10.0.0.0/33\" (expected: an IP address or CIDR block such as "
            + "10.0.0.0/8)",
        "spec.rules[0].from[0].source.ipBlocks[1]: \"300.1.1.1\" (expected: an IP address or CIDR block such as "
            + "10.0.0.0/8)",
        "spec.rules[0].to[0].operation.paths[0]: \"/a/*/b\" (expected: at most one '*', at the start or at the end)",
        "spec.rules[0].to[0].operation.paths[1]: \"*/x/*\" (expected: at most one '*', at the start or at the end)");
    assertThat(problems(sec, "AuthorizationPolicy", "rules:\n- when:\n  - {key: 'request.header[x]', values: [a]}\n"
        + "  - {key: 'request.auth.claims[groups]', values: [admin]}\n  - {key: source.ip}\n")).containsExactly(
        "spec.rules[0].when[0].key: \"request.header[x]\" (expected: request.headers[NAME], request.auth.claims[NAME], "
            + "source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, "
            + "request.auth.audiences, request.auth.presenter, destination.ip, destination.port or connection.sni)",
        "spec.rules[0].when[2].values: missing (expected: values or notValues)");
    assertThat(problems(sec, "PeerAuthentication", "portLevelMtls: {8080: {mode: DISABLE}}\n")).containsExactly(
        "spec.selector: missing (expected: a workload selector: portLevelMtls applies to selected workloads only)");
    assertThat(problems(sec, "RequestAuthentication",
        "jwtRules:\n- jwks: '{}'\n  jwksUri: https://x/jwks\n")).containsExactly(
        "spec.jwtRules[0].issuer: missing (expected: the token issuer (iss claim))",
        "spec.jwtRules[0].jwks: set together with jwksUri (expected: at most one of jwks and jwksUri)");
  }

  @Test
  void meshworkKindsAndMetadata() {
    String mw = "meshwork.io/v1alpha1";
    assertThat(problems(mw, "RateLimitPolicy", "requestsPerUnit: 0\nper: {source: PRINCIPAL, header: x-user}\n"))
        .containsExactly(
            "spec.requestsPerUnit: 0 (expected: an integer > 0)",
            "spec.per: missing (expected: exactly one of source or header)");
    assertThat(problems(mw, "RateLimitPolicy", "requestsPerUnit: 5\ndirection: OUTBOUND\nper: {source: PRINCIPAL}\n"))
        .containsExactly("spec.per.source: PRINCIPAL (expected: IP or a header with direction OUTBOUND)");
    assertThat(problems(mw, "RateLimitPolicy", "requestsPerUnit: 5\nscope: GLOBAL\nburst: 2\nfailureMode: DENY\n"))
        .containsExactly("spec.burst: 2 (expected: absent with scope GLOBAL (a fixed window admits its whole quota"
            + " at once))");
    assertThat(problems(mw, "RateLimitPolicy", "requestsPerUnit: 5\nfailureMode: DENY\n"))
        .containsExactly("spec.failureMode: DENY (expected: absent with scope LOCAL (a local bucket has no counters"
            + " to lose; set scope: GLOBAL))");
    assertThat(problems(mw, "RateLimitPolicy", "requestsPerUnit: 5\nscope: GLOBAL\nfailureMode: ALLOW\n")).isEmpty();
    assertThat(problems(mw, "ApiKey", "clientId: acme\n")).containsExactly(
        "spec.secretHash: missing (expected: a hash of the secret, never the secret itself)");

    Resource<WorkloadEntry> bad = Resource.of(new ObjectMeta("Orders_VM", "Shop", null, null, null, null),
        new WorkloadEntry("10.0.0.1", null, null, null, null, null, null));
    assertThat(ResourceValidator.validate(bad)).extracting(Violation::toString).containsExactly(
        "metadata.name: \"Orders_VM\" (expected: a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', "
            + "at most 253 characters)",
        "metadata.namespace: \"Shop\" (expected: a DNS-1123 label: lower-case letters, digits and '-', "
            + "at most 63 characters)");
  }

  @Test
  void violationsCarryTheirLine() {
    ParseResult result = ResourceParser.parse("dr.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: r}
        spec:
          host: r
          subsets:
          - name: v1
          - name: v1
        """);
    Diagnostic d = result.errors().getFirst();
    assertThat(d.line()).isEqualTo(8);
    assertThat(d.column()).isEqualTo(5);
  }
}
