/** Dapr's kinds (dapr.io/v1alpha1): components that give an application state stores and brokers. */
package io.meshwork.model.dapr;
