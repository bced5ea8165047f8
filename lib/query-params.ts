import { z } from "zod";

// REST GET inputs arrive as query strings; the console sends real numbers and
// booleans. These accept both and still name the field when the value is bad.
export const queryInt = (min: number, max: number) =>
  z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

// (A union would be clearer, but the OpenAPI generator accepts only plain
// scalars or a preprocess in front of one.)
export const queryBoolean = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean({ message: "must be true or false" }),
);
