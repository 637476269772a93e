import { ServerInterceptingCall, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import { unlimitedCallBudget, type CallBudget, type ResponseBudgets } from './response-budget.js';

/** Each call's budget, found by its request metadata (the object its handler is given). */
const budgetOfCall = new WeakMap<Metadata, CallBudget>();

/**
 * Gives every call a budget on its connection's ledger and tells it when the call is over: at its
 * status, which grpc-js sends only after the last message's write completed (so a unary answer a
 * client does not read keeps its bytes held), or at its cancellation. The adapter tells it when the
 * handler returned (call-context.ts).
 */
export function responseBudgetInterceptor(budgets: ResponseBudgets): ServerInterceptor {
  return (_method, call) => {
    const info = call.getConnectionInfo();
    const budget = budgets.forCall(connectionKey(info.remoteAddress, info.remotePort, info.localPort));
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, proceed) => {
            budgetOfCall.set(metadata, budget);
            proceed(metadata);
          },
          onCancel: () => budget.callEnded(),
        });
      },
      sendStatus: (status, next) => {
        budget.callEnded();
        next(status);
      },
    });
  };
}

/** Names one TCP connection of a listener, alike for grpc-js's view of it and the socket's own. */
export function connectionKey(
  remoteAddress: string | undefined,
  remotePort: number | undefined,
  localPort: number | undefined,
): string {
  return `${remoteAddress}:${remotePort}>${localPort}`;
}

/** The budget the interceptor gave the call with this metadata; unlimited on a server without one. */
export function callBudgetOf(metadata: Metadata): CallBudget {
  return budgetOfCall.get(metadata) ?? unlimitedCallBudget;
}
