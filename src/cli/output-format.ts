import type { ClusterStatus, ConsumerRecord, RecordAck } from '../client/index.js';

const text = new TextDecoder();
/** Record bytes as UTF-8 text, as every command prints keys and values. */
export const asText = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : text.decode(bytes);

/** `--json`: {"partition","offset"}; else `partition:offset`. */
export function formatAck(ack: RecordAck, json: boolean): string {
  return json
    ? JSON.stringify({ partition: ack.partition, offset: ack.offset })
    : `${ack.partition}:${ack.offset}`;
}

/** `--json`: one object per record with key and value as UTF-8 text; else the value alone. */
export function formatRecord(record: ConsumerRecord, json: boolean): string {
  if (!json) return asText(record.value) ?? '';
  return JSON.stringify({
    partition: record.partition,
    offset: record.offset,
    key: asText(record.key),
    value: asText(record.value),
    timestamp: record.timestampMs,
  });
}

export function statusJson(status: ClusterStatus): string {
  return JSON.stringify({
    controller: { leader: status.controller.leader, term: status.controller.term },
    activeVersion: status.activeVersion,
    nodes: status.nodes.map((n) => ({
      id: n.id,
      address: n.address,
      alive: n.alive,
      logicalVersion: n.logicalVersion,
      ...(n.metricsUrl === '' ? {} : { metricsUrl: n.metricsUrl }),
    })),
    partitions: status.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      leader: p.leader,
      term: p.term,
      replicas: p.replicas,
      inSync: p.inSync,
      commitIndex: p.commitIndex,
      highWatermark: p.highWatermark,
    })),
  });
}

export function statusTable(status: ClusterStatus): string[] {
  const c = status.controller;
  const lines = [
    `controller: leader ${c.leader === 0 ? 'none' : c.leader}, term ${c.term}`,
    `active version: ${status.activeVersion === 0 ? 'unknown' : status.activeVersion}`,
    '',
  ];
  lines.push(
    ...table(
      ['NODE', 'ADDRESS', 'ALIVE', 'REPLICAS', 'LEADERS', 'VERSION'],
      status.nodes.map((n) => [
        String(n.id),
        n.address,
        n.alive ? 'yes' : 'NO',
        String(n.replicas),
        String(n.leaders),
        n.logicalVersion === 0 ? '?' : String(n.logicalVersion),
      ]),
    ),
  );
  if (status.partitions.length > 0) {
    lines.push('');
    lines.push(
      ...table(
        ['TOPIC', 'PARTITION', 'LEADER', 'TERM', 'REPLICAS', 'IN-SYNC', 'COMMIT', 'HW'],
        status.partitions.map((p) => [
          p.topic,
          String(p.partition),
          p.leader === 0 ? (p.error ?? 'none') : String(p.leader),
          String(p.term),
          p.replicas.join(','),
          p.inSync.join(','),
          String(p.commitIndex),
          String(p.highWatermark),
        ]),
      ),
    );
  }
  return lines;
}

/** Left-aligned columns two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
