package io.meshwork.proxy.policy;

import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;

/** Runs a {@link RequestFilter} (authentication, authorization) as a stage of the request stack. */
public record FilterStage(RequestFilter filter) implements RequestStage {

  @Override
  public StageVerdict onRequest(StageRequest request) {
    return switch (filter.check(request.head(), request.channel())) {
      case RequestFilter.Pass p -> StageVerdict.NEXT;
      case RequestFilter.Reject r -> new StageVerdict.Answer(r.error().status().code(), r.error().grpcStatus(),
          r.error().reason(), r.message(), r.headers(), null);
    };
  }
}
