package io.meshwork.model.networking;

/**
 * Istio HTTPRewrite: at most one of {@code uri} (replaces the matched prefix) and {@code
 * uriRegexRewrite}; {@code authority} replaces Host/:authority.
 */
public record HTTPRewrite(String uri, String authority, RegexRewrite uriRegexRewrite) {}
