"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useListQuery } from "@/components/providers/use-list-query";
import { Badge, DataTable, type DataTableColumn, Input, Select } from "@/components/ui";

type Row = RouterOutputs["datasets"]["examples"]["items"][number];

export function ExampleBrowser({ versionId }: { versionId: string }) {
  const trpc = useTRPC();
  const list = useListQuery({ search: "", split: "" }, { pageSize: 10 });
  const examples = useQuery({
    ...trpc.datasets.examples.queryOptions({
      ...list.query,
      versionId,
      split: list.query.split as "train" | undefined,
    }),
    placeholderData: keepPreviousData,
  });
  const columns: DataTableColumn<Row>[] = [
    { key: "n", header: "#", className: "w-12", cell: (r) => r.position + 1 },
    {
      key: "messages",
      header: "Messages",
      cell: (r) => (
        <div className="flex flex-col gap-1">
          {r.example.messages.map((m, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: messages are positional
            <div key={i} className="flex gap-2 text-xs">
              <Badge>{m.role}</Badge>
              <span className="line-clamp-2 whitespace-pre-wrap">{m.content}</span>
            </div>
          ))}
        </div>
      ),
    },
    { key: "tokens", header: "Tokens", className: "w-20", cell: (r) => r.tokens },
    {
      key: "split",
      header: "Split",
      className: "w-24",
      cell: (r) => (r.split ? <Badge tone="info">{r.split}</Badge> : "—"),
    },
  ];
  return (
    <DataTable
      caption="Examples"
      columns={columns}
      rowKey={(r) => String(r.position)}
      {...list.table(examples)}
      toolbar={
        <div className="flex flex-wrap gap-2">
          <Input
            aria-label="Search examples"
            placeholder="Search text…"
            {...list.bind("search")}
            className="w-full sm:w-64"
          />
          <Select aria-label="Split" {...list.bind("split")} className="w-36">
            <option value="">All</option>
            <option value="train">train</option>
            <option value="validation">validation</option>
          </Select>
        </div>
      }
    />
  );
}
