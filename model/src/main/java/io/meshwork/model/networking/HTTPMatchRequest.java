package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;
import java.util.Map;

/**
 * Istio HTTPMatchRequest: every condition given must hold. Header names are matched
 * case-insensitively (RFC 9110 §5.1); {@code withoutHeaders} matches when the header is absent or
 * does not match.
 *
 * @param port the destination port, or null for any
 * @param ignoreUriCase null means false
 */
public record HTTPMatchRequest(
    String name,
    StringMatch uri,
    StringMatch scheme,
    StringMatch method,
    StringMatch authority,
    Map<String, StringMatch> headers,
    Integer port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    Map<String, StringMatch> queryParams,
    Boolean ignoreUriCase,
    Map<String, StringMatch> withoutHeaders,
    String sourceNamespace,
    String statPrefix) {
  public HTTPMatchRequest {
    headers = Copies.map(headers);
    sourceLabels = Copies.map(sourceLabels);
    gateways = Copies.list(gateways);
    queryParams = Copies.map(queryParams);
    withoutHeaders = Copies.map(withoutHeaders);
  }
}
