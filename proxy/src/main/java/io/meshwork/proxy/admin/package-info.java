/** The admin port: readiness, the loaded configuration as JSON, and draining. */
package io.meshwork.proxy.admin;
