// The slice of the `rocksdb` package (abstract-leveldown 7 API) that rocks-kv-store.ts uses.
declare module 'rocksdb' {
  type Callback<T = void> = (err: Error | undefined | null, result: T) => void;

  interface RocksOpenOptions {
    createIfMissing?: boolean;
    errorIfExists?: boolean;
    compression?: boolean;
    cacheSize?: number;
    writeBufferSize?: number;
    blockSize?: number;
    maxOpenFiles?: number;
  }

  interface RocksIteratorOptions {
    gt?: Buffer;
    gte?: Buffer;
    lt?: Buffer;
    lte?: Buffer;
    reverse?: boolean;
    limit?: number;
    keys?: boolean;
    values?: boolean;
    highWaterMark?: number;
  }

  interface RocksIterator {
    next(cb: (err: Error | undefined | null, key?: Buffer, value?: Buffer) => void): void;
    seek(target: Buffer): void;
    end(cb: (err: Error | undefined | null) => void): void;
  }

  type RocksBatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

  interface RocksDb {
    open(options: RocksOpenOptions, cb: (err: Error | undefined | null) => void): void;
    close(cb: (err: Error | undefined | null) => void): void;
    getMany(keys: Buffer[], options: { asBuffer: boolean }, cb: Callback<(Buffer | undefined)[]>): void;
    batch(ops: RocksBatchOp[], options: { sync: boolean }, cb: (err: Error | undefined | null) => void): void;
    iterator(options: RocksIteratorOptions): RocksIterator;
    compactRange(start: Buffer, end: Buffer, cb: (err: Error | undefined | null) => void): void;
    /** A RocksDB property (DB::GetProperty), read synchronously. */
    getProperty(property: string): string;
  }

  function rocksdb(location: string): RocksDb;
  export = rocksdb;
}
