/**
 * Internal: the wire protocol, JSON-RPC 2.0 messages and the tutorial's seed dialect, and the Jackson codec that
 * reads and writes them. Nothing here knows Netty or threads, so the protocol can be tested on bytes alone.
 * Public only because the session layer, the server and the client use it; not part of Courier's API (no public
 * method returns these types) and may change in any release.
 */
@Internal
package io.courier.protocol;

import io.courier.Internal;
