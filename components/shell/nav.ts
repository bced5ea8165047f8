import {
  Boxes,
  CalendarClock,
  ClipboardCheck,
  Database,
  FileCode2,
  FlaskConical,
  Gauge,
  Layers,
  ListChecks,
  type LucideIcon,
  MessageSquareText,
  Rocket,
  Route,
  Scale,
  ScrollText,
  Settings,
  Workflow,
} from "lucide-react";

export interface NavItem {
  label: string;
  /** Path below /projects/<id>. */
  segment: string;
  icon: LucideIcon;
}

export const MAIN_NAV: NavItem[] = [
  { label: "Models", segment: "models", icon: Boxes },
  { label: "Prompts", segment: "prompts", icon: MessageSquareText },
  { label: "Experiments", segment: "experiments", icon: FlaskConical },
  { label: "Datasets", segment: "datasets", icon: Database },
  { label: "Evals", segment: "evals", icon: ClipboardCheck },
  { label: "Evaluators", segment: "evaluators", icon: Scale },
  { label: "Playground", segment: "playground", icon: FileCode2 },
  { label: "Routes", segment: "routes", icon: Route },
  { label: "Rollouts", segment: "rollouts", icon: Rocket },
  { label: "Monitoring", segment: "monitoring", icon: Gauge },
  { label: "Jobs", segment: "jobs", icon: ListChecks },
  { label: "Batches", segment: "batches", icon: Layers },
  { label: "Schedules", segment: "schedules", icon: CalendarClock },
  { label: "Workflows", segment: "workflows", icon: Workflow },
];

export const FOOTER_NAV: NavItem[] = [
  { label: "API reference", segment: "api", icon: ScrollText },
  { label: "Settings", segment: "settings", icon: Settings },
];
