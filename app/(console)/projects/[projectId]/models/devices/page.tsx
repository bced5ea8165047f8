import type { Metadata } from "next";
import { InferenceDevices } from "@/components/models/inference-devices";

export const metadata: Metadata = { title: "Inference devices" };

export default function InferenceDevicesPage() {
  return <InferenceDevices />;
}
