/** Configuration: compiles Istio resources into the immutable snapshot a sidecar routes with, and loads them from files. */
package io.meshwork.proxy.config;
