/** The upstream every benchmarked path ends at: a minimal HTTP/1.1 keep-alive server with a fixed small body. */
package io.meshwork.bench.backend;
