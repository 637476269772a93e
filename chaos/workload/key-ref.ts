/** A partition of the workload's topic, with its name in the history (`topic/partition`). */
export interface KeyRef {
  readonly topic: string;
  readonly partition: number;
  readonly name: string;
}

export function keyRef(topic: string, partition: number): KeyRef {
  return { topic, partition, name: `${topic}/${partition}` };
}
