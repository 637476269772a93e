import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiErrors, type ApiError } from './api-error.js';

export interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly contentType?: string;
}

/** Request bodies are a few proxies or one toxic; anything far larger is a mistake. */
const bodyBytesMax = 4 * 1024 * 1024;

export function jsonReply(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: 'application/json' };
}

/** Go's http.Error appends a newline to the JSON error. */
export function errorReply(error: ApiError): Reply {
  const body = `${JSON.stringify({ error: error.message, status: error.status })}\n`;
  return { status: error.status, body, contentType: 'application/json' };
}

export function textReply(status: number, text: string): Reply {
  return { status, body: text, contentType: 'text/plain; charset=utf-8' };
}

export const noContent: Reply = { status: 204 };

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > bodyBytesMax) throw apiErrors.badRequestBody('too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function send(response: ServerResponse, reply: Reply): void {
  if (reply.contentType !== undefined) response.setHeader('Content-Type', reply.contentType);
  response.statusCode = reply.status;
  response.end(reply.body);
}
