/** A scripted local HTTP server standing in for the service in unit tests. */

import { createServer, IncomingHttpHeaders, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** `answer(seen, n)` returns [status, JSON body, headers]; or handles `response` itself and returns undefined. */
export type Answer = (seen: Seen, n: number, response: ServerResponse) => [number, unknown?, Record<string, string>?] | undefined;

export function problem(status: number, kind: string, title: string, extra: Record<string, unknown> = {}): [number, unknown, Record<string, string>] {
  return [status, { type: `https://agentsecretstore.dev/problems/${kind}`, title, status, ...extra }, { "content-type": "application/problem+json" }];
}

export class StubServer {
  readonly seen: Seen[] = [];
  url = "";
  readonly #server;

  constructor(answer: Answer) {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const seen = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString() };
        this.seen.push(seen);
        const reply = answer(seen, this.seen.length, response);
        if (!reply) return;
        const [status, body, headers] = reply;
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
