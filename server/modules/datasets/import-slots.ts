/**
 * A dataset import holds one of the process's database connections (10, shared with every request) for as long
 * as its upload lasts: COPY streams inside one transaction. Without a bound, ten slow uploads from one project
 * would leave no connection for anyone else's requests. So at most SWITCHYARD_IMPORTS_PER_PROJECT (2) imports run
 * per project and SWITCHYARD_IMPORTS_TOTAL (4) in all, per process; past either, a 429 naming the limit.
 */
import { DomainError } from "@/server/errors";

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value >= 1 ? value : fallback;
};

const running = new Map<string, number>();
let total = 0;

/** Takes a slot for `projectId`'s import, or throws RATE_LIMITED; the returned function frees it (once). */
export function takeImportSlot(projectId: string): () => void {
  const perProject = setting("SWITCHYARD_IMPORTS_PER_PROJECT", 2);
  const all = setting("SWITCHYARD_IMPORTS_TOTAL", 4);
  const mine = running.get(projectId) ?? 0;
  if (mine >= perProject)
    throw new DomainError(
      "RATE_LIMITED",
      `This project already has ${mine} dataset imports running (the limit, SWITCHYARD_IMPORTS_PER_PROJECT, is ${perProject}): retry when one has finished`,
    );
  if (total >= all)
    throw new DomainError(
      "RATE_LIMITED",
      `${total} dataset imports are running on this server (the limit, SWITCHYARD_IMPORTS_TOTAL, is ${all}): retry when one has finished`,
    );
  running.set(projectId, mine + 1);
  total++;
  let freed = false;
  return () => {
    if (freed) return;
    freed = true;
    total--;
    const left = (running.get(projectId) ?? 1) - 1;
    if (left > 0) running.set(projectId, left);
    else running.delete(projectId);
  };
}
