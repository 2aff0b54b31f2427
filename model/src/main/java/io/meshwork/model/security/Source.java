package io.meshwork.model.security;

import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio Source: every non-empty field must match. Principals are SPIFFE ids without the scheme
 * ("cluster.local/ns/shop/sa/orders"); ip blocks are IPs or CIDRs.
 */
public record Source(
    List<String> principals,
    List<String> notPrincipals,
    List<String> requestPrincipals,
    List<String> notRequestPrincipals,
    List<String> namespaces,
    List<String> notNamespaces,
    List<String> ipBlocks,
    List<String> notIpBlocks,
    List<String> remoteIpBlocks,
    List<String> notRemoteIpBlocks) {
  public Source {
    principals = Copies.list(principals);
    notPrincipals = Copies.list(notPrincipals);
    requestPrincipals = Copies.list(requestPrincipals);
    notRequestPrincipals = Copies.list(notRequestPrincipals);
    namespaces = Copies.list(namespaces);
    notNamespaces = Copies.list(notNamespaces);
    ipBlocks = Copies.list(ipBlocks);
    notIpBlocks = Copies.list(notIpBlocks);
    remoteIpBlocks = Copies.list(remoteIpBlocks);
    notRemoteIpBlocks = Copies.list(notRemoteIpBlocks);
  }
}
