/**
 * Metrics of Courier servers and clients on Micrometer: {@link io.courier.micrometer.CourierMetrics} is an event
 * listener that records calls, connections and refused messages as meters named after OpenTelemetry's RPC
 * semantic conventions. The core does not depend on this module; add it, and a listener, to get metrics.
 */
package io.courier.micrometer;
