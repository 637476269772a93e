import * as grpc from '@grpc/grpc-js';
import type { DescMethod } from '@bufbuild/protobuf';

/** How one fuzzed call ended: the gRPC status the server (or the deadline) gave it. */
export interface CallOutcome {
  readonly code: grpc.status;
  readonly details: string;
  readonly ms: number;
}

const identity = (b: Buffer): Buffer => b;
// Server-streaming answers are drained up to this many messages, so a stream that never ends is cut.
const streamMessagesMax = 64;

/** Calls `method` with request frames that are already encoded (or not protobuf at all). */
export function rawCall(
  client: grpc.Client,
  method: DescMethod,
  frames: readonly Uint8Array[],
  deadlineMs: number,
): Promise<CallOutcome> {
  const path = `/${method.parent.typeName}/${method.name}`;
  const started = Date.now();
  const options = { deadline: Date.now() + deadlineMs };
  const first = Buffer.from(frames[0] ?? new Uint8Array(0));
  return new Promise((resolve) => {
    const finish = (code: grpc.status, details: string): void =>
      resolve({ code, details, ms: Date.now() - started });
    const onStatus = (s: grpc.StatusObject): void => finish(s.code, s.details);
    switch (method.methodKind) {
      case 'unary':
        client.makeUnaryRequest(path, identity, identity, first, new grpc.Metadata(), options, (error) =>
          error ? finish(error.code ?? grpc.status.UNKNOWN, error.details) : finish(grpc.status.OK, ''),
        );
        return;
      case 'server_streaming': {
        const call = client.makeServerStreamRequest(
          path,
          identity,
          identity,
          first,
          new grpc.Metadata(),
          options,
        );
        drain(call);
        call.on('status', onStatus);
        return;
      }
      default: {
        const call = client.makeBidiStreamRequest(path, identity, identity, new grpc.Metadata(), options);
        drain(call);
        call.on('status', onStatus);
        for (const frame of frames) call.write(Buffer.from(frame));
        call.end();
      }
    }
  });
}

function drain(call: grpc.ClientReadableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>): void {
  let seen = 0;
  call.on('data', () => {
    if (++seen >= streamMessagesMax) call.cancel();
  });
  call.on('error', () => undefined);
}
