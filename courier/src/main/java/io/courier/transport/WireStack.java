package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The protocol a server connection turned out to speak, as its RPC handler sees it: how a reply or a message of
 * the server's own goes on the wire, what headers came with a request, and whether a message is half-received.
 * Every transport answers the same way: the connection hands each reply to {@link #reply} with the request it
 * answers. The protocol handlers fire their stack down the pipeline as a user event once they are in place (and
 * again when an HTTP connection upgrades to WebSocket).
 */
public interface WireStack {

  /**
   * The user event a stack fires when the peer showed it is alive without sending a message (a WebSocket
   * pong), so that the connection does not count as idle.
   */
  Object PEER_ALIVE = "courier.peer-alive";

  /** Returns the protocol's short name for logs and call contexts: {@code tcp}, {@code http} or {@code ws}. */
  String protocol();

  /**
   * Whether part of a message has arrived and the rest has not, down to bytes that only begin one (a frame
   * header, whitespace, part of a request line); a connection in this state for long is a slow-loris peer.
   * Called on the channel's event loop.
   */
  boolean hasPartialMessage();

  /**
   * Returns the bytes held for messages that have begun to arrive and are not complete, counted against the
   * server-wide budget for such bytes. Called on the channel's event loop.
   */
  long partialBytes();

  /**
   * Whether the server can send a message of its own accord on this connection (a notification); HTTP cannot,
   * since it only answers requests.
   */
  boolean canPush();

  /**
   * Wraps a message of the server's own (a notification or a request to the peer) for writing to the channel.
   * Ownership of {@code body} passes to this method.
   *
   * @throws UnsupportedOperationException when {@link #canPush()} is false
   */
  Object wrap(ByteBufAllocator alloc, ByteBuf body);

  /**
   * Returns what to write to the channel to answer {@code request} (a frame this stack handed up) with
   * {@code body}, or null when nothing is to be written. {@code body} is null when the request gets no answer
   * (notifications only); {@code jsonRpc} is false for a reply in the tutorial's dialect, which is sent exactly
   * as its server sends it, without a trailing newline. Ownership of {@code body} passes to this method.
   */
  Object reply(ByteBufAllocator alloc, Object request, ByteBuf body, boolean jsonRpc);

  /**
   * Returns the HTTP headers that came with {@code request} (a frame this stack handed up): its own over HTTP,
   * the upgrade request's over WebSocket; null on raw TCP.
   */
  default HttpHeaders headers(Object request) {
    return null;
  }

  /**
   * Returns a message that makes a live peer answer at the protocol level without running a call (a
   * WebSocket ping), sent on a connection idle for half the idle timeout; null when the protocol has none, and
   * the idle timeout then applies as is.
   */
  default Object idlePing() {
    return null;
  }
}
