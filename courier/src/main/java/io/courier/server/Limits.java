package io.courier.server;

import java.time.Duration;

/**
 * The bounds a server enforces, as its builder set them; every one is listed with its default in
 * {@code docs/limits.md}.
 */
record Limits(
    int maxMessageBytes,
    int maxOutboundMessageBytes,
    int maxNumberScale,
    int maxInFlightPerConnection,
    int maxRunningPerConnection,
    int maxBatchItems,
    int maxBatchResponseBytes,
    int maxConnections,
    int maxConnectionsPerAddress,
    long partialMessageBudget,
    Duration protocolDetectionTimeout,
    Duration partialFrameTimeout,
    Duration idleTimeout,
    Duration unwritableTimeout) {}
