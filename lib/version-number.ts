import { z } from "zod";

/**
 * Versions (of models, prompts, routes) are numbered from 1 in PostgreSQL `integer` columns: a larger number
 * names no version, and handed to the database it would fail the query instead of finding nothing.
 */
export const MAX_VERSION = 2_147_483_647;

/** A version number as an input field: 1 to MAX_VERSION. */
export const versionNumber = z
  .number({ message: "version must be a number" })
  .int("version must be a whole number")
  .min(1, "version must be 1 or more")
  .max(MAX_VERSION, `version must be at most ${MAX_VERSION}`);
