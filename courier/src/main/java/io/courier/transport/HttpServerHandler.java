package io.courier.transport;

import static io.netty.handler.codec.http.HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS;
import static io.netty.handler.codec.http.HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS;
import static io.netty.handler.codec.http.HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN;
import static io.netty.handler.codec.http.HttpHeaderNames.ACCESS_CONTROL_MAX_AGE;
import static io.netty.handler.codec.http.HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD;
import static io.netty.handler.codec.http.HttpHeaderNames.ALLOW;
import static io.netty.handler.codec.http.HttpHeaderNames.CACHE_CONTROL;
import static io.netty.handler.codec.http.HttpHeaderNames.CONNECTION;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_SECURITY_POLICY;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE;
import static io.netty.handler.codec.http.HttpHeaderNames.HOST;
import static io.netty.handler.codec.http.HttpHeaderNames.ORIGIN;
import static io.netty.handler.codec.http.HttpHeaderNames.SEC_WEBSOCKET_KEY;
import static io.netty.handler.codec.http.HttpHeaderNames.SEC_WEBSOCKET_VERSION;
import static io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING;
import static io.netty.handler.codec.http.HttpHeaderNames.UPGRADE;
import static io.netty.handler.codec.http.HttpHeaderNames.VARY;
import static io.netty.handler.codec.http.HttpHeaderNames.X_FRAME_OPTIONS;

import io.courier.protocol.PeerText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 side of a server connection, after the request decoder: it checks each request, collects a
 * JSON-RPC body up to the size limit and passes it on as an {@link HttpCall}, answers what is not JSON-RPC
 * itself (CORS preflight, static files, HTTP-level faults), upgrades to WebSocket, and writes responses in
 * request order, however the calls of pipelined requests complete.
 *
 * <p>It is strict where leniency lets requests be smuggled: a request with both {@code Transfer-Encoding} and
 * {@code Content-Length}, a transfer coding other than exactly {@code chunked}, or anything the decoder could
 * not parse is answered 400 and the connection closed, so no second request is ever cut out of its bytes. A
 * body over the limit is answered 413 and the connection closed without reading the rest.
 *
 * <p>It answers a request only while the peer reads its answers (the channel is writable). What the decoder cuts
 * from bytes already read while the peer does not read waits here, unanswered, and the connection stops reading:
 * forty pipelined bytes asking for a static file must not each put its content into the channel's buffer.
 * Not sharable.
 */
public final class HttpServerHandler extends ChannelDuplexHandler implements WireStack {

  private static final Logger log = LoggerFactory.getLogger(HttpServerHandler.class);

  /** What a page served from the jar may load and do: its own scripts and styles, calls to this server only. */
  private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  // Not in Netty's HttpHeaderNames, unlike Content-Security-Policy and X-Frame-Options.
  private static final String CONTENT_TYPE_OPTIONS = "X-Content-Type-Options";
  private static final String REFERRER_POLICY = "Referrer-Policy";

  /** Longest request line, and header block, accepted. */
  static final int MAX_INITIAL_LINE_BYTES = 4096;
  static final int MAX_HEADER_BYTES = 8192;
  /** Body bytes handed on at a time; the body itself is limited by {@link HttpOptions#maxMessageBytes()}. */
  static final int MAX_CHUNK_BYTES = 64 * 1024;
  /** First size of the buffer for a chunked body, which grows as the chunks arrive. */
  private static final int INITIAL_BODY_BYTES = 1024;

  private static final String JSON = "application/json";
  private static final String ALLOWED_METHODS = "POST, OPTIONS";
  private static final String ALLOWED_HEADERS = "Content-Type, Authorization";
  private static final String PREFLIGHT_MAX_AGE_SECONDS = "600";
  private static final String WEBSOCKET_VERSION = "13";

  private final HttpOptions options;
  private StrictRequestDecoder decoder;
  /** The last Host this connection's requests named that was accepted: the next one is likely the same. */
  private String acceptedHost;
  /**
   * Whether a refusal that leaves the connection open (a WebSocket version or origin, a preflight) has been
   * logged for it: the peer may repeat one at will, and only the first is.
   */
  private boolean refusalLogged;

  /**
   * How to answer a request once its turn comes: whether the connection stays open, its CORS origin, and
   * whether it was a {@code HEAD} (answered with the headers only).
   */
  private record Exchange(boolean keepAlive, String corsOrigin, boolean head) {}

  /**
   * What the decoder cut while the peer did not read its answers, in order, to be read once it does; bounded by
   * the bytes read before the connection stopped reading. Their body bytes are counted in {@link #partialBytes}.
   */
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private long waitingBytes;

  private final Map<Long, Exchange> exchanges = new HashMap<>();
  /** Responses ready before their turn. */
  private final Map<Long, FullHttpResponse> early = new HashMap<>();
  private long nextSequence;
  private long nextToWrite;

  // The request being read. Event loop only.
  private long sequence;
  private HttpRequest request;
  /** The JSON-RPC body being collected; null when the request's body is ignored (answered already). */
  private ByteBuf body;
  private boolean inRequest;
  /** Set after a fatal fault: nothing more is read, and the connection closes after its response. */
  private boolean failed;

  public HttpServerHandler(HttpOptions options) {
    this.options = options;
  }

  /** The request decoder to put before this handler; the handler asks it whether a request is half-read. */
  public HttpRequestDecoder newDecoder() {
    decoder = new StrictRequestDecoder();
    return decoder;
  }

  /**
   * Netty's decoder resolves a request carrying both {@code Transfer-Encoding: chunked} and
   * {@code Content-Length} by dropping the length; a proxy in front may have used the length instead, which is
   * how requests get smuggled. This one marks such a request failed, and the handler answers 400 and closes.
   *
   * <p>It also keeps track of whether a request has begun and not ended, request line and headers included:
   * those are parsed out of the buffer as they arrive, so its size alone does not tell.
   */
  private static final class StrictRequestDecoder extends HttpRequestDecoder {
    private boolean midRequest;

    StrictRequestDecoder() {
      super(new HttpDecoderConfig()
          .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
          .setMaxHeaderSize(MAX_HEADER_BYTES)
          .setMaxChunkSize(MAX_CHUNK_BYTES)
          .setStrictLineParsing(true));
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      message.setDecoderResult(DecoderResult.failure(
          new IllegalArgumentException("both Transfer-Encoding and Content-Length")));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      int before = out.size();
      int readable = in.readableBytes();
      super.decode(ctx, in, out);
      if (out.size() > before && out.get(out.size() - 1) instanceof LastHttpContent) {
        midRequest = false; // the next call of decode, if bytes are left, starts the next request
      } else if (readable > 0) {
        midRequest = true;
      }
    }

    /** Bytes held in the decoder's buffer; a request line or header being parsed is held apart, at most 8 KiB. */
    long buffered() {
      return actualReadableBytes();
    }
  }

  @Override
  public String protocol() {
    return "http";
  }

  @Override
  public boolean hasPartialMessage() {
    return inRequest || (decoder != null && decoder.midRequest);
  }

  @Override
  public long partialBytes() {
    return (body == null ? 0 : body.readableBytes()) + (decoder == null ? 0 : decoder.buffered()) + waitingBytes;
  }

  @Override
  public boolean canPush() {
    return false;
  }

  @Override
  public Object wrap(ByteBufAllocator alloc, ByteBuf body) {
    body.release();
    throw new UnsupportedOperationException("HTTP answers requests only");
  }

  /** Every request is answered, in its turn among pipelined ones: 200 with the body, or 204 when it is null. */
  @Override
  public Object reply(ByteBufAllocator alloc, Object request, ByteBuf body, boolean jsonRpc) {
    return new HttpReply(((HttpCall) request).sequence(), body);
  }

  @Override
  public HttpHeaders headers(Object request) {
    return ((HttpCall) request).headers();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.fireUserEventTriggered(this);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!waiting.isEmpty() || !ctx.channel().isWritable()) {
      waiting.add(msg);
      waitingBytes += bodyBytes(msg);
      return;
    }
    readNow(ctx, msg);
  }

  /** Reads what waited for the peer to take its answers, for as long as it takes them. */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    while (!waiting.isEmpty() && ctx.channel().isWritable() && !ctx.isRemoved()) {
      Object next = waiting.poll();
      waitingBytes -= bodyBytes(next);
      readNow(ctx, next);
    }
    super.channelWritabilityChanged(ctx);
  }

  private static long bodyBytes(Object msg) {
    return msg instanceof HttpContent content ? content.content().readableBytes() : 0;
  }

  private void readNow(ChannelHandlerContext ctx, Object msg) {
    try {
      if (failed) {
        return;
      }
      if (msg instanceof HttpRequest head) {
        startRequest(ctx, head);
      }
      if (msg instanceof HttpContent content && !failed) {
        readContent(ctx, content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void startRequest(ChannelHandlerContext ctx, HttpRequest head) {
    inRequest = true;
    sequence = nextSequence++;
    request = head;
    body = null;
    if (head.decoderResult().isFailure()) {
      fail(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request: " + head.decoderResult().cause().getMessage());
      return;
    }
    String smuggling = framingFault(head.headers());
    if (smuggling != null) {
      fail(ctx, HttpResponseStatus.BAD_REQUEST, smuggling);
      return;
    }
    if (!checkHost(ctx, head)) {
      return;
    }
    String origin = head.headers().get(ORIGIN);
    exchanges.put(sequence, new Exchange(HttpUtil.isKeepAlive(head), options.allowsOrigin(origin) ? origin : null,
        head.method().equals(HttpMethod.HEAD)));
    String path = new QueryStringDecoder(head.uri()).path();
    HttpMethod method = head.method();
    if (path.equals(options.webSocketPath()) && isWebSocketUpgrade(head)) {
      if (origin != null && !options.allowsOrigin(origin) && !isSameOrigin(origin, head.headers().get(HOST))) {
        // Browsers let any page open a WebSocket anywhere, with the visitor's cookies and network position:
        // only the server's own pages and the allowed origins may (cross-site WebSocket hijacking).
        logRefusal("Refused a WebSocket upgrade from origin {} ({})", PeerText.abbreviate(origin),
            ctx.channel().remoteAddress());
        respond(ctx, sequence, text(HttpResponseStatus.FORBIDDEN, "Origin not allowed"), true);
        return;
      }
      upgrade(ctx, head);
    } else if (options.rpcPaths().contains(path)) {
      startRpc(ctx, head, method, origin);
    } else if (path.equals(HttpOptions.HEALTH_PATH) && (method.equals(HttpMethod.GET)
        || method.equals(HttpMethod.HEAD))) {
      respond(ctx, sequence, health(), true);
    } else if (options.getPaths().contains(path) && (method.equals(HttpMethod.GET)
        || method.equals(HttpMethod.HEAD))) {
      // Answered by the server, which runs it past its interceptors first (authentication).
      ctx.fireChannelRead(new HttpGet(sequence, path, head.headers()));
    } else if (method.equals(HttpMethod.GET) && options.resources().containsKey(path)) {
      HttpOptions.Resource resource = options.resources().get(path);
      FullHttpResponse response = response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(resource.content()));
      response.headers().set(CONTENT_TYPE, resource.contentType()).set(CONTENT_TYPE_OPTIONS, "nosniff");
      if (resource.contentType().startsWith("text/html")) {
        // A page (the web console) may ask for a token: it runs only its own files, talks only to this server,
        // and no other site may frame it (clickjacking).
        response.headers().set(CONTENT_SECURITY_POLICY, PAGE_POLICY).set(X_FRAME_OPTIONS, "DENY")
            .set(REFERRER_POLICY, "no-referrer");
      }
      respond(ctx, sequence, response, true);
    } else {
      respond(ctx, sequence, text(HttpResponseStatus.NOT_FOUND, "No such path: " + path), true);
    }
  }

  /**
   * 200 while the server takes calls, 503 from the moment it begins to stop: a load balancer that checks it stops
   * sending new connections before the server refuses calls. Never cached: the answer changes.
   */
  private FullHttpResponse health() {
    boolean draining = options.draining().getAsBoolean();
    FullHttpResponse response = response(draining ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
        Unpooled.copiedBuffer(draining ? "{\"status\":\"draining\"}\n" : "{\"status\":\"serving\"}\n",
            StandardCharsets.US_ASCII));
    response.headers().set(CONTENT_TYPE, "application/json");
    response.headers().set(CACHE_CONTROL, "no-store");
    return response;
  }

  private void startRpc(ChannelHandlerContext ctx, HttpRequest head, HttpMethod method, String origin) {
    if (method.equals(HttpMethod.OPTIONS)) {
      respond(ctx, sequence, preflight(head, origin), true);
      return;
    }
    if (!method.equals(HttpMethod.POST)) {
      FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Use POST with a JSON-RPC body");
      response.headers().set(ALLOW, ALLOWED_METHODS);
      respond(ctx, sequence, response, true);
      return;
    }
    if (!isJson(head.headers().get(CONTENT_TYPE)) && !isCurlDefault(head.headers())) {
      respond(ctx, sequence, text(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be " + JSON), true);
      return;
    }
    long declared = HttpUtil.getContentLength(head, -1L);
    if (declared > options.maxMessageBytes()) {
      fail(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body of " + declared + " bytes exceeds the limit of "
          + options.maxMessageBytes());
      return;
    }
    // One growing buffer rather than a composite of the chunks: a body sent in millions of one-byte chunks
    // must not cost a component object per chunk. It starts small whatever Content-Length says and grows
    // with the bytes that arrive: a declared length reserves nothing.
    int initial = declared < 0 ? INITIAL_BODY_BYTES : (int) Math.min(INITIAL_BODY_BYTES, declared);
    body = ctx.alloc().buffer(initial, options.maxMessageBytes());
  }

  private void readContent(ChannelHandlerContext ctx, HttpContent content) {
    if (content.decoderResult().isFailure()) {
      fail(ctx, HttpResponseStatus.BAD_REQUEST, "malformed body: " + content.decoderResult().cause().getMessage());
      return;
    }
    if (body != null && content.content().isReadable()) {
      if (body.readableBytes() + (long) content.content().readableBytes() > options.maxMessageBytes()) {
        fail(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body exceeds the limit of "
            + options.maxMessageBytes() + " bytes");
        return;
      }
      body.writeBytes(content.content());
    }
    if (content instanceof LastHttpContent) {
      inRequest = false;
      if (body != null) {
        ByteBuf call = body;
        body = null;
        ctx.fireChannelRead(new HttpCall(sequence, call, request.headers()));
      }
    }
  }

  /** Why a request's framing cannot be trusted, or null when it can. */
  private static String framingFault(HttpHeaders headers) {
    List<String> codings = headers.getAll(TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return headers.getAll(CONTENT_LENGTH).size() > 1 ? "more than one Content-Length" : null;
    }
    if (headers.contains(CONTENT_LENGTH)) {
      return "both Transfer-Encoding and Content-Length";
    }
    if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
      return "Transfer-Encoding other than chunked: " + codings;
    }
    return null;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    return type.equals(JSON) || type.equals("application/json-rpc");
  }

  /**
   * {@code curl -d} labels its body as a form; such a request from a program (no {@code Origin}) is taken as
   * JSON so that the shortest curl command works. From a browser it is refused: a form post is a "simple"
   * cross-origin request that needs no CORS preflight, which is how JSON-RPC endpoints get forged calls.
   */
  private static boolean isCurlDefault(HttpHeaders headers) {
    String type = headers.get(CONTENT_TYPE);
    return !headers.contains(ORIGIN) && type != null
        && type.trim().equalsIgnoreCase("application/x-www-form-urlencoded");
  }

  private static boolean isWebSocketUpgrade(HttpRequest head) {
    return head.method().equals(HttpMethod.GET)
        && head.headers().containsValue(CONNECTION, HttpHeaderValues.UPGRADE, true)
        && head.headers().contains(UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private FullHttpResponse preflight(HttpRequest head, String origin) {
    if (origin == null) {
      FullHttpResponse response = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
      response.headers().set(ALLOW, ALLOWED_METHODS);
      return response;
    }
    if (!options.allowsOrigin(origin) || !"POST".equalsIgnoreCase(head.headers().get(ACCESS_CONTROL_REQUEST_METHOD))) {
      logRefusal("Refused a cross-origin preflight from origin {} ({})", PeerText.abbreviate(origin),
          PeerText.abbreviate(head.headers().get(ACCESS_CONTROL_REQUEST_METHOD)));
      return text(HttpResponseStatus.FORBIDDEN, "Origin not allowed");
    }
    FullHttpResponse response = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    response.headers()
        .set(ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS)
        .set(ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
        .set(ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECONDS);
    return response;
  }

  private void upgrade(ChannelHandlerContext ctx, HttpRequest head) {
    if (!checkHandshake(ctx, head)) {
      return;
    }
    String scheme = ctx.pipeline().get(SslHandler.class) != null ? "wss://" : "ws://";
    WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(options.maxMessageBytes())
        .expectMaskedFrames(true)
        .allowExtensions(false)
        .closeOnProtocolViolation(true)
        .build();
    // checkHandshake admitted version 13 only.
    WebSocketServerHandshaker handshaker = WebSocketServerHandler.handshaker(
        scheme + head.headers().get(HOST) + options.webSocketPath(), config);
    exchanges.remove(sequence);
    nextToWrite++;
    HttpHeaders upgradeHeaders = head.headers().copy();
    DefaultFullHttpRequest full = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
        Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
    failed = true; // what follows on this channel is WebSocket, read by the handler that replaces this one
    ctx.pipeline().replace(this, "ws", new WebSocketServerHandler(options.maxMessageBytes(), upgradeHeaders));
    handshaker.handshake(ctx.channel(), full).addListener(f -> {
      if (!f.isSuccess()) {
        log.info("WebSocket handshake with {} failed: {}", ctx.channel().remoteAddress(), f.cause().toString());
        ctx.channel().close();
      }
    });
  }

  /**
   * Answers a request without exactly one {@code Host} (RFC 9112 §3.2: 400), or naming a host this server does
   * not answer for (421), and closes its connection; returns whether the request may go on. The check is what
   * makes {@link #isSameOrigin} and CORS sound: a page on a name rebound to this server's address is same-origin
   * for the browser, but names that host.
   */
  private boolean checkHost(ChannelHandlerContext ctx, HttpRequest head) {
    List<String> hosts = head.headers().getAll(HOST);
    if (hosts.isEmpty()) {
      if (head.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        return true; // HTTP/1.0 did not require it, and browsers always send it
      }
      fail(ctx, HttpResponseStatus.BAD_REQUEST, "no Host header");
      return false;
    }
    if (hosts.size() > 1) {
      fail(ctx, HttpResponseStatus.BAD_REQUEST, "more than one Host header");
      return false;
    }
    String host = hosts.get(0);
    if (host.equals(acceptedHost)) {
      return true;
    }
    switch (options.allowedHosts().check(host)) {
      case ACCEPTED:
        acceptedHost = host;
        return true;
      case MALFORMED:
        fail(ctx, HttpResponseStatus.BAD_REQUEST, "malformed Host header: " + PeerText.abbreviate(host));
        return false;
      default:
        // Once per connection at most: fail() stops reading it.
        fail(ctx, HttpResponseStatus.MISDIRECTED_REQUEST, "Host " + PeerText.abbreviate(host)
            + " is not served here (the server's allowedHosts)");
        return false;
    }
  }

  /**
   * Refuses an upgrade that is not a well-formed RFC 6455 handshake before the handshaker sees it: a version
   * other than 13 is answered 426 with the version supported (Netty would also speak the drafts), a
   * {@code Sec-WebSocket-Key} that is not 16 bytes in base64 is 400 and closes. Returns whether to go on.
   */
  private boolean checkHandshake(ChannelHandlerContext ctx, HttpRequest head) {
    List<String> versions = head.headers().getAll(SEC_WEBSOCKET_VERSION);
    if (versions.size() != 1 || !versions.get(0).trim().equals(WEBSOCKET_VERSION)) {
      logRefusal("Refused a WebSocket upgrade from {}: version {}", ctx.channel().remoteAddress(),
          PeerText.abbreviate(versions.toString()));
      FullHttpResponse response = text(HttpResponseStatus.UPGRADE_REQUIRED,
          "Only WebSocket version " + WEBSOCKET_VERSION + " is supported");
      response.headers().set(SEC_WEBSOCKET_VERSION, WEBSOCKET_VERSION);
      respond(ctx, sequence, response, true);
      return false;
    }
    List<String> keys = head.headers().getAll(SEC_WEBSOCKET_KEY);
    if (keys.size() != 1 || !isWebSocketKey(keys.get(0).trim())) {
      fail(ctx, HttpResponseStatus.BAD_REQUEST, "Sec-WebSocket-Key must be 16 bytes in base64");
      return false;
    }
    return true;
  }

  /** RFC 6455 §4.2.1: a nonce of 16 bytes in base64, so exactly 24 characters with their padding. */
  private static boolean isWebSocketKey(String key) {
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  private void logRefusal(String message, Object... arguments) {
    if (!refusalLogged) {
      refusalLogged = true;
      log.info(message, arguments);
    }
  }

  /** Whether a page from {@code origin} was served by this server, reached as {@code host}. */
  private static boolean isSameOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    int scheme = origin.indexOf("://");
    return scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
  }

  /** Answers a fault that leaves the stream untrustworthy, then closes once the earlier responses are out. */
  private void fail(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
    log.info("Closing HTTP connection from {}: {} ({})", ctx.channel().remoteAddress(), status, reason);
    failed = true;
    inRequest = false;
    if (body != null) {
      body.release();
      body = null;
    }
    exchanges.put(sequence, new Exchange(false, null, request != null && request.method().equals(HttpMethod.HEAD)));
    respond(ctx, sequence, text(status, reason), true);
    ctx.channel().config().setAutoRead(false);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof HttpReply reply)) {
      ctx.write(msg, promise);
      return;
    }
    if (!ctx.channel().isActive()) {
      reply.release(); // the peer left before its call completed
      promise.trySuccess();
      return;
    }
    FullHttpResponse response;
    if (reply.status() != 0) {
      response = response(HttpResponseStatus.valueOf(reply.status()), reply.content());
      response.headers().set(CONTENT_TYPE, reply.contentType());
      response.headers().set(CACHE_CONTROL, "no-store");
    } else if (reply.isEmpty()) {
      reply.release();
      response = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    } else {
      response = response(HttpResponseStatus.OK, reply.content());
      response.headers().set(CONTENT_TYPE, JSON);
    }
    respond(ctx, reply.sequence(), response, false);
  }

  /**
   * Writes {@code response} when its request's turn comes, with the connection and CORS headers its request
   * asked for; flushes when the write does not come from the outbound path (which flushes on its own).
   */
  private void respond(ChannelHandlerContext ctx, long seq, FullHttpResponse response, boolean flush) {
    early.put(seq, response);
    boolean wrote = false;
    for (FullHttpResponse next; (next = early.remove(nextToWrite)) != null; ) {
      Exchange exchange = exchanges.remove(nextToWrite);
      nextToWrite++;
      wrote = true;
      boolean keepAlive = exchange != null && exchange.keepAlive();
      if (exchange != null && exchange.corsOrigin() != null) {
        next.headers().set(ACCESS_CONTROL_ALLOW_ORIGIN, exchange.corsOrigin()).set(VARY, ORIGIN);
      }
      HttpUtil.setKeepAlive(next, keepAlive);
      if (exchange != null && exchange.head()) {
        // The head of the response only; without Content-Length too, which a HEAD answer may leave out.
        FullHttpResponse headersOnly = next.replace(Unpooled.EMPTY_BUFFER);
        headersOnly.headers().remove(CONTENT_LENGTH);
        next.release();
        next = headersOnly;
      }
      if (keepAlive) {
        ctx.write(next, ctx.voidPromise());
      } else {
        ctx.writeAndFlush(next).addListener(ChannelFutureListener.CLOSE);
        releaseEarly();
        return;
      }
    }
    if (wrote && flush) {
      ctx.flush();
    }
  }

  private void releaseEarly() {
    early.values().forEach(ReferenceCountUtil::release);
    early.clear();
  }

  private static FullHttpResponse response(HttpResponseStatus status, ByteBuf content) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    if (status.code() != HttpResponseStatus.NO_CONTENT.code()) {
      response.headers().setInt(CONTENT_LENGTH, content.readableBytes());
    }
    return response;
  }

  private static FullHttpResponse text(HttpResponseStatus status, String message) {
    FullHttpResponse response = response(status,
        Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    response.headers().set(CONTENT_TYPE, "text/plain; charset=utf-8");
    return response;
  }

  /** On upgrade to WebSocket: what waited was cut as HTTP from bytes that were not. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseWaiting();
  }

  private void releaseWaiting() {
    waiting.forEach(ReferenceCountUtil::release);
    waiting.clear();
    waitingBytes = 0;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseWaiting();
    releaseEarly();
    if (body != null) {
      body.release();
      body = null;
    }
    super.channelInactive(ctx);
  }
}
