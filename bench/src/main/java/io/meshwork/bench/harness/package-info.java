/** Small helpers the proxy benchmark script calls: picking free loopback ports. */
package io.meshwork.bench.harness;
