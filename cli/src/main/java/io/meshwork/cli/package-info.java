/** The {@code meshwork} command: every user-facing entry point of the mesh. */
package io.meshwork.cli;
