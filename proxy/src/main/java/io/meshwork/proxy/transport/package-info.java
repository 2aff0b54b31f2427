/** Event loop groups and channel types: native epoll when the platform has it, NIO otherwise. */
package io.meshwork.proxy.transport;
