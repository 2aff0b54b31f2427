package io.meshwork.proxy.security.authz;

import java.util.List;

/** AuthorizationPolicies that cannot be enforced as written; nothing of them is applied. */
public final class PolicyCompileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> errors;

  public PolicyCompileException(List<String> errors) {
    super(String.join("\n", errors));
    this.errors = List.copyOf(errors);
  }

  /** One message per problem: "AuthorizationPolicy ns/name: field: value (expected: ...)". */
  public List<String> errors() {
    return errors;
  }
}
