/** Discovery from the control plane: its HTTP/JSON client, the watched configuration source, and the local app's registration. */
package io.meshwork.proxy.discovery;
