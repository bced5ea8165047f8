/**
 * Uploads in progress per project, per process: each holds a socket, a staging file and (for batch input) CPU for
 * its line checks, so one project's burst of uploads must not crowd out everyone else's. More get 429.
 */
import { DomainError } from "@/server/errors";

/** Concurrent uploads one project may have in one process. */
const UPLOADS_PER_PROJECT = 4;

const running = new Map<string, number>();

/** Runs `upload` in one of the project's slots, or refuses at once when they are all taken. */
export async function inUploadSlot<T>(projectId: string, upload: () => Promise<T>): Promise<T> {
  const mine = running.get(projectId) ?? 0;
  if (mine >= UPLOADS_PER_PROJECT)
    throw new DomainError(
      "RATE_LIMITED",
      `This project already has ${UPLOADS_PER_PROJECT} file uploads in progress: retry when one has finished`,
    );
  running.set(projectId, mine + 1);
  try {
    return await upload();
  } finally {
    const left = (running.get(projectId) ?? 1) - 1;
    if (left) running.set(projectId, left);
    else running.delete(projectId);
  }
}
