export {
  EnvError,
  type EnvShape,
  type EnvSource,
  envFlag,
  envIntervalSeconds,
  envPort,
  parseEnvironment,
} from "./parse-env.ts";
