package io.meshwork.proxy.security.authz;

import java.util.List;

/**
 * The verdict on one request and what decided it, for access logs and {@code x-meshwork-error}.
 *
 * @param policy "namespace/name" of the deciding policy, or null when no policy decided
 * @param rule index of the matching rule in that policy, or -1
 * @param reason a short, stable reason code
 * @param audits "namespace/name" of every AUDIT policy the request matched
 */
public record AuthzDecision(Verdict verdict, String policy, int rule, String reason, List<String> audits) {
  public enum Verdict { ALLOW, DENY }

  /** No DENY matched and no ALLOW policy applies to the workload. */
  public static final String NO_ALLOW_POLICY = "no_allow_policy";
  /** Matched an ALLOW rule. */
  public static final String ALLOWED_BY_POLICY = "allowed_by_policy";
  /** Matched a DENY rule. */
  public static final String DENIED_BY_POLICY = "denied_by_policy";
  /** ALLOW policies apply but none matched. */
  public static final String NO_MATCHING_ALLOW = "no_matching_allow_policy";

  public AuthzDecision {
    audits = List.copyOf(audits);
  }

  public boolean allowed() {
    return verdict == Verdict.ALLOW;
  }

  /** One line for logs: "DENY denied_by_policy my-app/deny-admin[0]". */
  public String describe() {
    return verdict + " " + reason + (policy == null ? "" : " " + policy + "[" + rule + "]")
        + (audits.isEmpty() ? "" : " audit=" + audits);
  }
}
