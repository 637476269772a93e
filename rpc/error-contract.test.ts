import { readFileSync } from 'node:fs';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  errorCodes,
  isRetriable,
  OffsetOutOfRangeError,
  RaftlogError,
  type ErrorCode,
} from '../lib/index.js';
import { ErrorCode as ProtoErrorCode } from '../proto/gen/raftlog/v1/errors_pb.js';
import { fromServiceError, toServiceError } from './status-mapping.js';

const libCodes = Object.keys(errorCodes) as ErrorCode[];

function grpcError(code: status, details: string, metadata = new Metadata()): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata });
}

describe('the error contract', () => {
  it('names exactly the codes of lib in the proto enum, in the same order', () => {
    const protoNames = Object.keys(ProtoErrorCode).filter((k) => Number.isNaN(Number(k)));
    expect(protoNames[0]).toBe('UNSPECIFIED');
    expect(ProtoErrorCode.UNSPECIFIED).toBe(0);
    expect(protoNames.slice(1)).toEqual(libCodes);
  });

  it('documents each code in errors.proto with the retriable flag lib gives it', () => {
    const source = readFileSync(new URL('../proto/raftlog/v1/errors.proto', import.meta.url), 'utf8');
    const documented = new Map<string, boolean>();
    for (const m of source.matchAll(/Retriable: (yes|no)\.\n\s*ERROR_CODE_([A-Z_]+) = \d+;/g)) {
      documented.set(m[2]!, m[1] === 'yes');
    }
    expect(documented.size).toBe(libCodes.length);
    for (const code of libCodes) expect([code, documented.get(code)]).toEqual([code, isRetriable(code)]);
  });

  it('sends every code under its gRPC status and reads it back unchanged', () => {
    for (const code of libCodes) {
      const sent = toServiceError(new RaftlogError(code, `m-${code}`, { leaderHint: 'h:1' }));
      expect(sent.code).toBe(status[errorCodes[code].grpc]);
      expect(sent.metadata.get('raftlog-retriable')).toEqual([String(isRetriable(code))]);
      const back = fromServiceError(sent);
      expect([back.code, back.retriable, back.leaderHint, back.message]).toEqual([
        code,
        isRetriable(code),
        'h:1',
        `m-${code}`,
      ]);
    }
  });

  it('maps statuses that carry no raftlog code', () => {
    const cases: [status, string, ErrorCode][] = [
      [status.UNAVAILABLE, 'No connection established', 'UNAVAILABLE'],
      [status.DEADLINE_EXCEEDED, 'Deadline exceeded', 'TIMEOUT'],
      [status.CANCELLED, 'Cancelled on client', 'CANCELLED'],
      [status.RESOURCE_EXHAUSTED, 'Received message larger than max (9 vs. 4)', 'MESSAGE_TOO_LARGE'],
      [status.RESOURCE_EXHAUSTED, 'Too many streams', 'RESOURCE_EXHAUSTED'],
      [status.DATA_LOSS, 'x', 'CORRUPTION'],
      [status.ABORTED, 'x', 'UNKNOWN'],
      [status.PERMISSION_DENIED, 'x', 'AUTHORIZATION_FAILED'],
      [status.UNAUTHENTICATED, 'x', 'AUTHENTICATION_FAILED'],
    ];
    for (const [code, details, expected] of cases) {
      expect([details, fromServiceError(grpcError(code, details)).code]).toEqual([details, expected]);
    }
    expect(fromServiceError(grpcError(status.UNAVAILABLE, 'x')).retriable).toBe(true);
  });

  it('carries the positions of an OFFSET_OUT_OF_RANGE in metadata and reads them back', () => {
    const positions = { highWatermark: 40, lastStableOffset: 38, logStartOffset: 34 };
    const sent = toServiceError(new OffsetOutOfRangeError('offset 0 is outside [34, 40]', positions));
    expect(sent.metadata.get('raftlog-log-start-offset')).toEqual(['34']);
    const back = fromServiceError(sent);
    expect(back).toBeInstanceOf(OffsetOutOfRangeError);
    expect([back.code, (back as OffsetOutOfRangeError).positions]).toEqual([
      'OFFSET_OUT_OF_RANGE',
      positions,
    ]);
    // A status that lost one of them reads as a plain error rather than with made-up positions.
    sent.metadata.remove('raftlog-high-watermark');
    expect(fromServiceError(sent)).not.toBeInstanceOf(OffsetOutOfRangeError);
  });

  it('ignores an unknown code in metadata and never leaks a foreign error', () => {
    const metadata = new Metadata();
    metadata.set('raftlog-error-code', 'NOT_A_CODE');
    expect(fromServiceError(grpcError(status.ABORTED, 'x', metadata)).code).toBe('UNKNOWN');
    const hidden = toServiceError(new TypeError('stack and secrets'));
    expect([hidden.code, hidden.details]).toEqual([status.INTERNAL, 'internal error']);
    expect(hidden.metadata.get('raftlog-error-code')).toEqual(['INTERNAL']);
  });
});
