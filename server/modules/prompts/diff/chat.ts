import { diffArrays } from "diff";
import { diffText, type TextDiff } from "@/lib/text-diff";
import type { ChatMessageTemplate, ChatRole } from "../template/schemas";

export interface MessageDiff {
  status: "added" | "removed" | "changed" | "unchanged";
  oldIndex: number | null;
  newIndex: number | null;
  oldRole: ChatRole | null;
  newRole: ChatRole | null;
  roleChanged: boolean;
  /** Line diff of the content: all additions for an added message, all deletions for a removed one. */
  content: TextDiff;
}

type Indexed = { message: ChatMessageTemplate; index: number };

/**
 * Aligns two message lists (jsdiff's `diffArrays`: unchanged messages anchor the alignment), then
 * pairs what was replaced between anchors: position by position when as many messages were removed
 * as added (an edit, possibly with a role change), else by matching roles in order; the rest are
 * added or removed.
 */
export function diffMessages(
  before: readonly ChatMessageTemplate[],
  after: readonly ChatMessageTemplate[],
  context: number,
): MessageDiff[] {
  const same = (a: ChatMessageTemplate, b: ChatMessageTemplate) => a.role === b.role && a.content === b.content;
  const out: MessageDiff[] = [];
  let oldIndex = 0;
  let newIndex = 0;
  let removed: Indexed[] = [];
  let added: Indexed[] = [];

  const flush = () => {
    out.push(...pairReplaced(removed, added, context));
    removed = [];
    added = [];
  };

  for (const part of diffArrays([...before], [...after], { comparator: same })) {
    for (const message of part.value) {
      if (part.removed) removed.push({ message, index: oldIndex++ });
      else if (part.added) added.push({ message, index: newIndex++ });
      else {
        flush();
        out.push({
          status: "unchanged",
          oldIndex: oldIndex++,
          newIndex: newIndex++,
          oldRole: message.role,
          newRole: message.role,
          roleChanged: false,
          content: diffText(message.content, message.content, context),
        });
      }
    }
  }
  flush();
  return out;
}

function changed(a: Indexed, b: Indexed, context: number): MessageDiff {
  return {
    status: "changed",
    oldIndex: a.index,
    newIndex: b.index,
    oldRole: a.message.role,
    newRole: b.message.role,
    roleChanged: a.message.role !== b.message.role,
    content: diffText(a.message.content, b.message.content, context),
  };
}

function removedDiff(a: Indexed, context: number): MessageDiff {
  return {
    status: "removed",
    oldIndex: a.index,
    newIndex: null,
    oldRole: a.message.role,
    newRole: null,
    roleChanged: false,
    content: diffText(a.message.content, "", context),
  };
}

function addedDiff(b: Indexed, context: number): MessageDiff {
  return {
    status: "added",
    oldIndex: null,
    newIndex: b.index,
    oldRole: null,
    newRole: b.message.role,
    roleChanged: false,
    content: diffText("", b.message.content, context),
  };
}

function pairReplaced(removed: Indexed[], added: Indexed[], context: number): MessageDiff[] {
  if (removed.length === added.length) return removed.map((a, i) => changed(a, added[i], context));
  const out: MessageDiff[] = [];
  let r = 0;
  let a = 0;
  for (const part of diffArrays(
    removed.map((m) => m.message.role),
    added.map((m) => m.message.role),
  )) {
    for (let i = 0; i < part.value.length; i++) {
      if (part.removed) out.push(removedDiff(removed[r++], context));
      else if (part.added) out.push(addedDiff(added[a++], context));
      else out.push(changed(removed[r++], added[a++], context));
    }
  }
  return out;
}
