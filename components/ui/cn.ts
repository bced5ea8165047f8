import { type ClassValue, clsx } from "clsx";
import { twMerge } from "tailwind-merge";

/**
 * Join class names conditionally (clsx) and resolve Tailwind conflicts (tailwind-merge): later classes
 * win, so a `className` passed to a component overrides the component's default for the same property
 * (`<Input className="w-64" />` beats the default `w-full`). Use it wherever classes are combined.
 */
export function cn(...classes: ClassValue[]): string {
  return twMerge(clsx(...classes));
}

export type { ClassValue };
