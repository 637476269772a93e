import { Server, ServerCredentials } from '@grpc/grpc-js';

export interface ServerOptions {
  /** Largest message the server accepts or sends, in bytes; larger ones fail with RESOURCE_EXHAUSTED. */
  messageBytesMax?: number;
}

export function createServer(options: ServerOptions = {}): Server {
  const limit = options.messageBytesMax ?? 16 * 1024 * 1024;
  return new Server({ 'grpc.max_receive_message_length': limit, 'grpc.max_send_message_length': limit });
}

/** Binds insecurely (loopback and in-cluster traffic) and resolves with the bound port. */
export function listen(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    );
  });
}
