/**
 * Internal: what both ends of a connection share about the methods they call and serve: the service model
 * (what reflection says about a service type, read once) and the method table an end serves from. Public only
 * because the client and server packages use it; not part of Courier's API and may change in any release.
 */
@Internal
package io.courier.peer;

import io.courier.Internal;
