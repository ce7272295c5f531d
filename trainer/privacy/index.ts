// Public API of the privacy accounting core, for the server and the trainer: events, accountants (with their
// incremental composition), calibration, group privacy and the privacy units. Pure functions only (no I/O).

export {
  EVENT_FORMAT_VERSION,
  EVENT_TYPES,
  PrivacyEventError,
  composed,
  dpSgdEvent,
  flattenEvent,
  gaussian,
  parseEvent,
  poissonSampled,
  privacyEventDocumentSchema,
  privacyEventSchema,
  selfComposed,
  serialiseEvent,
  validateEvent,
  type MechanismCount,
  type PrivacyEvent,
} from "./events";
export {
  ACCOUNTANT_NAMES,
  accountantNameSchema,
  createAccountant,
  type Accountant,
  type AccountantName,
  type AccountantOptions,
} from "./accountant";
export { DEFAULT_RDP_ORDERS, deltaFromRdp, epsilonFromRdp, rdpOfEvent, subsampledGaussianRdp } from "./rdp";
export { DEFAULT_DISCRETISATION_INTERVAL, pldDelta, pldEpsilon } from "./pld";
export {
  DEFAULT_CALIBRATION_PRECISION,
  calibrateNoiseMultiplier,
  calibrationRequestSchema,
  type Calibration,
  type CalibrationRequest,
} from "./calibrate";
export type { Composition } from "./composition";
export { groupPrivacy } from "./group-privacy";
export { concentratedEpsilon, equivalentNoiseMultiplier, sumDeviation, type DistributedDiscreteGaussian } from "./distributed-discrete-gaussian";
export { PRIVACY_UNITS, privacyUnitSchema, type PrivacyUnit } from "./units";
