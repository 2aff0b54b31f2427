/** Fuzz targets for the proxy's parsers; their seed corpora run as regression tests in every build. */
package io.meshwork.proxy.fuzz;
