package io.meshwork.model.networking;

/** Istio HTTPBody: exactly one of {@code string} and {@code bytes} (base64). */
public record HTTPBody(String string, String bytes) {}
