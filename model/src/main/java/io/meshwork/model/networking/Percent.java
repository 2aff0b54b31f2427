package io.meshwork.model.networking;

/** Istio Percent: {@code {value: 12.5}}, a share 0..100. */
public record Percent(Double value) {}
