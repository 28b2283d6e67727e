import { expect, it } from "vitest";
import * as light from "./constants.js";
import {
  ALERT_CONDITIONS,
  ALERT_SEVERITIES,
  CHANNEL_KINDS,
  EVENT_TYPES,
  RESTORE_STATES,
  TERMINAL_STATES,
} from "./index.js";

it("lists exactly the verifier's event types, in SPEC order", () => {
  expect([...light.EVENT_TYPES]).toEqual(EVENT_TYPES);
});

it("gives the same restore states and alert lists as the verifier's main entry", () => {
  expect(light.RESTORE_STATES).toBe(RESTORE_STATES);
  expect(light.TERMINAL_STATES).toBe(TERMINAL_STATES);
  expect(light.ALERT_CONDITIONS).toBe(ALERT_CONDITIONS);
  expect(light.ALERT_SEVERITIES).toBe(ALERT_SEVERITIES);
  expect(light.CHANNEL_KINDS).toBe(CHANNEL_KINDS);
});
