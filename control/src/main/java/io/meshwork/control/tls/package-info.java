/** TLS for the control plane's API: a serving certificate from the mesh's own CA, client certificates checked. */
package io.meshwork.control.tls;
