/**
 * Tracing with OpenTelemetry for Courier clients and servers: {@link io.courier.opentelemetry.CourierTelemetry}
 * gives a server interceptor and a client interceptor that make a span per call on each side, following
 * OpenTelemetry's semantic conventions for JSON-RPC, and carry W3C trace context with each call as per-call
 * metadata (HTTP headers over HTTP, the request's {@code meta} member on every transport). The module needs only
 * the OpenTelemetry API; the application brings and configures the SDK. The core does not depend on it.
 */
package io.courier.opentelemetry;
