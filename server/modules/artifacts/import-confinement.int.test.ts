/**
 * Importing a model folder from the server's disk stays inside the import
 * folders after symlinks and `..` are resolved, and its refusals do not tell
 * a missing path from a forbidden one (the same status and message).
 */
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { writeTestModel } from "@/server/modules/inference/model-builder/test-model";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeProject } from "@/server/testing/factories";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-import-"));
const outside = await mkdtemp(path.join(tmpdir(), "switchyard-outside-"));
const root = path.join(dataDir, "import");
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_IMPORT_DIRS = root;

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

beforeAll(async () => {
  fixture = await makeProject(db);
  // A loadable model outside the import folder, and ways into it from inside.
  await writeTestModel(path.join(outside, "secret-model"));
  await writeTestModel(path.join(root, "tiny"));
  await symlink(path.join(outside, "secret-model"), path.join(root, "escape"));
  await symlink(path.join(outside, "gone"), path.join(root, "dangling"));
  await symlink(path.join(root, "tiny"), path.join(root, "alias-inside"));
  // A model folder inside whose model file links out.
  await writeTestModel(path.join(root, "leaky"));
  await rm(path.join(root, "leaky", "model.onnx"));
  // (to a loadable model file, so only the confinement can refuse it)
  await symlink(path.join(outside, "secret-model", "model.onnx"), path.join(root, "leaky", "model.onnx"));
  // A folder inside whose onnx/ subfolder links out.
  await writeTestModel(path.join(root, "leaky-subfolder"));
  await rm(path.join(root, "leaky-subfolder", "model.onnx"));
  await writeTestModel(path.join(outside, "secret-onnx", "onnx"));
  await symlink(path.join(outside, "secret-onnx", "onnx"), path.join(root, "leaky-subfolder", "onnx"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

/** The refusal for `folder`, with the path itself taken out of the message so refusals can be compared. */
async function refusal(folder: string) {
  const error = await owner()
    .artifacts.importFolder({ path: folder })
    .then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
  expect(error, folder).not.toBeNull();
  return { code: error!.code, message: error!.message.replace(folder, "<path>") };
}

describe("server-side import confinement", () => {
  it("imports a folder inside, also through a symlink that stays inside", async () => {
    const direct = await owner().artifacts.importFolder({ path: path.join(root, "tiny") });
    const viaLink = await owner().artifacts.importFolder({ path: path.join(root, "alias-inside") });
    expect(viaLink.sha256).toBe(direct.sha256);
  });

  it("answers a symlink out, `..` out, a missing path and an existing outside path alike", async () => {
    const expected = await refusal(path.join(root, "no-such-folder"));
    expect(expected.code).toBe("NOT_FOUND");
    for (const folder of [
      path.join(root, "escape"),
      path.join(root, "dangling"),
      `${root}/../../${path.basename(outside)}/secret-model`,
      path.join(root, "tiny", "..", "..", "..", path.basename(outside), "secret-model"),
      path.join(outside, "secret-model"),
      path.join(outside, "no-such-folder"),
      "/etc",
      "/no/such/folder",
    ])
      expect(await refusal(folder), folder).toEqual(expected);
  });

  it("refuses a folder inside whose model file links out, without reading it", async () => {
    const before = await db.modelArtifact.count();
    const error = await refusal(path.join(root, "leaky"));
    expect(error).toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringContaining("model.onnx") });
    expect(error.message).not.toContain(outside);
    expect(await db.modelArtifact.count()).toBe(before);
  });

  it("refuses a folder inside whose onnx/ subfolder links out", async () => {
    const before = await db.modelArtifact.count();
    const error = await refusal(path.join(root, "leaky-subfolder"));
    expect(error).toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: expect.stringContaining("onnx/model.onnx in"),
    });
    expect(error.message).not.toContain(outside);
    expect(await db.modelArtifact.count()).toBe(before);
  });
});
