package io.meshwork.model.security;

/** Istio Rule.From. */
public record From(Source source) {}
