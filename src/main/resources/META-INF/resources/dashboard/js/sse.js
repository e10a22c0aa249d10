// The live feed, /v1/events/stream, read with fetch(): EventSource cannot send the Authorization
// header. Parses server-sent events from the response body, remembers the last `id:`, and
// reconnects on its own with `Last-Event-ID` (exponential backoff with jitter), so no event is
// missed across a dropped connection.

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
// The server sends a keep-alive comment every 15 s; silence for this long means a dead connection.
const IDLE_TIMEOUT_MS = 45000;

/** Incremental parser of the text/event-stream format (WHATWG HTML, "Server-sent events"). */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.reset();
    this.lastEventId = null;
  }

  reset() {
    this.data = [];
    this.type = '';
  }

  /** Feeds a decoded chunk; complete lines are processed, a partial line waits for the next chunk. */
  push(chunk) {
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return; // comment (keep-alive)
    const colon = line.indexOf(':');
    let name = line;
    let value = '';
    if (colon >= 0) {
      name = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    }
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.type = value;
    else if (name === 'id' && !value.includes('\0')) this.lastEventId = value;
    // `retry` is ignored: we keep our own backoff.
  }

  dispatch() {
    if (this.data.length === 0) {
      this.reset();
      return;
    }
    const event = { id: this.lastEventId, type: this.type || 'message', data: this.data.join('\n') };
    this.reset();
    this.onEvent(event);
  }
}

/**
 * A self-healing subscription. `getKey()` gives the current API key; `onEvent({id, type, data})`
 * gets each event with `data` parsed from JSON; `onState(state)` hears 'connecting', 'live',
 * 'reconnecting' or 'stopped'; `onUnauthorized()` is called on 401, after which it stops.
 */
export class LiveFeed {
  constructor({ url = '/v1/events/stream', getKey, onEvent, onState = () => {}, onUnauthorized = () => {} }) {
    Object.assign(this, { url, getKey, onEvent, onState, onUnauthorized });
    this.lastEventId = null;
    this.controller = null;
    this.running = false;
    this.delay = FIRST_DELAY_MS;
    this.timer = null;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.onState('stopped');
  }

  async connect() {
    if (!this.running) return;
    this.onState(this.lastEventId === null ? 'connecting' : 'reconnecting');
    const controller = new AbortController();
    this.controller = controller;
    const key = this.getKey();
    const headers = { Accept: 'text/event-stream' };
    if (key) headers.Authorization = `Bearer ${key}`;
    if (this.lastEventId !== null) headers['Last-Event-ID'] = this.lastEventId;
    let idle = null;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(), IDLE_TIMEOUT_MS);
    };
    try {
      const response = await fetch(this.url, { headers, signal: controller.signal, cache: 'no-store', credentials: key ? 'omit' : 'same-origin' });
      if (response.status === 401) {
        this.running = false;
        this.onState('stopped');
        this.onUnauthorized();
        return;
      }
      if (!response.ok || !response.body) throw new Error(`feed answered ${response.status}`);
      this.delay = FIRST_DELAY_MS;
      this.onState('live', { resumed: this.lastEventId !== null });
      const parser = new SseParser((e) => this.deliver(e));
      parser.lastEventId = this.lastEventId;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      touch();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        touch();
        parser.push(value);
        this.lastEventId = parser.lastEventId;
      }
    } catch (e) {
      // Network failure, abort or idle timeout: fall through to the reconnect below.
    } finally {
      clearTimeout(idle);
    }
    if (!this.running || this.controller !== controller) return;
    this.onState('reconnecting');
    const wait = this.delay * (0.8 + Math.random() * 0.4);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  deliver(event) {
    let data = null;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      data = null;
    }
    try {
      this.onEvent({ id: event.id, type: event.type, data });
    } catch (e) {
      // A listener's failure must not break the feed.
      console.error(e);
    }
  }
}
