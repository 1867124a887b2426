package io.courier;

/**
 * How JSON-RPC messages are delimited on a raw byte stream (a {@code tcp://} or {@code tls://} connection): the
 * choice a client makes for what it sends, since peers that only speak the Language Server Protocol's framing
 * (lsp4j, vscode-jsonrpc's stream connections, language servers) cannot read newline-delimited JSON. A Courier
 * server needs no such choice: it detects each connection's framing from its first bytes and answers in kind.
 * Whatever a client sends, it reads either framing from its peer.
 */
@Experimental
public enum Framing {

  /**
   * Newline-delimited JSON: each message is one JSON value followed by {@code '\n'}. What most JSON-RPC peers on
   * raw TCP speak; the default.
   */
  NEWLINE,

  /**
   * The Language Server Protocol's base protocol: each message is preceded by a {@code Content-Length: N} header
   * (N being the message's size in bytes) and an empty line, as lsp4j and vscode-jsonrpc send and expect.
   */
  CONTENT_LENGTH
}
