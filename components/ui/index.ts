export { toast } from "sonner";
export type { BadgeTone } from "./badge";
export { Badge } from "./badge";

export { Button, buttonStyles } from "./button";

export { Card, CardContent, CardDescription, CardHeader, CardTitle } from "./card";

export { Checkbox } from "./checkbox";

export { cn } from "./cn";

export { ConfirmDialog } from "./confirm-dialog";

export { CopyButton } from "./copy-button";
export type { DataTableColumn } from "./data-table";
export { DataTable } from "./data-table";

export { Dialog } from "./dialog";

export { Field } from "./field";

export { FormDialog } from "./form-dialog";

export { Input } from "./input";

export { PageHeader } from "./page-header";
export type { ProgressTone } from "./progress-bar";
export { ProgressBar } from "./progress-bar";

export { Select } from "./select";

export { Stat } from "./stat";

export { EmptyState, ErrorState, LoadingState } from "./states";

export { Tabs } from "./tabs";

export { Textarea } from "./textarea";
export { ThemeProvider } from "./theme-provider";

export { ThemeToggle } from "./theme-toggle";
export { Toaster } from "./toaster";
