import type { Socket } from 'node:net';
import type { Prng } from '../../../lib/index.js';
import { Pipeline } from './pipeline.js';
import type { EndKind } from './stage.js';
import type { Stream, Toxic } from './toxic.js';

export interface ConnectionEnv {
  readonly prng: Prng;
  /** Bytes one direction may hold before its source is paused. */
  readonly bytesMax: number;
  onClosed(connection: Connection): void;
  onPressure?(stream: Stream, paused: boolean): void;
}

/**
 * A client connection and its upstream connection, joined by two pipelines. Half-closes pass
 * through; a socket error, a toxic's close or reset, or `close()` ends both sockets.
 */
export class Connection {
  private readonly pipelines: Readonly<Record<Stream, Pipeline>>;
  private closed = false;

  /** Both sockets must be connected, with error listeners, and not yet reading. */
  constructor(
    private readonly client: Socket,
    private readonly server: Socket,
    toxics: readonly Toxic[],
    private readonly env: ConnectionEnv,
  ) {
    this.pipelines = {
      upstream: this.join(client, server, 'upstream', toxics),
      downstream: this.join(server, client, 'downstream', toxics),
    };
    for (const socket of [client, server]) {
      socket.on('error', () => this.close());
      socket.on('close', () => {
        if (client.destroyed && server.destroyed) this.close();
      });
      socket.resume();
    }
  }

  addToxic(toxic: Toxic): void {
    this.pipelines[toxic.stream].add(toxic);
  }

  updateToxic(toxic: Toxic): void {
    this.pipelines[toxic.stream].update(toxic);
  }

  removeToxic(toxic: Toxic): void {
    this.pipelines[toxic.stream].remove(toxic.name);
  }

  heldBytes(stream: Stream): number {
    return this.pipelines[stream].heldBytes();
  }

  /** Closes both sockets (a FIN, or an RST where unread bytes remain, as closing a socket does). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipelines.upstream.dispose();
    this.pipelines.downstream.dispose();
    this.client.destroy();
    this.server.destroy();
    this.env.onClosed(this);
  }

  private reset(): void {
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      socket.resetAndDestroy();
    }
    this.close();
  }

  private join(source: Socket, dest: Socket, stream: Stream, toxics: readonly Toxic[]): Pipeline {
    const pipeline = new Pipeline(
      source,
      dest,
      toxics.filter((toxic) => toxic.stream === stream),
      {
        prng: this.env.prng,
        bytesMax: this.env.bytesMax,
        onEnd: (kind) => this.onEnd(dest, kind),
        onPressure: (paused) => this.env.onPressure?.(stream, paused),
      },
    );
    source.on('data', (chunk: Buffer) => pipeline.write(chunk));
    source.on('end', () => pipeline.end());
    return pipeline;
  }

  private onEnd(dest: Socket, kind: EndKind): void {
    switch (kind) {
      case 'eof':
        dest.end();
        return;
      case 'close':
        // Toxiproxy closes the whole connection once a toxic has closed one direction.
        dest.end(() => this.close());
        return;
      case 'reset':
        this.reset();
        return;
    }
  }
}
