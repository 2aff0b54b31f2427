package io.meshwork.model.security;

/** Istio JWTHeader: the token is in header {@code name}, after {@code prefix} (e.g. "Bearer "). */
public record JWTHeader(String name, String prefix) {}
