// The shipped KR model inputs (operator/data/kr-hourly-model.json), read once; the model of
// kr-hourly-profile.ts bound to them. Reading lives here, parsing and the model in kr-hourly-profile.ts
// (pure).
import { readDataFile } from './data-files.js';
import * as model from './kr-hourly-profile.js';

let cached: model.KrModelInputs | undefined;

export function krModelInputs(): model.KrModelInputs {
  cached ??= model.parseKrModel(readDataFile('kr-hourly-model.json'));
  return cached;
}

export const krModelError = (inputs = krModelInputs()) => model.krModelError(inputs);

export const krHourlyModel = (options: model.KrHourlyOptions = {}) =>
  model.krHourlyModel({ ...options, inputs: options.inputs ?? krModelInputs() });

export const krHourlyProfile = (options: model.KrHourlyOptions = {}) => krHourlyModel(options).profile;
