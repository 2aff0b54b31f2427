package io.meshwork.model.security;

/** Istio ClaimToHeader: copies claim {@code claim} of a valid token into request header {@code header}. */
public record ClaimToHeader(String header, String claim) {}
