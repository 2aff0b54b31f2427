package io.meshwork.model.security;

/** Istio Rule.To. */
public record To(Operation operation) {}
