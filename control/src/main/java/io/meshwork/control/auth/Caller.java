package io.meshwork.control.auth;

import io.meshwork.model.identity.SpiffeId;
import java.util.Objects;

/** What a request proved about its sender; the API's access rules decide what each may do. */
public sealed interface Caller {

  /** No credential at all. */
  record Anonymous() implements Caller {}

  /** A credential that did not verify; {@code reason} says why, in the "field: value (expected: ...)" form. */
  record Rejected(String reason) implements Caller {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A credential that verified but whose identity was revoked after it was issued
   * ({@link io.meshwork.control.ca.IdentityRevocations}): the caller is known and refused, 403.
   */
  record Revoked(String reason) implements Caller {
    public Revoked {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The holder of the admin token: the operator and the CLI. */
  record Admin() implements Caller {}

  /**
   * A workload that proved {@code identity}.
   *
   * @param joinToken the token it proved it with, or null when it presented a certificate this CA issued
   */
  record Workload(SpiffeId identity, String joinToken) implements Caller {
    public Workload {
      Objects.requireNonNull(identity, "identity");
    }

    public boolean viaCertificate() {
      return joinToken == null;
    }
  }
}
