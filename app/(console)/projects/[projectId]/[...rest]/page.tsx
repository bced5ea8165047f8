import { notFound } from "next/navigation";

/** Any other URL below a project is the project's "not found" page, inside the console's shell. */
export default function UnknownProjectPage() {
  notFound();
}
