/**
 * The wire protocol: JSON-RPC 2.0 messages and the tutorial's seed dialect, and the Jackson codec that reads
 * and writes them. Nothing here knows Netty or threads, so the protocol can be tested on bytes alone.
 */
package io.courier.protocol;
