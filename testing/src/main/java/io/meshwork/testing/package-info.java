/** JUnit 5 extensions that start a real mesh in a test: backends, sidecars and a control plane, on port 0. */
package io.meshwork.testing;
