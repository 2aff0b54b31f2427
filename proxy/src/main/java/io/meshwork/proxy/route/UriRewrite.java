package io.meshwork.proxy.route;

/**
 * Istio HTTPRewrite of the path: {@code uri} replaces the part the route's uri match matched
 * (the prefix for prefix matches, the whole path otherwise); {@code uriRegexRewrite} is a
 * regex substitution over the whole path.
 */
public sealed interface UriRewrite {
  /** Returns the rewritten path (without query). */
  String apply(String path, String matchedPrefix);

  record Replace(String uri) implements UriRewrite {
    @Override
    public String apply(String path, String matchedPrefix) {
      if (matchedPrefix != null && path.startsWith(matchedPrefix)) {
        return uri + path.substring(matchedPrefix.length());
      }
      return uri;
    }
  }

  record RegexReplace(java.util.regex.Pattern match, String rewrite) implements UriRewrite {
    @Override
    public String apply(String path, String matchedPrefix) {
      return match.matcher(path).replaceAll(rewrite);
    }
  }
}
