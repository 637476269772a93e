import { assertNever } from '../../../lib/index.js';
import { BandwidthStage } from './bandwidth-stage.js';
import { LatencyStage } from './latency-stage.js';
import { LimitDataStage } from './limit-data-stage.js';
import { ResetPeerStage } from './reset-peer-stage.js';
import { SlicerStage } from './slicer-stage.js';
import { SlowCloseStage } from './slow-close-stage.js';
import { PassthroughStage, type Stage, type StageEnv } from './stage.js';
import { TimeoutStage } from './timeout-stage.js';
import { attribute, type Toxic } from './toxic.js';

/** The stage a toxic puts on one connection: a passthrough when its toxicity draw says it does not act. */
export function createStage(toxic: Toxic, env: StageEnv): Stage {
  if (!env.prng.chance(toxic.toxicity)) return new PassthroughStage(env.out);
  switch (toxic.type) {
    case 'noop':
      return new PassthroughStage(env.out);
    case 'latency':
      return new LatencyStage(toxic, env);
    case 'bandwidth':
      return attribute(toxic, 'rate') > 0 ? new BandwidthStage(toxic, env) : new PassthroughStage(env.out);
    case 'slow_close':
      return new SlowCloseStage(toxic, env);
    case 'timeout':
      return new TimeoutStage(toxic, env);
    case 'reset_peer':
      return new ResetPeerStage(toxic, env);
    case 'slicer':
      return new SlicerStage(toxic, env);
    case 'limit_data':
      return new LimitDataStage(toxic, env);
    default:
      return assertNever(toxic.type, 'toxic type');
  }
}
