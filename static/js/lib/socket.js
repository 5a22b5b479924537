// The one WebSocket of this tab (ARCHITECTURE.md, "Real time"): every feature subscribes to
// its streams here instead of opening a socket of its own, because server processes are
// bounded by connections. The socket opens on the first subscribe, reconnects with
// exponential backoff and jitter (so a restarted server is not hit by every tab at once),
// subscribes again to everything after a reconnect, and pings so a silently dead connection
// is noticed. Events carry whole values (counters, not deltas), so the next one after a
// reconnect corrects whatever was missed; a feature that must see every event (notifications)
// gets the event "subscribed" (data null) when the server first confirms its stream and
// "resumed" when it confirms it again after a reconnect, and asks the API for what it missed.
const PING_EVERY = 25000; // ms; under the usual 60 s idle timeout of proxies
const BACKOFF_FIRST = 1000;
const BACKOFF_MAX = 30000;
const CLOSE_UNAUTHENTICATED = 4401; // signed out: reconnecting would not help

const handlers = new Map(); // stream -> Set of handler(event, data)
const confirmed = new Set(); // streams the server has confirmed at least once
const resuming = new Set(); // streams re-subscribed after a reconnect, awaiting confirmation
let socket = null;
let failures = 0;
let pinger = null;
let awaitingPong = false;
let retry = null;

function url() {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/ws/`;
}

function send(frame) {
  // While closed nothing is sent: opening subscribes to all streams held at that moment.
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function receive(message) {
  let frame;
  try {
    frame = JSON.parse(message.data);
  } catch {
    return;
  }
  awaitingPong = false;
  if (frame.op === 'hello') {
    failures = 0;
  } else if (frame.op === 'subscribed') {
    // Events sent before the stream was confirmed (between the page's rendering and the first
    // subscription, or while the socket was down) are lost: tell its features, so those that
    // must see every event ask the API ("subscribed" the first time, "resumed" after that).
    const event = !confirmed.has(frame.stream) ? 'subscribed' : resuming.delete(frame.stream) && 'resumed';
    confirmed.add(frame.stream);
    if (event) handlers.get(frame.stream)?.forEach((handler) => handler(event, null));
  } else if (frame.op === 'event') {
    handlers.get(frame.stream)?.forEach((handler) => handler(frame.event, frame.data));
  } else if (frame.op === 'error' && frame.stream) {
    // Refused or taken away (not visible, blocked, too many streams): do not ask again.
    handlers.delete(frame.stream);
    confirmed.delete(frame.stream);
    resuming.delete(frame.stream);
  }
}

function heartbeat() {
  if (awaitingPong) {
    socket?.close(); // no answer since the last ping: the connection is gone
    return;
  }
  awaitingPong = true;
  send({ op: 'ping' });
}

function scheduleReconnect() {
  const ceiling = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** failures);
  failures += 1;
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  retry = window.setTimeout(open, delay);
}

function open() {
  window.clearTimeout(retry);
  retry = null;
  socket = new WebSocket(url());
  socket.addEventListener('open', () => {
    awaitingPong = false;
    pinger = window.setInterval(heartbeat, PING_EVERY);
    resuming.clear();
    handlers.forEach((_, stream) => {
      if (confirmed.has(stream)) resuming.add(stream);
      send({ op: 'subscribe', stream });
    });
  });
  socket.addEventListener('message', receive);
  socket.addEventListener('close', (event) => {
    window.clearInterval(pinger);
    socket = null;
    if (event.code !== CLOSE_UNAUTHENTICATED && handlers.size > 0) scheduleReconnect();
  });
}

function ensureOpen() {
  if (socket === null && retry === null) open();
}

// Back online: try at once instead of waiting out the backoff.
window.addEventListener('online', () => {
  if (retry !== null) {
    failures = 0;
    open();
  }
});

/** Call handler(event, data) for each event on `stream`; returns a function that stops it. */
export function subscribe(stream, handler) {
  if (!handlers.has(stream)) {
    handlers.set(stream, new Set());
    send({ op: 'subscribe', stream });
  }
  handlers.get(stream).add(handler);
  ensureOpen();
  return () => unsubscribe(stream, handler);
}

/** Stop `handler` (or, without one, every handler) on `stream`. */
export function unsubscribe(stream, handler) {
  const streamHandlers = handlers.get(stream);
  if (!streamHandlers) return;
  if (handler) streamHandlers.delete(handler);
  else streamHandlers.clear();
  if (streamHandlers.size === 0) {
    handlers.delete(stream);
    confirmed.delete(stream);
    resuming.delete(stream);
    send({ op: 'unsubscribe', stream });
  }
}
