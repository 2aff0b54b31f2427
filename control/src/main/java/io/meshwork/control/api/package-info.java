/** The control plane's HTTP/JSON API in Kubernetes style, with newline-delimited JSON watch streams. */
package io.meshwork.control.api;
