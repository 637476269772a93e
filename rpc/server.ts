import { Server, ServerCredentials, type ChannelOptions, type ServerInterceptor } from '@grpc/grpc-js';
import type { Clock } from '../lib/index.js';
import { receiveWindowsDefault, widenReceiveWindows, type ReceiveWindows } from './receive-windows.js';
import { ResponseBudgets } from './response-budget.js';
import { responseBudgetInterceptor } from './response-budget-interceptor.js';
import { wireClock } from './wire-clock.js';

export const messageBytesMaxDefault = 16 * 1024 * 1024;
/** Four streams' worth of the largest fetch answers (8 MiB): a push being sent and one read ahead each. */
export const responseBytesPerConnectionMaxDefault = 64 * 1024 * 1024;
/**
 * Eight connections' full budgets, 64 of the largest fetch answers: a quarter of the 2 GiB a node
 * gets in deploy/k8s, where 1,024 connections at 64 MiB each would be 64 GiB.
 */
export const responseBytesPerNodeMaxDefault = 512 * 1024 * 1024;

export interface ServerOptions {
  /** Largest request accepted, in bytes; grpc-js refuses larger ones with RESOURCE_EXHAUSTED. */
  readonly receiveMessageBytesMax?: number;
  /** Largest response sent, in bytes. */
  readonly sendMessageBytesMax?: number;
  /** Anything else grpc-js understands (keepalive, concurrent streams...). */
  readonly channelOptions?: ChannelOptions;
  /** Run on every call before its handler (a listener's authentication, for instance). */
  readonly interceptors?: ServerInterceptor[];
  /** HTTP/2 flow-control windows granted to senders (receive-windows.ts); receiveWindowsDefault when absent. */
  readonly receiveWindows?: ReceiveWindows;
  /**
   * The ledgers of response bytes held per connection, and for the node when given one, that handlers
   * reserve from (response-budget.ts); responseBytesPerConnectionMaxDefault each, with no node-wide
   * limit, when absent.
   */
  readonly responseBudgets?: ResponseBudgets;
}

export function createServer(options: ServerOptions = {}): Server {
  const server = new Server({
    'grpc.max_receive_message_length': options.receiveMessageBytesMax ?? messageBytesMaxDefault,
    'grpc.max_send_message_length': options.sendMessageBytesMax ?? messageBytesMaxDefault,
    ...options.channelOptions,
    interceptors: [
      responseBudgetInterceptor(
        options.responseBudgets ?? new ResponseBudgets(responseBytesPerConnectionMaxDefault),
      ),
      ...(options.interceptors ?? []),
    ],
  });
  widenReceiveWindows(server, options.receiveWindows ?? receiveWindowsDefault);
  return server;
}

/** Binds without TLS (loopback and in-cluster traffic) and resolves with the bound port. */
export function listen(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    );
  });
}

/** Stops accepting calls and waits for the running ones, then forces whatever is left after graceMs. */
export function shutdown(server: Server, graceMs: number, clock: Clock = wireClock): Promise<void> {
  return new Promise((resolve) => {
    const force = clock.after(graceMs, () => server.forceShutdown());
    server.tryShutdown(() => {
      force.cancel();
      resolve();
    });
  });
}
