/** The small apps that {@code meshwork demo} meshes: the vproxy example's frontend and services. */
package io.meshwork.cli.demo;
