/**
 * Internal: byte-level transports (framing detection, TCP framers). Public only because the client and
 * server packages use it; not part of Courier's API and may change in any release.
 */
@Internal
package io.courier.transport;

import io.courier.Internal;
