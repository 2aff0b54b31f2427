/** Opaque TCP: connecting to a mesh destination with its load balancer, and splicing bytes both ways. */
package io.meshwork.proxy.tcp;
