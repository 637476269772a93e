import { InterceptingCall, type Interceptor, type Metadata } from '@grpc/grpc-js';

export type CallHeaders = () => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;

/**
 * Adds headers to every call of a client (credentials, mostly), computed when each call starts and
 * possibly awaited (a token being renewed). A header the call already sets is left alone. If the
 * headers cannot be had, the call goes without them and the server answers as it sees fit.
 */
export function headersInterceptor(headers: CallHeaders): Interceptor {
  const add = (metadata: Metadata, values: Readonly<Record<string, string>>): Metadata => {
    for (const [key, value] of Object.entries(values)) {
      if (metadata.get(key).length === 0) metadata.set(key, value);
    }
    return metadata;
  };
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        let values: ReturnType<CallHeaders>;
        try {
          values = headers();
        } catch {
          next(metadata, listener);
          return;
        }
        // Headers at hand start the call at once; only a pending renewal defers it.
        if (!(values instanceof Promise)) {
          next(add(metadata, values), listener);
          return;
        }
        values.then(
          (values) => next(add(metadata, values), listener),
          () => next(metadata, listener),
        );
      },
    });
}
