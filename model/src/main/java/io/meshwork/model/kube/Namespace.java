package io.meshwork.model.kube;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * A Kubernetes Namespace. Namespaces exist in Meshwork as soon as a resource names them, so this
 * kind only carries its labels (in metadata) and is otherwise ignored.
 */
public record Namespace(List<String> finalizers) implements Spec {
  public Namespace {
    finalizers = Copies.list(finalizers);
  }
}
