import type { Server } from '@grpc/grpc-js';
import { toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ReflectionService } from '@grpc/reflection';
import { file_grpc_health_v1_health, Health } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { AdminService, file_raftlog_v1_admin } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService, file_raftlog_v1_broker } from '../../proto/gen/raftlog/v1/broker_pb.js';

/** The services a generic client (grpcurl, Postman…) can discover on the client port. */
export const reflectedServices = [BrokerService, AdminService, Health].map((s) => s.typeName);

/**
 * grpc.reflection.v1 and v1alpha, fed with the descriptors of the generated code itself, so what is
 * served is always what the node was built from; imports are included, as reflection clients ask
 * for the whole dependency set.
 */
export function addReflection(server: Server): void {
  const files = withImports([file_raftlog_v1_broker, file_raftlog_v1_admin, file_grpc_health_v1_health]);
  const fileDescriptorProtos = files.map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
  // @grpc/reflection reads a proto-loader package definition; only `fileDescriptorProtos` is used.
  const definition = {
    raftlog: { format: 'Protocol Buffer 3 DescriptorProto' as const, type: {}, fileDescriptorProtos },
  };
  new ReflectionService(definition, { services: reflectedServices }).addToServer(server);
}

function withImports(roots: readonly DescFile[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    seen.set(file.name, file);
    file.dependencies.forEach(visit);
  };
  roots.forEach(visit);
  return [...seen.values()];
}
