/** Who is calling the control plane's API: the admin credential, join tokens and workload certificates. */
package io.meshwork.control.auth;
