/** Chooses the fastest Netty transport the host offers (native epoll, else NIO) for bench servers and clients. */
package io.meshwork.bench.transport;
