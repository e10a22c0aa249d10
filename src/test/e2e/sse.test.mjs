// The dashboard's live-feed client (dashboard/js/sse.js), run in Node against a small SSE server
// that drops the connection: it must parse the stream, then reconnect on its own with the last
// event id in Last-Event-ID, so nothing is missed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { SseParser, LiveFeed } from '../../main/resources/META-INF/resources/dashboard/js/sse.js';

test('the parser handles CRLF, split chunks, comments, multi-line data and ids', () => {
  const events = [];
  const parser = new SseParser((e) => events.push(e));
  parser.push(': keep-alive\r\n\r\nid: 7\r');
  parser.push('\nevent: approval.requested\ndata: {"a":');
  parser.push('1}\n\nid: 8\ndata: line one\ndata: line two\n\n');
  parser.push('data: no id here\n');
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], { id: '7', type: 'approval.requested', data: '{"a":1}' });
  assert.deepEqual(events[1], { id: '8', type: 'message', data: 'line one\nline two' });
  parser.push('\n');
  assert.deepEqual(events[2], { id: '8', type: 'message', data: 'no id here' }, 'the last id carries over');
});

test('the feed reconnects on its own after a drop and resumes with Last-Event-ID', async () => {
  const seen = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    connections += 1;
    seen.push({ auth: req.headers.authorization, lastEventId: req.headers['last-event-id'] ?? null });
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    if (connections === 1) {
      res.write('id: 41\nevent: approval.requested\ndata: {"approval_request_id":"apr_1"}\n\n');
      res.write('id: 42\nevent: approval.progress\ndata: {"approval_request_id":"apr_1"}\n\n');
      // Drop the connection without ending the stream properly.
      setTimeout(() => res.socket.destroy(), 50);
    } else {
      res.write(': keep-alive\n\nid: 43\nevent: approval.approved\ndata: {"approval_request_id":"apr_1"}\n\n');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const received = [];
  const states = [];
  let feed;
  try {
    const got43 = new Promise((resolve) => {
      feed = new LiveFeed({
        url: `http://127.0.0.1:${server.address().port}/v1/events/stream`,
        getKey: () => 'ass_TestKey',
        onEvent: (e) => {
          received.push(`${e.id} ${e.type} ${e.data.approval_request_id}`);
          if (e.id === '43') resolve();
        },
        onState: (s) => states.push(s),
      });
      feed.start();
    });
    await Promise.race([got43, new Promise((_, reject) => setTimeout(() => reject(new Error('no event 43 within 5 s')), 5000))]);
  } finally {
    feed.stop();
    server.closeAllConnections();
    server.close();
  }
  assert.deepEqual(received, ['41 approval.requested apr_1', '42 approval.progress apr_1', '43 approval.approved apr_1']);
  assert.deepEqual(seen, [
    { auth: 'Bearer ass_TestKey', lastEventId: null },
    { auth: 'Bearer ass_TestKey', lastEventId: '42' },
  ]);
  assert.deepEqual(states.slice(0, 4), ['connecting', 'live', 'reconnecting', 'reconnecting']);
  assert.ok(states.includes('live'));
});
