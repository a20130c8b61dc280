/** The "Data" checks on the staging stack (the checks live in tests/helpers/data-checks.ts). */
import { beforeAll, describe } from "vitest";
import { setUpStack } from "./helpers/program";
import type { RecordedResource } from "./helpers/mocks";
import { dataChecks } from "./helpers/data-checks";
import { logRetentionChecks } from "./helpers/log-retention-checks";

const rec = setUpStack("staging", ["kubeconfig", "chatApiHeliconeApiKey", "chatApiSentryDsn"]);
let resources: RecordedResource[] = [];

beforeAll(async () => {
  const { run } = await import("../infra/program");
  run();
  resources = [...(await rec.settle())];
});

describe("staging stack: restore verification, maintenance, retention", () => dataChecks("staging", () => resources));
describe("staging stack: log retention and lock", () => logRetentionChecks("staging", () => resources));
