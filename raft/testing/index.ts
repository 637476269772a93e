export { TestNetwork, storageWith, entry, ids, type TestNode, type TestOptions } from './test-network.js';
