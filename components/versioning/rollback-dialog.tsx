"use client";

import { ConfirmDialog } from "@/components/ui";

/** A move to undo: `name` points at `toVersion` now and goes back to `fromVersion`. */
export interface Rollback {
  name: string;
  fromVersion: number;
  toVersion: number;
}

/**
 * Asks before moving a name (a model alias) back to the version it pointed at before its last move.
 * `onConfirm` moves it and throws on failure (the dialog then stays open).
 */
export function RollbackDialog({
  rollback,
  onClose,
  onConfirm,
}: {
  rollback: Rollback | null;
  onClose: () => void;
  onConfirm: (rollback: Rollback) => Promise<void>;
}) {
  return (
    <ConfirmDialog
      open={rollback !== null}
      onOpenChange={(open) => !open && onClose()}
      title={`Roll ${rollback?.name} back to v${rollback?.fromVersion}?`}
      description={`${rollback?.name} points at v${rollback?.toVersion} now. Traffic using it moves back to v${rollback?.fromVersion} at once.`}
      confirmLabel="Roll back"
      tone="primary"
      onConfirm={() => (rollback ? onConfirm(rollback) : Promise.resolve())}
    />
  );
}
