import * as ort from "onnxruntime-node";
ort.env.logLevel = "fatal";
import { DeviceSelector } from "../../server/modules/inference/devices";
const s = new DeviceSelector("auto");
console.log(await s.probe());
