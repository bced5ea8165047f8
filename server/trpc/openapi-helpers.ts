import { z } from "zod";

// REST GET inputs arrive as query strings; the console sends real numbers and
// booleans. These accept both and still name the field when the value is bad.
export const queryInt = (min: number, max: number) =>
  z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const queryBoolean = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
