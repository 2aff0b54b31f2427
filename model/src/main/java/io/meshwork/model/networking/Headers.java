package io.meshwork.model.networking;

/** Istio Headers: operations on the request and on the response; either may be null. */
public record Headers(HeaderOperations request, HeaderOperations response) {}
