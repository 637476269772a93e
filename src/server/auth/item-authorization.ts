import type { RaftlogError } from '../../../lib/index.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../../../proto/gen/raftlog/v1/admin_pb.js';
import { errorDetail } from '../services/error-detail.js';

/**
 * A batch call authorized item by item, as Kafka's CreateTopics is: an item the principal may not
 * touch gets AUTHORIZATION_FAILED in its own result, the others are served.
 */
export interface ItemAuthorization {
  /**
   * Calls `serve` with the items `refusal` admits (undefined) and merges the refusals of the rest
   * into its answer, in request order; `serve` is not called when none is admitted.
   */
  readonly call: (
    request: never,
    serve: (request: unknown) => Promise<unknown>,
    refusal: (topic: string) => RaftlogError | undefined,
  ) => Promise<unknown>;
}

const createTopics: ItemAuthorization = {
  call: async (
    request: CreateTopicsRequest,
    serve: (request: unknown) => Promise<unknown>,
    refusal: (topic: string) => RaftlogError | undefined,
  ) => {
    const refused = request.topics.map((t) => refusal(t.name));
    const admitted = request.topics.filter((_, i) => refused[i] === undefined);
    const served =
      admitted.length === 0
        ? { results: [] }
        : ((await serve({ ...request, topics: admitted })) as Pick<CreateTopicsResponse, 'results'>);
    const results = served.results[Symbol.iterator]();
    return {
      ...served,
      results: request.topics.map((t, i) => {
        const error = refused[i];
        return error === undefined ? results.next().value : { name: t.name, error: errorDetail(error) };
      }),
    };
  },
};

/** Methods whose items are authorized one by one; each needs only authentication as a whole. */
export const itemAuthorizations: Record<string, ItemAuthorization> = { createTopics };
